import { describe, expect, it } from 'bun:test'
import { decodeDeviceMessage } from './index.ts'

describe('decodeDeviceMessage refusals, as the fuzzer found them', () => {
  it('says a type given as an object is "an object"', () => {
    expect(decodeDeviceMessage('{"type":{}}')).toEqual({ ok: false, code: 'bad_frame', reason: 'type: expected a string, got an object' })
  })

  it('writes a line break the JSON parser quotes as an escape, so the reason stays one line', () => {
    // JavaScriptCore's message quotes the bad character itself: here a raw line feed after a backslash.
    expect(decodeDeviceMessage('"\\\n"')).toEqual({ ok: false, code: 'bad_json', reason: 'not JSON: JSON Parse error: Invalid escape character \\u000a' })
  })

  it('writes control characters and line separators in an unknown type as escapes', () => {
    const decoded = decodeDeviceMessage('{"type":"a\\nb\\u2028c"}')
    expect(decoded).toMatchObject({ ok: false, code: 'unknown_type', reason: expect.stringContaining("unknown device message type 'a\\u000ab\\u2028c';") })
  })

  it('cuts an unknown type at 40 code points without splitting a character', () => {
    const decoded = decodeDeviceMessage(JSON.stringify({ type: '😀'.repeat(50) }))
    expect(decoded).toMatchObject({ ok: false, reason: expect.stringContaining(`unknown device message type '${'😀'.repeat(40)}';`) })
  })
})
