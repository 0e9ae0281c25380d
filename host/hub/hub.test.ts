// The hub's newest frames as /api/metrics and the dashboard read them: live while fresh, "stale" once past the bound.
import { describe, expect, it } from 'bun:test'
import { Hub } from './hub.ts'

describe('Hub', () => {
  it('serves a frame older than three sampling intervals as value null, reason stale', () => {
    const hub = new Hub('vram', 200)
    hub.publish({ type: 'ram', value: 41.5, source: 'procfs', seq: 9, ts: 10_000 }, 10_000)
    expect(hub.latest('ram', 10_600)).toMatchObject({ value: 41.5, seq: 9 })
    expect(hub.latestAll(10_601).ram).toMatchObject({ type: 'ram', value: null, seq: 9, ts: 10_000 })
    expect(hub.latest('ram', 25_300)).toMatchObject({ value: null, reason: 'stale: the newest reading is 15.3 s old, over the 0.6 s bound' })
  })

  it('takes the bound from the interval the metric was sampled at when the frame came', () => {
    const hub = new Hub('vram', 10_000)
    hub.publish({ type: 'ram', value: 41.5, seq: 1, ts: 0 }, 0)
    expect(hub.latest('ram', 29_000)?.value).toBe(41.5)
    expect(hub.latest('ram', 30_001)?.value).toBeNull()
  })
})
