import { describe, expect, it } from 'bun:test'
import type { MetricFrame } from '../../schema/index.ts'
import { amountOf, byteRate, bytes, readingOf } from './units.ts'

const GIB = 1024 ** 3

describe('figures in human units', () => {
  it('writes memory in binary units and rates in decimal ones', () => {
    expect(bytes(6 * GIB)).toBe('6.0 GiB')
    expect(bytes(512 * 1024 ** 2)).toBe('512 MiB')
    expect(bytes(900)).toBe('900 B')
    expect(byteRate(1_234_567)).toBe('1.2 MB/s')
    expect(byteRate(950)).toBe('950 B/s')
    expect(amountOf(54.6, '°C')).toBe('55 °C')
    expect(amountOf(3, 'MiB')).toBe('3 MiB')
  })

  it('shows used of total, the source, and the percent', () => {
    const frame = { type: 'vram', value: 37.5, used: 6 * GIB, total: 16 * GIB, raw: 6 * GIB, unit: 'B', source: 'nvml', seq: 1 } as MetricFrame
    expect(readingOf(frame)).toEqual({ metric: 'vram', percent: 37.5, percentText: '37.5 %', amount: '6.0 GiB of 16.0 GiB', source: 'nvml', reason: '' })
  })

  it('says unknown with the reason, never 0', () => {
    const frame = { type: 'metric', name: 'cluster_vram', value: null, reason: 'stale: no sample for 3.2 s' } as MetricFrame
    const reading = readingOf(frame)
    expect(reading.metric).toBe('cluster_vram')
    expect(reading.percentText).toBe('unknown')
    expect(reading.amount).toBe('')
    expect(reading.reason).toBe('stale: no sample for 3.2 s')
  })

  it('gives a temperature and a rate their units', () => {
    expect(readingOf({ type: 'gpu_temp', value: 55, raw: 55, unit: '°C', source: 'nvml' } as MetricFrame).amount).toBe('55 °C')
    expect(readingOf({ type: 'net_rx', value: 10, raw: 12_500_000, unit: 'B/s', source: 'procfs' } as MetricFrame).amount).toBe('12.5 MB/s')
    expect(readingOf({ type: 'cpu', value: 12.25, raw: 12.25, unit: '%', source: 'procfs' } as MetricFrame).amount).toBe('')
  })
})
