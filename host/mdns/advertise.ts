// Keeps the mDNS advert in step with the machine's addresses: starts it when a LAN address appears, moves it
// when the addresses change, and says why there is none (loopback bind, no LAN address yet, socket error).
import { hostname, type NetworkInterfaceInfo, networkInterfaces } from 'node:os'
import { advertisedAddresses } from './addresses.ts'
import { makeAdvert } from './advert.ts'
import { type Responder, startResponder } from './responder.ts'

export interface AdvertiseOptions {
  bind: string
  port: number
  version: string
  hostName?: string
  onWarning?: (line: string) => void
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
  /** Stops watching, and sends the goodbye when something is advertised. */
  stop(): Promise<void>
}

const DEFAULT_POLL_MS = 5_000

/** Whether a bind address serves this PC only. */
export const isLoopback = (bind: string): boolean => /^127\.|^::1$|^localhost$/.test(bind)

export const advertise = async (options: AdvertiseOptions): Promise<Advertiser> => {
  if (isLoopback(options.bind)) {
    return { note: `mDNS: off (bound to ${options.bind}, which boards cannot reach)`, stop: async () => {} }
  }
  const interfaces = options.interfaces ?? networkInterfaces
  let responder: Responder | undefined
  let advertised = ''
  let note = ''
  let stopped = false

  // One refresh at a time: a poll that lands while the socket is still starting waits its turn.
  const refresh = async (): Promise<void> => {
    const addresses = advertisedAddresses(options.bind, interfaces()).sort()
    const key = addresses.join(',')
    if (stopped || (key === advertised && note !== '')) return
    advertised = key
    await responder?.stop()
    responder = undefined
    let next: string
    if (addresses.length === 0) {
      next = `mDNS: waiting for a LAN address${options.bind === '0.0.0.0' ? '' : ` matching --bind ${options.bind}`}`
    } else {
      const advert = makeAdvert({ hostName: options.hostName ?? hostname(), port: options.port, version: options.version, addresses })
      try {
        responder = await startResponder({ advert, onWarning: options.onWarning })
        next = `mDNS: advertising ${advert.instance} on ${addresses.join(', ')}`
      } catch (error) {
        next = `mDNS: off (cannot use UDP port 5353: ${(error as Error).message}); boards need the host's address`
      }
    }
    if (note !== '' && next !== note) options.onNote?.(next)
    note = next
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
      await responder?.stop()
      responder = undefined
    },
  }
}
