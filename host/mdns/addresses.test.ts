import { describe, expect, it } from 'bun:test'
import type { NetworkInterfaceInfo } from 'node:os'
import { advertisedAddresses } from './addresses.ts'

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({
  address, family: 'IPv4', internal, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: `${address}/24`,
})
const interfaces = {
  lo: [v4('127.0.0.1', true)],
  eth0: [v4('10.77.0.1'), { ...v4('fe80::1'), family: 'IPv6' as const, scopeid: 2 }],
  wlan0: [v4('192.168.5.9'), v4('169.254.3.3')],
}

describe('advertisedAddresses', () => {
  it('advertises every LAN IPv4 address for 0.0.0.0', () => {
    expect(advertisedAddresses('0.0.0.0', interfaces)).toEqual(['10.77.0.1', '192.168.5.9'])
  })
  it('advertises only the bound address', () => {
    expect(advertisedAddresses('192.168.5.9', interfaces)).toEqual(['192.168.5.9'])
  })
  it('advertises nothing for loopback or an address no interface has', () => {
    expect(advertisedAddresses('127.0.0.1', interfaces)).toEqual([])
    expect(advertisedAddresses('10.99.0.1', interfaces)).toEqual([])
  })
})
