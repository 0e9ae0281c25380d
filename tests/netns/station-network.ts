// The home network on the kernel side of the TAP: dnsmasq serving DHCPv4 leases, inside the test's namespace.
import type { Subprocess } from 'bun'
import type { Namespace } from './namespace.ts'

/** Where dnsmasq keeps the namespace's leases: one line each, `expiry-epoch-seconds mac ip name client-id`. */
export const leaseFile = (namespace: Namespace): string => `/tmp/${namespace.name}.leases`

/**
 * Starts dnsmasq (DHCP only, no DNS) on the namespace's TAP, leasing `first`..`last` of the /24 for `leaseSeconds`
 * (an hour by default; dnsmasq raises anything under 120 s to 120 s).
 */
export const startDhcp = (namespace: Namespace, first: string, last: string, leaseSeconds = 3600): Subprocess => {
  const leases = leaseFile(namespace)
  return namespace.spawn([
    'dnsmasq',
    '--no-daemon',
    '--conf-file=/dev/null',
    '--port=0',
    `--interface=${namespace.tap}`,
    '--bind-interfaces',
    `--dhcp-range=${first},${last},255.255.255.0,${leaseSeconds}`,
    `--dhcp-leasefile=${leases}`,
    `--pid-file=/tmp/${namespace.name}.pid`,
  ])
}
