import { describe, expect, it } from 'bun:test'
import { decodeHostMessage } from '../../schema/index.ts'
import { metricFrame } from './metric-frame.ts'

const valid = (frame: unknown): void => {
  const decoded = decodeHostMessage(JSON.stringify(frame))
  if (!decoded.ok) throw new Error(decoded.reason)
}

describe('metricFrame', () => {
  it('makes the seed-shaped frame for a built-in metric', () => {
    const frame = metricFrame('vram', 'nvml', { known: true, figure: { percent: 60.5, used: 6.05e9, total: 1e10, gpu: '0' } }, 7, 1_700_000_000_000)
    expect(frame).toEqual({ type: 'vram', value: 60.5, used: 6_050_000_000, total: 10_000_000_000, gpu: '0', source: 'nvml', seq: 7, ts: 1_700_000_000_000 })
    valid(frame)
  })

  it('says unknown with a reason, never 0', () => {
    const frame = metricFrame('vram', 'nvml', { known: false, reason: 'no NVIDIA GPU found' }, 1, 5)
    expect(frame).toMatchObject({ value: null, reason: 'no NVIDIA GPU found' })
    valid(frame)
    expect(metricFrame('cpu', 'procfs', { known: true, figure: { percent: Number.NaN } }, 1, 5)).toMatchObject({ value: null })
  })

  it('names a user-defined metric in a metric frame', () => {
    const frame = metricFrame('queue_depth', 'prometheus', { known: true, figure: { percent: 12, raw: 340, unit: 'jobs' } }, 2, 5)
    expect(frame).toMatchObject({ type: 'metric', name: 'queue_depth', value: 12, raw: 340, unit: 'jobs' })
    valid(frame)
  })

  it('keeps every frame inside the schema: clamps percent, clips long text, drops bad counts', () => {
    const frame = metricFrame('gpu_temp', 's'.repeat(40), { known: true, figure: { percent: 130, used: -1, unit: 'u'.repeat(30), gpu: 'g'.repeat(80) } }, 2 ** 32 + 3, 5)
    expect(frame.value).toBe(100)
    expect(frame.used).toBeUndefined()
    valid(frame)
    valid(metricFrame('vram', 'nvml', { known: false, reason: 'r'.repeat(500) }, 1, 5))
  })
})
