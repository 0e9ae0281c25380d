// The thin socket side of mDNS: joins 224.0.0.251:5353, announces the advert, answers queries, says goodbye.
import dgram from 'node:dgram'
import { type Advert, MDNS_PORT, answer, announcement, goodbye } from './advert.ts'
import { type DnsMessage, decodeMessage, encodeMessage } from './dns-message.ts'

export const MDNS_GROUP = '224.0.0.251'

export interface ResponderOptions {
  advert: Advert
  /** Told about send failures; the responder keeps going. */
  onWarning?: (line: string) => void
}

export interface Responder {
  readonly advert: Advert
  /** Sends the goodbye (TTL 0) and closes the socket. */
  stop(): Promise<void>
}

export const startResponder = async (options: ResponderOptions): Promise<Responder> => {
  const { advert } = options
  const warn = options.onWarning ?? ((): void => {})
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind({ port: MDNS_PORT, address: '0.0.0.0' }, () => {
      socket.off('error', reject)
      resolve()
    })
  })
  socket.on('error', (error) => warn(`mDNS: ${error.message}`))
  for (const address of advert.addresses) socket.addMembership(MDNS_GROUP, address)
  socket.setMulticastTTL(255)
  socket.setMulticastLoopback(true)

  const send = (bytes: Uint8Array, address: string, port: number): Promise<void> =>
    new Promise((resolve) => {
      socket.send(bytes, port, address, (error) => {
        if (error) warn(`mDNS: cannot send to ${address}: ${error.message}`)
        resolve()
      })
    })

  // Each interface gets its own copy, so boards on every advertised network hear it.
  const multicast = async (message: DnsMessage): Promise<void> => {
    const bytes = encodeMessage(message)
    for (const address of advert.addresses) {
      socket.setMulticastInterface(address)
      await send(bytes, MDNS_GROUP, MDNS_PORT)
    }
  }

  socket.on('message', (packet, from) => {
    let query: DnsMessage
    try {
      query = decodeMessage(packet)
    } catch {
      return // Not ours to fix: a malformed packet on the LAN is dropped.
    }
    const reply = answer(advert, query, from.port)
    if (reply === undefined) return
    if (reply.unicast) void send(encodeMessage(reply.message), from.address, from.port)
    else void multicast(reply.message)
  })

  await multicast(announcement(advert))
  // RFC 6762 §8.3: announce at least twice, a second apart.
  const again = setTimeout(() => void multicast(announcement(advert)), 1000)
  again.unref()

  return {
    advert,
    stop: async (): Promise<void> => {
      clearTimeout(again)
      await multicast(goodbye(advert))
      await new Promise<void>((resolve) => socket.close(() => resolve()))
    },
  }
}
