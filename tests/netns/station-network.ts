// The home network on the kernel side of the TAP: dnsmasq serving DHCPv4 leases, inside the test's namespace.
import type { Subprocess } from 'bun'
import type { Namespace } from './namespace.ts'

/** Starts dnsmasq (DHCP only, no DNS) on the namespace's TAP, leasing `first`..`last` of the /24. */
export const startDhcp = (namespace: Namespace, first: string, last: string): Subprocess => {
  const leases = `/tmp/${namespace.name}.leases`
  return namespace.spawn([
    'dnsmasq',
    '--no-daemon',
    '--conf-file=/dev/null',
    '--port=0',
    `--interface=${namespace.tap}`,
    '--bind-interfaces',
    `--dhcp-range=${first},${last},255.255.255.0,1h`,
    `--dhcp-leasefile=${leases}`,
    `--pid-file=/tmp/${namespace.name}.pid`,
  ])
}
