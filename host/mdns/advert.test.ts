import { describe, expect, it } from 'bun:test'
import { MDNS_PORT, SERVICE_TYPE, answer, announcement, goodbye, makeAdvert } from './advert.ts'
import { type DnsMessage, RR, decodeMessage, encodeMessage } from './dns-message.ts'

const advert = makeAdvert({ hostName: 'Desk PC.lan', port: 8377, version: '1.2.3', addresses: ['10.77.0.1', '10.78.0.1'] })

const query = (name: string, type: number, extra: Partial<DnsMessage> = {}): DnsMessage => ({
  id: 77, response: false, authoritative: false, answers: [], authorities: [], additionals: [],
  questions: [{ name, type, unicast: false }],
  ...extra,
})

describe('DNS-SD advert', () => {
  it('names the instance and target from the host name', () => {
    expect(advert.instance).toBe('sysboy-desk-pc._sysboy._tcp.local')
    expect(advert.target).toBe('sysboy-desk-pc.local')
    expect(advert.txt).toEqual(['version=1.2.3', 'path=/ws', 'proto=1'])
  })

  it('answers a browse for _sysboy._tcp with PTR, and SRV, TXT and A as additionals', () => {
    const reply = answer(advert, query('_sysboy._tcp.local', RR.PTR), MDNS_PORT)
    expect(reply?.unicast).toBe(false)
    const m = decodeMessage(encodeMessage(reply?.message as DnsMessage))
    expect(m.answers.map((r) => r.data)).toEqual([{ type: RR.PTR, target: advert.instance }])
    expect(m.additionals.map((r) => r.data.type)).toEqual([RR.SRV, RR.TXT, RR.A, RR.A])
    expect(m.additionals[0]?.data).toEqual({ type: RR.SRV, priority: 0, weight: 0, port: 8377, target: advert.target })
  })

  it('answers the service enumeration, SRV, TXT and A questions, whatever the case', () => {
    expect(answer(advert, query('_services._dns-sd._udp.local', RR.PTR), MDNS_PORT)?.message.answers[0]?.data).toEqual({
      type: RR.PTR,
      target: SERVICE_TYPE,
    })
    expect(answer(advert, query('SYSBOY-DESK-PC._sysboy._tcp.local', RR.SRV), MDNS_PORT)?.message.answers).toHaveLength(1)
    expect(answer(advert, query(advert.instance, RR.TXT), MDNS_PORT)?.message.answers[0]?.data.type).toBe(RR.TXT)
    expect(answer(advert, query(advert.target, RR.A), MDNS_PORT)?.message.answers).toHaveLength(2)
  })

  it('stays silent for other names and for responses', () => {
    expect(answer(advert, query('_http._tcp.local', RR.PTR), MDNS_PORT)).toBeUndefined()
    expect(answer(advert, { ...query(SERVICE_TYPE, RR.PTR), response: true }, MDNS_PORT)).toBeUndefined()
  })

  it('skips a PTR the querier already knows', () => {
    const knownAnswer = { name: SERVICE_TYPE, ttl: 4000, flush: false, data: { type: RR.PTR, target: advert.instance } }
    expect(answer(advert, query(SERVICE_TYPE, RR.PTR, { answers: [knownAnswer] }), MDNS_PORT)).toBeUndefined()
  })

  it('answers a legacy unicast query with its id, its question and short TTLs', () => {
    const reply = answer(advert, query(SERVICE_TYPE, RR.PTR), 40000)
    expect(reply?.unicast).toBe(true)
    expect(reply?.message.id).toBe(77)
    expect(reply?.message.questions).toEqual([{ name: SERVICE_TYPE, type: RR.PTR, unicast: false }])
    expect([...(reply?.message.answers ?? []), ...(reply?.message.additionals ?? [])].every((r) => r.ttl <= 10 && !r.flush)).toBe(true)
  })

  it('announces every record and says goodbye with TTL 0', () => {
    expect(announcement(advert).answers.map((r) => r.data.type)).toEqual([RR.PTR, RR.PTR, RR.SRV, RR.TXT, RR.A, RR.A])
    expect(goodbye(advert).answers.every((r) => r.ttl === 0)).toBe(true)
  })
})
