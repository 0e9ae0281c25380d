// Which IPv4 addresses the advert names, given the bind address and the machine's interfaces.
import type { NetworkInterfaceInfo } from 'node:os'

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>

/** Loopback and link-local IPv4 addresses are useless to a board on the LAN. */
const reachable = (info: NetworkInterfaceInfo): boolean =>
  info.family === 'IPv4' && !info.internal && !info.address.startsWith('169.254.')

/**
 * `0.0.0.0` advertises every LAN address; a specific address advertises itself when an interface has it.
 * An empty list means there is nothing a board could reach (a loopback bind, say).
 */
export const advertisedAddresses = (bind: string, interfaces: Interfaces): string[] => {
  const all = Object.values(interfaces).flatMap((list) => (list ?? []).filter(reachable).map((i) => i.address))
  if (bind === '0.0.0.0' || bind === '::') return [...new Set(all)]
  return all.includes(bind) ? [bind] : []
}
