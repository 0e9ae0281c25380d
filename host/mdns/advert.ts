// What the host advertises over DNS-SD (`_sysboy._tcp.local`) and how it answers queries: sans-IO, no sockets.
import { DEVICE_PATH, MDNS_SERVICE, PROTOCOL_VERSION } from '../../schema/index.ts'
import { type DnsMessage, type Question, RR, type ResourceRecord } from './dns-message.ts'

export const SERVICE_TYPE = MDNS_SERVICE
export const SERVICES_ENUMERATION = '_services._dns-sd._udp.local'
/** Port of mDNS; a query from any other port is a "legacy unicast" one (RFC 6762 §6.7). */
export const MDNS_PORT = 5353

// RFC 6762 §10: records naming a host live 120 s, the others 75 minutes.
const HOST_TTL = 120
const OTHER_TTL = 4500
const LEGACY_TTL = 10

export interface Advert {
  /** Instance name: `<instance>._sysboy._tcp.local`. */
  instance: string
  /** Host name the SRV record points at, `<name>.local`. */
  target: string
  port: number
  txt: string[]
  addresses: string[]
}

export interface AdvertInput {
  hostName: string
  port: number
  version: string
  addresses: string[]
}

/** One DNS label of letters, digits and hyphens, from whatever the OS calls the machine. */
const label = (hostName: string): string => {
  const cleaned = hostName.split('.')[0]?.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') ?? ''
  return cleaned === '' ? 'pc' : cleaned.slice(0, 40)
}

export const makeAdvert = (input: AdvertInput): Advert => {
  // A name of our own keeps clear of the OS's own `<hostname>.local`, which another responder may own.
  const name = `sysboy-${label(input.hostName)}`
  return {
    instance: `${name}.${SERVICE_TYPE}`,
    target: `${name}.local`,
    port: input.port,
    txt: [`version=${input.version}`, `path=${DEVICE_PATH}`, `proto=${PROTOCOL_VERSION}`],
    addresses: input.addresses,
  }
}

const ptrServices = (ttl: number): ResourceRecord => ({
  name: SERVICES_ENUMERATION,
  ttl,
  flush: false,
  data: { type: RR.PTR, target: SERVICE_TYPE },
})
const ptrInstance = (a: Advert, ttl: number): ResourceRecord => ({
  name: SERVICE_TYPE,
  ttl,
  flush: false,
  data: { type: RR.PTR, target: a.instance },
})
const srv = (a: Advert, ttl: number): ResourceRecord => ({
  name: a.instance,
  ttl,
  flush: true,
  data: { type: RR.SRV, priority: 0, weight: 0, port: a.port, target: a.target },
})
const txt = (a: Advert, ttl: number): ResourceRecord => ({
  name: a.instance,
  ttl,
  flush: true,
  data: { type: RR.TXT, entries: a.txt },
})
const addressRecords = (a: Advert, ttl: number): ResourceRecord[] =>
  a.addresses.map((address) => ({ name: a.target, ttl, flush: true, data: { type: RR.A, address } }))

const allRecords = (a: Advert, scale: (ttl: number) => number): ResourceRecord[] => [
  ptrInstance(a, scale(OTHER_TTL)),
  ptrServices(scale(OTHER_TTL)),
  srv(a, scale(HOST_TTL)),
  txt(a, scale(OTHER_TTL)),
  ...addressRecords(a, scale(HOST_TTL)),
]

const response = (answers: ResourceRecord[], additionals: ResourceRecord[] = []): DnsMessage => ({
  id: 0,
  response: true,
  authoritative: true,
  questions: [],
  answers,
  authorities: [],
  additionals,
})

/** The unsolicited response sent on start (and repeated once a second later). */
export const announcement = (a: Advert): DnsMessage => response(allRecords(a, (ttl) => ttl))

/** The same records with TTL 0: browsers drop the service at once (RFC 6762 §10.1). */
export const goodbye = (a: Advert): DnsMessage => response(allRecords(a, () => 0))

const sameName = (x: string, y: string): boolean => x.toLowerCase().replace(/\.$/, '') === y.toLowerCase()
const asks = (q: Question, name: string, type: number): boolean =>
  sameName(q.name, name) && (q.type === type || q.type === RR.ANY)

/** Whether the querier already holds `record` with at least half its TTL left (known-answer suppression). */
const known = (query: DnsMessage, record: ResourceRecord): boolean =>
  query.answers.some(
    (k) =>
      sameName(k.name, record.name) &&
      k.data.type === record.data.type &&
      'target' in k.data &&
      'target' in record.data &&
      sameName(k.data.target, record.data.target) &&
      k.ttl >= record.ttl / 2,
  )

export interface Reply {
  message: DnsMessage
  /** True: send to the querier's own address and port; false: multicast to the group. */
  unicast: boolean
}

/** The reply to one received packet, or undefined when it asks nothing of ours. */
export const answer = (a: Advert, query: DnsMessage, fromPort: number): Reply | undefined => {
  if (query.response) return undefined
  const answers: ResourceRecord[] = []
  const additionals: ResourceRecord[] = []
  const add = (list: ResourceRecord[], r: ResourceRecord): void => {
    const key = (x: ResourceRecord): string => `${x.name}|${x.data.type}|${JSON.stringify(x.data)}`
    if (![...answers, ...additionals].some((x) => key(x) === key(r))) list.push(r)
  }
  for (const q of query.questions) {
    if (asks(q, SERVICES_ENUMERATION, RR.PTR)) add(answers, ptrServices(OTHER_TTL))
    if (asks(q, SERVICE_TYPE, RR.PTR)) {
      const ptr = ptrInstance(a, OTHER_TTL)
      if (!known(query, ptr)) {
        add(answers, ptr)
        add(additionals, srv(a, HOST_TTL))
        add(additionals, txt(a, OTHER_TTL))
        for (const r of addressRecords(a, HOST_TTL)) add(additionals, r)
      }
    }
    if (asks(q, a.instance, RR.SRV)) {
      add(answers, srv(a, HOST_TTL))
      for (const r of addressRecords(a, HOST_TTL)) add(additionals, r)
    }
    if (asks(q, a.instance, RR.TXT)) add(answers, txt(a, OTHER_TTL))
    if (asks(q, a.target, RR.A)) for (const r of addressRecords(a, HOST_TTL)) add(answers, r)
  }
  if (answers.length === 0) return undefined
  if (fromPort !== MDNS_PORT) {
    // Legacy unicast: a plain DNS resolver asked; it wants its id and question back, short TTLs, no flush bit.
    const legacy = (r: ResourceRecord): ResourceRecord => ({ ...r, ttl: Math.min(r.ttl, LEGACY_TTL), flush: false })
    return {
      unicast: true,
      message: { ...response(answers.map(legacy), additionals.map(legacy)), id: query.id, questions: query.questions },
    }
  }
  return { unicast: false, message: response(answers, additionals) }
}
