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

  it('headlines used of total, with the percent used second, and the source', () => {
    const frame = { type: 'vram', value: 37.5, used: 6 * GIB, total: 16 * GIB, raw: 6 * GIB, unit: 'B', source: 'nvml', seq: 1 } as MetricFrame
    expect(readingOf(frame)).toEqual({ metric: 'vram', percent: 37.5, headline: '6.0 GiB of 16.0 GiB', scale: '37.5 % used', source: 'nvml', reason: '' })
  })

  it('says unknown with the reason, never 0', () => {
    const frame = { type: 'metric', name: 'cluster_vram', value: null, reason: 'stale: no sample for 3.2 s' } as MetricFrame
    const reading = readingOf(frame)
    expect(reading.metric).toBe('cluster_vram')
    expect(reading.headline).toBe('unknown')
    expect(reading.scale).toBe('')
    expect(reading.reason).toBe('stale: no sample for 3.2 s')
  })

  it('headlines a temperature and a rate in their units, with the percent of scale second', () => {
    const temp = readingOf({ type: 'gpu_temp', value: 64, raw: 64, unit: '°C', source: 'nvml' } as MetricFrame)
    expect([temp.headline, temp.scale]).toEqual(['64 °C', '64.0 % of scale'])
    const rate = readingOf({ type: 'net_rx', value: 10, raw: 12_500_000, unit: 'B/s', source: 'procfs' } as MetricFrame)
    expect([rate.headline, rate.scale]).toEqual(['12.5 MB/s', '10.0 % of scale'])
    const named = readingOf({ type: 'metric', name: 'queue', value: 30, raw: 3, unit: 'jobs', source: 'prometheus' } as MetricFrame)
    expect([named.headline, named.scale]).toEqual(['3 jobs', '30.0 % of scale'])
  })

  it('headlines a utilisation in percent, its own unit, with nothing second', () => {
    const cpu = readingOf({ type: 'cpu', value: 12.25, raw: 12.25, unit: '%', source: 'procfs' } as MetricFrame)
    expect([cpu.headline, cpu.scale]).toEqual(['12.3 %', ''])
    const bare = readingOf({ type: 'metric', name: 'load', value: 40, source: 'prometheus' } as MetricFrame)
    expect([bare.headline, bare.scale]).toEqual(['40.0 %', ''])
  })
})
