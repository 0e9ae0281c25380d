// The staleness rule: bounds from the sampling interval, and the frame served in place of a stale one.
import { describe, expect, it } from 'bun:test'
import type { MetricFrame } from '../../schema/index.ts'
import { decodeHostMessage } from '../../schema/index.ts'
import { isStale, staleAfterMs, staleFrame } from './staleness.ts'

describe('staleness', () => {
  it('allows three sampling intervals, within the schema bounds of stale_after_ms', () => {
    expect(staleAfterMs(1_000)).toBe(3_000)
    expect(staleAfterMs(200)).toBe(600)
    expect(staleAfterMs(50)).toBe(500)
    expect(staleAfterMs(60_000)).toBe(180_000)
  })

  it('calls a frame stale only once it is older than the bound', () => {
    expect(isStale(600, 600)).toBe(false)
    expect(isStale(601, 600)).toBe(true)
  })

  it('serves a stale frame as value null with a "stale" reason, the old seq and ts kept and the figures dropped', () => {
    const old: MetricFrame = { type: 'ram', value: 41.5, used: 6, total: 16, raw: 6, unit: 'B', source: 'procfs', seq: 7, ts: 1_000 }
    const served = staleFrame(old, 15_300, 600)
    expect(served).toEqual({
      type: 'ram',
      value: null,
      reason: 'stale: the newest reading is 15.3 s old, over the 0.6 s bound',
      source: 'procfs',
      seq: 7,
      ts: 1_000,
    })
    expect(decodeHostMessage(JSON.stringify(served)).ok).toBe(true)
    const named = staleFrame({ type: 'metric', name: 'queue_depth', value: 3, seq: 1, ts: 5 }, 700, 600)
    expect(named).toMatchObject({ type: 'metric', name: 'queue_depth', value: null })
    expect(decodeHostMessage(JSON.stringify(named)).ok).toBe(true)
  })
})
