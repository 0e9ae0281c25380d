// Starts the mDNS advert for a running host, or says why there is none (loopback bind, no LAN address, socket error).
import { hostname, networkInterfaces } from 'node:os'
import { advertisedAddresses } from './addresses.ts'
import { makeAdvert } from './advert.ts'
import { type Responder, startResponder } from './responder.ts'

export interface AdvertiseOptions {
  bind: string
  port: number
  version: string
  hostName?: string
  onWarning?: (line: string) => void
}

export type Advertising = { responder: Responder; note: string } | { responder: undefined; note: string }

export const advertise = async (options: AdvertiseOptions): Promise<Advertising> => {
  const addresses = advertisedAddresses(options.bind, networkInterfaces())
  if (addresses.length === 0) {
    const why = /^127\.|^::1$/.test(options.bind) ? `bound to ${options.bind}, which boards cannot reach` : `no LAN address matches --bind ${options.bind}`
    return { responder: undefined, note: `mDNS: off (${why})` }
  }
  const advert = makeAdvert({ hostName: options.hostName ?? hostname(), port: options.port, version: options.version, addresses })
  try {
    const responder = await startResponder({ advert, onWarning: options.onWarning })
    return { responder, note: `mDNS: advertising ${advert.instance} on ${addresses.join(', ')}` }
  } catch (error) {
    return { responder: undefined, note: `mDNS: off (cannot use UDP port 5353: ${(error as Error).message}); boards need the host's address` }
  }
}
