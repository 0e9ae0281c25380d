// Which of the machine's IPv4 addresses boards can reach, given the bind address: the start-up lines and the mDNS
// advert both name these, each with the interface that holds it.
import type { NetworkInterfaceInfo } from 'node:os'

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>

/** One address a board on that interface's network can use. */
export interface LanAddress {
  /** The interface's name (`eth0`, `br0`); mDNS is restricted to these interfaces. */
  name: string
  address: string
}

/** Loopback and link-local IPv4 addresses are useless to a board on the LAN. */
const reachable = (info: NetworkInterfaceInfo): boolean =>
  info.family === 'IPv4' && !info.internal && !info.address.startsWith('169.254.')

/** Whether a bind address serves this PC only; a bind is always an IP address (flags, env and file check it). */
export const isLoopback = (bind: string): boolean => /^127\.|^::1$/.test(bind)

/** Whether a bind address listens on every interface. */
export const isWildcard = (bind: string): boolean => bind === '0.0.0.0' || bind === '::'

/**
 * `0.0.0.0` serves every LAN address; a specific address serves itself when an interface has it. An empty list means
 * there is nothing a board could reach (a loopback bind, or no network yet). Sorted by interface, then address.
 */
export const lanAddresses = (bind: string, interfaces: Interfaces): LanAddress[] => {
  const all = Object.entries(interfaces).flatMap(([name, list]) =>
    (list ?? []).filter(reachable).map((info) => ({ name, address: info.address })),
  )
  const served = isWildcard(bind) ? all : all.filter((a) => a.address === bind)
  return served.sort((a, b) => a.name.localeCompare(b.name) || a.address.localeCompare(b.address))
}
