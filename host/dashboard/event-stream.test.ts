import { describe, expect, it } from 'bun:test'
import { EventStreamParser } from './event-stream.ts'

describe('the event-stream parser', () => {
  it('gives named events with their data, skipping keep-alive comments', () => {
    const parser = new EventStreamParser()
    expect(parser.push(': keep-alive\n\nevent: hello\ndata: {"version":"1"}\n\n')).toEqual([{ event: 'hello', data: '{"version":"1"}' }])
  })

  it('joins events split across chunks anywhere, CRLF included', () => {
    const text = 'event: metrics\r\ndata: {"a":\r\ndata: 1}\r\n\r\nevent: devices\ndata: []\n\n'
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new EventStreamParser()
      const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))]
      expect(events).toEqual([
        { event: 'metrics', data: '{"a":\n1}' },
        { event: 'devices', data: '[]' },
      ])
    }
  })

  it('names an event without a name "message", and drops one without data', () => {
    const parser = new EventStreamParser()
    expect(parser.push('data: x\n\nevent: empty\n\n')).toEqual([{ event: 'message', data: 'x' }])
  })
})
