import { describe, expect, it } from 'bun:test'
import { serviceFlags } from './install-service.ts'

describe('serviceFlags', () => {
  it('carries the given flags but never the token, --print or a relative path', () => {
    const flags = { metric: 'cpu', port: '9000', token: 'secret-token-123', print: true, 'nvml-lib': 'lib/nvml.so', 'no-mdns': true } as const
    expect(serviceFlags(flags, 'conf/my.json', '/home/u/work')).toEqual([
      '--metric', 'cpu', '--port', '9000', '--nvml-lib', '/home/u/work/lib/nvml.so', '--no-mdns', '--config', '/home/u/work/conf/my.json',
    ])
  })

  it('names no config file when there is none to name', () => {
    expect(serviceFlags({ metric: 'ram' }, undefined, '/x')).toEqual(['--metric', 'ram'])
  })
})
