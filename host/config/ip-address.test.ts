import { describe, expect, it } from 'bun:test'
import { isIP } from 'node:net'
import { isIpAddress } from './ip-address.ts'

const SAMPLES = [
  '127.0.0.1', '0.0.0.0', '255.255.255.255', '256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.04', ' 1.2.3.4', '1.2.3.4 ',
  '0x7f.0.0.1', '1', '', 'localhost', '::', '::1', '1::', ':::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::',
  '::1:2:3:4:5:6:7', '1::2::3', 'fe80::1%eth0', 'fe80::1%', 'fe80::1%eth/0', '::ffff:127.0.0.1', '::ffff:127.0.0.01',
  '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', '::1.2.3.4', '1.2.3.4::', 'ABCD:ef01::', 'abcde::', 'g::1', '[::1]',
  '1:2:3:4:5:6:7:8%zone', '12345::', ':1', '1:', '::1.2.3', '::256.1.1.1', 'fe80::1%en0.1:2-3',
]

/** Addresses built from random groups, a random `::`, sometimes an IPv4 tail, then sometimes broken on purpose. */
const generated = (count: number): string[] => {
  const out: string[] = []
  const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T
  const group = (): string => Math.floor(Math.random() * 0x10000).toString(16).slice(0, 1 + Math.floor(Math.random() * 4))
  const octet = (): string => pick(['0', '1', '25', '199', '255', '256', '01', String(Math.floor(Math.random() * 300))])
  for (let i = 0; i < count; i++) {
    const groups = Array.from({ length: Math.floor(Math.random() * 9) }, group)
    if (Math.random() < 0.5) groups.push(`${octet()}.${octet()}.${octet()}.${octet()}`)
    let text = groups.join(':')
    if (Math.random() < 0.6) {
      const at = Math.floor(Math.random() * (groups.length + 1))
      text = `${groups.slice(0, at).join(':')}::${groups.slice(at).join(':')}`
    }
    if (Math.random() < 0.2) text += pick(['%eth0', '%', '%a.b', ':', '.', 'x'])
    if (Math.random() < 0.1) text = pick([':', '.', '0']) + text
    out.push(text)
  }
  return out
}

describe('isIpAddress', () => {
  it('answers as node:net isIP does, for written and generated addresses', () => {
    for (const text of [...SAMPLES, ...generated(20_000)]) expect([text, isIpAddress(text)]).toEqual([text, isIP(text) !== 0])
  })

  it('takes IPv4, IPv6 and IPv6 with a zone, and nothing else', () => {
    expect(['127.0.0.1', '::1', 'fe80::1%eth0', '::ffff:10.0.0.1'].every(isIpAddress)).toBe(true)
    expect(['localhost', '127.0.0.1:80', '[::1]', '1.2.3'].some(isIpAddress)).toBe(false)
  })
})
