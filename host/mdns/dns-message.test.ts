import { describe, expect, it } from 'bun:test'
import { type DnsMessage, DnsFormatError, RR, decodeMessage, encodeMessage } from './dns-message.ts'

const label = (s: string): number[] => [s.length, ...new TextEncoder().encode(s)]

describe('DNS message codec', () => {
  it('round-trips every record type it writes', () => {
    const message: DnsMessage = {
      id: 0x1234,
      response: true,
      authoritative: true,
      questions: [{ name: '_sysboy._tcp.local', type: RR.PTR, unicast: true }],
      answers: [{ name: '_sysboy._tcp.local', ttl: 4500, flush: false, data: { type: RR.PTR, target: 'a._sysboy._tcp.local' } }],
      authorities: [],
      additionals: [
        { name: 'a._sysboy._tcp.local', ttl: 120, flush: true, data: { type: RR.SRV, priority: 0, weight: 5, port: 8377, target: 'a.local' } },
        { name: 'a._sysboy._tcp.local', ttl: 4500, flush: true, data: { type: RR.TXT, entries: ['version=0.1.0', 'path=/ws'] } },
        { name: 'a.local', ttl: 120, flush: true, data: { type: RR.A, address: '10.77.0.1' } },
        { name: 'a.local', ttl: 120, flush: false, data: { type: RR.AAAA, raw: new Uint8Array(16).fill(7) } },
      ],
    }
    expect(decodeMessage(encodeMessage(message))).toEqual(message)
  })

  it('writes the header and a question byte for byte', () => {
    const bytes = encodeMessage({
      id: 0, response: false, authoritative: false, answers: [], authorities: [], additionals: [],
      questions: [{ name: '_sysboy._tcp.local', type: RR.PTR, unicast: false }],
    })
    expect(Array.from(bytes)).toEqual([
      0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
      ...label('_sysboy'), ...label('_tcp'), ...label('local'), 0, 0, 12, 0, 1,
    ])
  })

  it('follows compression pointers written by other responders', () => {
    const bytes = Uint8Array.from([
      0, 0, 0x84, 0, 0, 0, 0, 2, 0, 0, 0, 0,
      // offset 12: _sysboy._tcp.local PTR -> "pc" + pointer to offset 12
      ...label('_sysboy'), ...label('_tcp'), ...label('local'), 0, 0, 12, 0, 1, 0, 0, 0x11, 0x94, 0, 5, ...label('pc'), 0xc0, 12,
      // TXT whose owner name is a pointer to the PTR's data (offset 42)
      0xc0, 42, 0, 16, 0x80, 1, 0, 0, 0x11, 0x94, 0, 8, ...label('proto=1'),
    ])
    const m = decodeMessage(bytes)
    expect(m.response).toBe(true)
    expect(m.answers[0]?.data).toEqual({ type: RR.PTR, target: 'pc._sysboy._tcp.local' })
    expect(m.answers[1]).toEqual({ name: 'pc._sysboy._tcp.local', ttl: 4500, flush: true, data: { type: RR.TXT, entries: ['proto=1'] } })
  })

  it('refuses a truncated packet and a pointer loop', () => {
    expect(() => decodeMessage(Uint8Array.from([0, 0, 0, 0, 0, 1]))).toThrow(DnsFormatError)
    const loop = Uint8Array.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 12, 0, 1])
    expect(() => decodeMessage(loop)).toThrow('does not point backwards')
  })

  it('refuses to write a label longer than 63 bytes', () => {
    const long = `${'x'.repeat(64)}.local`
    expect(() =>
      encodeMessage({ id: 0, response: false, authoritative: false, questions: [{ name: long, type: 1, unicast: false }], answers: [], authorities: [], additionals: [] }),
    ).toThrow('label longer than 63 bytes')
  })
})
