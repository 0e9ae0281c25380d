// The hub's newest frames as /api/metrics and the dashboard read them: live while fresh, "stale" once past the bound.
import { describe, expect, it } from 'bun:test'
import type { Hello, SessionConfig } from '../../schema/index.ts'
import { DeviceSession } from './device-session.ts'
import { HostFigures } from './host-figures.ts'
import { Hub } from './hub.ts'

/** A session showing `metric` every `intervalMs` over a socket that takes everything. */
const device = (id: string, metric: string, intervalMs: number): DeviceSession => {
  const hello: Hello = { type: 'hello', protocol: 1, device: id, firmware: '1', chip: 'sim', outputs: [{ id: 'meter', kind: 'pwm', bits: 10 }], buttons: [] }
  const config: SessionConfig = { bindings: [{ output: 'meter', metric }], interval_ms: intervalMs, stale_after_ms: 5_000 }
  const link = { send: (text: string) => text.length, sendBinary: (bytes: Uint8Array) => bytes.length, bufferedAmount: () => 0, close: () => {} }
  return new DeviceSession(hello, 'loopback', config, link, new HostFigures(), 0)
}

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

  it('samples each metric at the shortest interval of its devices, as they come, change settings and go', () => {
    const hub = new Hub('vram', 1_000)
    const slow = device('slow', 'ram', 500)
    const fast = device('fast', 'ram', 100)
    expect(hub.intervalFor('ram')).toBe(1_000)
    hub.add(slow, 0)
    expect(hub.intervalFor('ram')).toBe(500)
    hub.add(fast, 0)
    expect(hub.intervalFor('ram')).toBe(100)
    hub.reconfigure(fast, { ...fast.config, interval_ms: 250 }, 0)
    expect(hub.intervalFor('ram')).toBe(250)
    hub.reconfigure(fast, { ...fast.config, bindings: [{ output: 'meter', metric: 'cpu' }] }, 0)
    expect([hub.intervalFor('ram'), hub.intervalFor('cpu')]).toEqual([500, 250])
    hub.remove(slow)
    expect(hub.intervalFor('ram')).toBe(1_000)
    // A device that reconnects under the same id replaces its old session, and the old one's interval goes with it.
    hub.add(device('fast', 'ram', 300), 0)
    expect([hub.intervalFor('ram'), hub.intervalFor('cpu')]).toEqual([300, 1_000])
  })
})
