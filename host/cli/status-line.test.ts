import { describe, expect, it } from 'bun:test'
import { statusLine } from './status-line.ts'

describe('statusLine', () => {
  it('shows the value, the source and the devices', () => {
    expect(statusLine('vram', { type: 'vram', value: 60.5, source: 'nvml' }, 1)).toBe('vram: 60.5 % from nvml · 1 device connected')
  })
  it('says unknown with the reason, never 0', () => {
    expect(statusLine('vram', { type: 'vram', value: null, reason: 'no GPU found' }, 0)).toBe('vram: unknown (no GPU found) · 0 devices connected')
  })
  it('says it is waiting before the first sample', () => {
    expect(statusLine('cpu', undefined, 2)).toBe('cpu: waiting for the first sample · 2 devices connected')
  })
})
