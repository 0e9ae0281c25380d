// Advertises `_sysboy._tcp` by mDNS and keeps it in step with the machine's interfaces: starts it when a LAN address
// appears, moves it when the addresses change, and says why there is none (loopback bind, no LAN address yet).
//
// The responder is @homebridge/ciao: it binds one socket per interface and answers each query only with the addresses
// of the interface it came in on (RFC 6762 §6.2), probes the name three times 250 ms apart and renames it "name (2)"
// on a conflict (§8), announces (§8.3) and says goodbye with TTL 0 on shutdown (§10.1).
import { type CiaoService, type Responder, getResponder } from '@homebridge/ciao'
import { hostname, type NetworkInterfaceInfo, networkInterfaces } from 'node:os'
import { DEVICE_PATH, PROTOCOL_VERSION } from '../../schema/index.ts'
import { type LanAddress, isLoopback, isWildcard, lanAddresses } from './addresses.ts'

export interface AdvertiseOptions {
  bind: string
  port: number
  version: string
  hostName?: string
  /** Told each later change of what is advertised, in the same words as `note`. */
  onNote?: (note: string) => void
  /** How often to look at the interfaces again (a PC often starts sysboy before its network is up). */
  pollMs?: number
  /** The machine's interfaces; `os.networkInterfaces` unless a test supplies its own. */
  interfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>
}

export interface Advertiser {
  /** What is advertised now, for the start-up lines. */
  readonly note: string
  /** Stops watching, and sends the goodbye (TTL 0) when something is advertised. */
  stop(): Promise<void>
}

const DEFAULT_POLL_MS = 5_000

/** One DNS label of letters, digits and hyphens, from whatever the OS calls the machine. */
export const instanceName = (hostName: string): string => {
  const cleaned = hostName.split('.')[0]?.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') ?? ''
  // A name of our own keeps clear of the OS's own `<hostname>.local`, which another responder may own.
  return `sysboy-${cleaned === '' ? 'pc' : cleaned.slice(0, 40)}`
}

interface Running {
  responder: Responder
  service: CiaoService
}

const advertisingNote = (service: CiaoService, lan: LanAddress[]): string =>
  `mDNS: advertising ${service.getFQDN().replace(/\.$/, '')} on ${lan.map((a) => a.address).join(', ')}`

export const advertise = async (options: AdvertiseOptions): Promise<Advertiser> => {
  if (isLoopback(options.bind)) {
    return { note: `mDNS: off (bound to ${options.bind}, which boards cannot reach)`, stop: async () => {} }
  }
  const interfaces = options.interfaces ?? networkInterfaces
  let running: Running | undefined
  let advertised = ''
  let note = ''
  let stopped = false

  const setNote = (next: string): void => {
    if (note !== '' && next !== note) options.onNote?.(next)
    note = next
  }

  const start = async (lan: LanAddress[]): Promise<Running> => {
    // Only the interfaces that hold a served address: a socket on an interface the server does not listen on
    // would hand boards an address that refuses them.
    const names = [...new Set(lan.map((a) => a.name))]
    // The server listens on IPv4 only, so no AAAA records.
    const responder = getResponder({ interface: names, disableIpv6: true })
    const service = responder.createService({
      name: instanceName(options.hostName ?? hostname()),
      type: 'sysboy',
      port: options.port,
      txt: { version: options.version, path: DEVICE_PATH, proto: String(PROTOCOL_VERSION) },
      restrictedAddresses: isWildcard(options.bind) ? undefined : [options.bind],
      disabledIpv6: true,
    })
    const started: Running = { responder, service }
    // A conflict found while probing is part of the first note; one found later (RFC 6762 §9) is told as it happens.
    service.on('name-change', () => {
      if (running === started) setNote(advertisingNote(service, lan))
    })
    await service.advertise()
    return started
  }

  // One refresh at a time: a poll that lands while the responder is still probing waits its turn.
  const refresh = async (): Promise<void> => {
    const lan = lanAddresses(options.bind, interfaces())
    const key = lan.map((a) => `${a.name}=${a.address}`).join(',')
    if (stopped || (key === advertised && note !== '')) return
    advertised = key
    // A changed address set is announced afresh: goodbye for the old records, then probe and announce the new ones.
    await running?.responder.shutdown()
    running = undefined
    if (lan.length === 0) {
      setNote(`mDNS: waiting for a LAN address${isWildcard(options.bind) ? '' : ` matching --bind ${options.bind}`}`)
      return
    }
    running = await start(lan)
    setNote(advertisingNote(running.service, lan))
  }

  let queue = refresh()
  await queue
  const timer = setInterval(() => {
    queue = queue.then(refresh)
  }, options.pollMs ?? DEFAULT_POLL_MS)
  timer.unref()

  return {
    get note(): string {
      return note
    },
    stop: async (): Promise<void> => {
      stopped = true
      clearInterval(timer)
      await queue
      await running?.responder.shutdown()
      running = undefined
    },
  }
}
