import { describe, expect, it } from 'bun:test'
import type { NetworkInterfaceInfo } from 'node:os'
import { isLoopback, lanAddresses } from './addresses.ts'

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({
  address, family: 'IPv4', internal, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: `${address}/24`,
})
const interfaces = {
  lo: [v4('127.0.0.1', true)],
  wlan0: [v4('192.168.5.9'), v4('169.254.3.3')],
  eth0: [v4('10.77.0.1'), { ...v4('fe80::1'), family: 'IPv6' as const, scopeid: 2 }],
  docker0: [v4('172.31.0.1')],
}

describe('lanAddresses', () => {
  it('names every LAN IPv4 address with its interface for 0.0.0.0, leaving out loopback, link-local and IPv6', () => {
    expect(lanAddresses('0.0.0.0', interfaces)).toEqual([
      { name: 'docker0', address: '172.31.0.1' },
      { name: 'eth0', address: '10.77.0.1' },
      { name: 'wlan0', address: '192.168.5.9' },
    ])
  })
  it('names only the bound address', () => {
    expect(lanAddresses('192.168.5.9', interfaces)).toEqual([{ name: 'wlan0', address: '192.168.5.9' }])
  })
  it('names nothing for loopback or an address no interface has', () => {
    expect(lanAddresses('127.0.0.1', interfaces)).toEqual([])
    expect(lanAddresses('10.99.0.1', interfaces)).toEqual([])
  })
})

describe('isLoopback', () => {
  it('knows the addresses that serve this PC only', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1'].map(isLoopback)).toEqual([true, true, true])
    expect(['0.0.0.0', '10.55.0.1', '::'].map(isLoopback)).toEqual([false, false, false])
  })
})
