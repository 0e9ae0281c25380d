import { describe, expect, it } from 'bun:test'
import { decodeHostMessage } from '../../schema/index.ts'
import { clip } from './clip.ts'

const codePoints = (text: string): number => Array.from(text).length

describe('clip', () => {
  it('keeps text at the limit as it is, counting an emoji as one character', () => {
    const reason = `${'x'.repeat(199)}😀`
    expect(reason.length).toBe(201)
    expect(clip(reason, 200)).toBe(reason)
  })

  it('cuts by code point, never inside a surrogate pair', () => {
    const cut = clip(`${'x'.repeat(198)}😀😀😀`, 200)
    expect(cut).toBe(`${'x'.repeat(198)}😀…`)
    expect(codePoints(cut)).toBe(200)
    expect(cut.isWellFormed()).toBe(true)
  })

  it('marks the cut and keeps short text as it is', () => {
    expect(clip('abcdef', 4)).toBe('abc…')
    expect(clip('abc', 4)).toBe('abc')
  })

  it('replaces a lone surrogate it was given, so the frame stays valid JSON text for the device', () => {
    expect(clip('a\uD83Db', 10)).toBe('a\uFFFDb')
  })

  it('gives a reason the host decoder accepts at every cut point through a run of emoji', () => {
    for (let pad = 190; pad <= 200; pad++) {
      const reason = clip(`${'x'.repeat(pad)}${'😀'.repeat(20)}`, 200)
      expect(codePoints(reason)).toBeLessThanOrEqual(200)
      expect(reason.isWellFormed()).toBe(true)
      const decoded = decodeHostMessage(JSON.stringify({ type: 'vram', value: null, reason }))
      if (!decoded.ok) throw new Error(decoded.reason)
    }
  })

  it('gives nothing for a limit of zero, not an ellipsis over it (found by fuzzing)', () => {
    expect(clip('\u0000', 0)).toBe('')
    expect(clip('', 0)).toBe('')
  })
})
