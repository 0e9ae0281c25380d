// The built host never passes an old frame for a live one (to a device, /api/metrics or doctor), and the first frame
// after a switch to a rate metric is a real reading over a real window.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { HostMessage, MetricFrame } from '../schema/index.ts'
import { RunningSysboy, cleanEnv, runSysboy } from './cli-harness.ts'
import { DeviceClient } from './device-client.ts'

const TOKEN = 'fresh-frames-token-0123456'
/** The host's interval: a metric's frames turn stale after three of them (600 ms). */
const INTERVAL_MS = 200
const STALE_AFTER_MS = 3 * INTERVAL_MS
/** The host's wait before a rate source's first delta (BASELINE_MS in host/sources/procfs.ts). */
const BASELINE_MS = 150

let host: RunningSysboy
let port: number

beforeAll(async () => {
  host = RunningSysboy.onLoopback('vram', TOKEN, ['--interval', String(INTERVAL_MS)])
  port = await host.port()
})

afterAll(async () => {
  await host.stop()
})

const connect = (device: string): Promise<DeviceClient> => DeviceClient.paired(`ws://127.0.0.1:${port}/ws`, { device, token: TOKEN })

const frameOf =
  (metric: string) =>
  (m: HostMessage): m is MetricFrame =>
    m.type === metric

/** Switches the device's meter to `metric`; gives the index of the first message after the ack, and when it came. */
const select = async (device: DeviceClient, metric: string, id: number): Promise<{ from: number; at: number }> => {
  const sent = device.received.length
  device.send(JSON.stringify({ type: 'select_metric', id, output: 'meter', metric }))
  const ack = await device.next((m) => m.type === 'ack' && m.id === id, 5_000, sent)
  expect(ack).toMatchObject({ ok: true, metric })
  return { from: device.received.indexOf(ack) + 1, at: Date.now() }
}

const apiMetrics = async (): Promise<Record<string, MetricFrame>> => {
  const response = await fetch(`http://127.0.0.1:${port}/api/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })
  expect(response.status).toBe(200)
  return (await response.json()) as Record<string, MetricFrame>
}

describe('the built host and old frames', () => {
  it('serves a metric nobody samples any more as stale, and a device that picks it up again gets a fresh reading', async () => {
    const first = await connect('first-ram')
    const { from } = await select(first, 'ram', 1)
    const old = await first.next(frameOf('ram'), 5_000, from)
    expect(old.value).toBeNumber()
    first.close()
    await first.closed

    // Nobody shows ram now, so the sampler stops on it; /api/metrics must stop calling its last reading live.
    const deadline = Date.now() + 5_000
    let served = (await apiMetrics()).ram
    while (served?.value !== null && Date.now() < deadline) {
      await Bun.sleep(50)
      served = (await apiMetrics()).ram
    }
    const noticedAfter = Date.now() - (old.ts ?? 0)
    expect(served).toMatchObject({ type: 'ram', value: null, seq: old.seq, ts: old.ts })
    expect(served?.reason).toStartWith('stale: the newest reading is ')
    // Stale at three intervals, seen here within the polling and the socket's close.
    expect(noticedAfter).toBeGreaterThan(STALE_AFTER_MS)
    expect(noticedAfter).toBeLessThan(STALE_AFTER_MS + 1_000)

    const second = await connect('second-ram')
    const picked = await select(second, 'ram', 2)
    const fresh = await second.next(frameOf('ram'), 5_000, picked.from)
    expect(fresh.seq).not.toBe(old.seq)
    expect(fresh.value).toBeNumber()
    // Read after the switch (the host's clock is this machine's), never the old frame again.
    expect(fresh.ts ?? 0).toBeGreaterThanOrEqual(picked.at - 100)
    expect(second.received.filter((m) => m.type === 'ram' && m.seq === old.seq)).toEqual([])
    expect((await apiMetrics()).ram).toMatchObject({ type: 'ram', seq: fresh.seq })
    second.close()
  }, 20_000)
})

describe('the built host and rate metrics', () => {
  // The source opens after the switch; its first frame comes once its baseline is BASELINE_MS old, within one interval
  // (a frame read at once covers microseconds: "no CPU time passed", or a rate over a handful of bytes).
  for (const [metric, unit] of [['cpu', '%'], ['net_rx', 'B/s']] as const) {
    it(`sends a real ${metric} figure over the baseline window in the first frame after a switch to ${metric}`, async () => {
      const device = await connect(`${metric}-switcher`)
      const picked = await select(device, metric, 3)
      const first = await device.next(frameOf(metric), 5_000, picked.from)
      expect(first).toMatchObject({ type: metric, source: 'procfs', unit })
      expect(first.value).toBeNumber()
      const readAfter = (first.ts ?? 0) - picked.at
      expect(readAfter).toBeGreaterThanOrEqual(BASELINE_MS - 50)
      expect(readAfter).toBeLessThan(INTERVAL_MS)
      device.close()
    }, 20_000)
  }

  it('has doctor read the rate sources over the baseline window', async () => {
    const { code, stdout } = await runSysboy(['doctor'], cleanEnv())
    expect(code).toBe(0)
    for (const metric of ['cpu', 'net_rx', 'net_tx']) {
      const line = stdout.split('\n').find((l) => new RegExp(`^${metric} +procfs `).test(l))
      const window = line?.match(/ yes +\S+ reads [\d.]+ % \((?:\d+ B\/s )?over (\d+) ms\)$/)
      if (window == null) throw new Error(`doctor's ${metric} line gives no window: ${line}`)
      expect(Number(window[1])).toBeGreaterThanOrEqual(BASELINE_MS)
      expect(Number(window[1])).toBeLessThan(BASELINE_MS + 200)
    }
  }, 30_000)
})
