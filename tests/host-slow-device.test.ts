// Flow control through the built host at 10 Hz: a device stopped with SIGSTOP reads at most the window's worth of
// stale frames when it runs again, the other devices' delivery does not slow, and firmware that never acknowledges
// is still served.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import type { HostMessage } from '../schema/index.ts'
import { METRIC_WINDOW } from '../host/hub/device-session.ts'
import type { DeviceInfo } from '../host/hub/device-session.ts'
import { RunningSysboy } from './cli-harness.ts'
import { DeviceClient } from './device-client.ts'

const TOKEN = 'slow-device-token-0123456789'
const INTERVAL_MS = 100
const python = join(import.meta.dir, '..', '.cache/venv/bin/python')

let host: RunningSysboy
let port: number

beforeAll(async () => {
  // `ram` reads /proc/meminfo: a real source that answers at 10 Hz on any Linux machine.
  host = RunningSysboy.onLoopback('ram', TOKEN, ['--interval', String(INTERVAL_MS)])
  port = await host.port()
})

afterAll(async () => {
  await host.stop()
})

interface Read {
  seq: number
  ts: number
  /** When the Python device read the frame, ms since the epoch. */
  at: number
}

/** A Python `websockets` device (tests/ws-python/device.py) printing each metric frame it reads. */
class PythonDevice {
  readonly reads: Read[] = []
  readonly proc: ReturnType<typeof Bun.spawn>
  paired: Promise<void>

  constructor(mode: 'acking' | 'legacy', device: string) {
    const proc = Bun.spawn([python, join(import.meta.dir, 'ws-python/device.py'), `ws://127.0.0.1:${port}/ws`, TOKEN, mode, device], {
      stdout: 'pipe',
      stderr: 'inherit',
    })
    this.proc = proc
    let pairedNow = (): void => {}
    this.paired = new Promise((resolve) => (pairedNow = resolve))
    void (async () => {
      let rest = ''
      for await (const chunk of proc.stdout) {
        rest += new TextDecoder().decode(chunk)
        const lines = rest.split('\n')
        rest = lines.pop() ?? ''
        for (const line of lines) {
          const parsed = JSON.parse(line) as Partial<Read> & { paired?: boolean }
          if (parsed.paired === true) pairedNow()
          else this.reads.push(parsed as Read)
        }
      }
    })()
  }

  stop(): void {
    this.proc.kill('SIGCONT')
    this.proc.kill()
  }
}

/** Devices over Bun's client whose frame latencies (read time less the frame's `ts`) the test records. */
const timedDevice = async (device: string, acking: boolean, latencies: number[]): Promise<DeviceClient> => {
  const client = new DeviceClient(`ws://127.0.0.1:${port}/ws`)
  await client.opened
  client.send(JSON.stringify({ type: 'hello', protocol: 1, device, firmware: 't', chip: 'sim', outputs: [{ id: 'meter', kind: 'pwm', bits: 10 }], buttons: [], token: TOKEN, ...(acking ? { flow_control: true } : {}) }))
  client.socket.addEventListener('message', (event) => {
    const frame = JSON.parse(String(event.data)) as HostMessage
    if (!('value' in frame) || frame.ts === undefined || frame.seq === undefined) return
    latencies.push(Date.now() - frame.ts)
    if (acking) client.send(JSON.stringify({ type: 'applied', seq: frame.seq }))
  })
  await client.next((m) => m.type === 'welcome')
  return client
}

const p99 = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? Number.NaN
}

const devices = async (): Promise<DeviceInfo[]> =>
  (await (await fetch(`http://127.0.0.1:${port}/api/devices`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as DeviceInfo[]

const waitUntil = async (done: () => boolean, timeoutMs: number, what: string): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await Bun.sleep(20)
  }
}

describe('a device stopped for 30 s at 10 Hz', () => {
  it('reads at most the window of stale frames after SIGCONT, and the other devices p99 does not move', async () => {
    const stopped = new PythonDevice('acking', 'stopped-device')
    const latencies: number[] = []
    const others = [await timedDevice('other-acking', true, latencies), await timedDevice('other-legacy', false, latencies)]
    try {
      await stopped.paired
      await Bun.sleep(10_000)
      const before = latencies.splice(0)
      expect(stopped.reads.length).toBeGreaterThan(80)

      stopped.proc.kill('SIGSTOP')
      const stoppedAt = Date.now()
      await Bun.sleep(30_000)
      const during = latencies.splice(0)
      const stoppedInfo = (await devices()).find((d) => d.id === 'stopped-device')
      const readBeforeResume = stopped.reads.length
      stopped.proc.kill('SIGCONT')
      const resumedAt = Date.now()

      // It catches up: a frame published after the resume arrives within a few intervals.
      await waitUntil(() => stopped.reads.some((r) => r.ts >= resumedAt), 3_000, 'a fresh frame after SIGCONT')
      const afterResume = stopped.reads.slice(readBeforeResume)
      const stale = afterResume.filter((r) => r.at - r.ts > 1_000)
      const stoppedFor = resumedAt - stoppedAt
      console.log(
        `stopped ${stoppedFor} ms; after SIGCONT read ${afterResume.length} frames, ${stale.length} older than 1 s ` +
          `(oldest ${Math.max(0, ...stale.map((r) => r.at - r.ts))} ms); host had ${stoppedInfo?.framesUnacknowledged} unacknowledged, ` +
          `${stoppedInfo?.framesDropped} skipped; others: ${before.length} frames p99 ${p99(before)} ms before, ` +
          `${during.length} frames p99 ${p99(during)} ms during`,
      )
      expect(stoppedInfo?.framesUnacknowledged).toBeLessThanOrEqual(METRIC_WINDOW)
      // About 300 frames were published while it was stopped; all but the window's were skipped.
      expect(stoppedInfo?.framesDropped).toBeGreaterThan(270)
      expect(stale.length).toBeLessThanOrEqual(METRIC_WINDOW)
      // Both other devices were served at 10 Hz throughout, as fast as before the stop: a p99 of 4-5 ms either side
      // on an idle machine; the margin is for the other processes of a shared one.
      expect(during.length).toBeGreaterThan(2 * 0.9 * (30_000 / INTERVAL_MS))
      expect(p99(during)).toBeLessThanOrEqual(p99(before) + 10)
    } finally {
      stopped.stop()
      for (const other of others) other.close()
    }
  }, 90_000)
})

describe('firmware that predates flow control', () => {
  it('never acknowledges and is still sent every frame at the interval', async () => {
    const legacy = new PythonDevice('legacy', 'legacy-device')
    try {
      await legacy.paired
      const start = Date.now()
      await Bun.sleep(3_000)
      const reads = legacy.reads.filter((r) => r.at >= start)
      // Far past the window of four a device that acknowledges could have unread.
      expect(reads.length).toBeGreaterThan(25)
      // Each frame fresh when it is read: typically a millisecond or two after its sample, and none held back a whole
      // interval behind the next (a host that queued frames for it would show lags growing by the interval).
      const lags = reads.map((r) => r.at - r.ts).sort((a, b) => a - b)
      expect(lags[Math.floor(lags.length / 2)]).toBeLessThan(20)
      expect(lags.at(-1)).toBeLessThan(2 * INTERVAL_MS)
      const info = (await devices()).find((d) => d.id === 'legacy-device')
      expect(info?.framesUnacknowledged).toBeNull()
      expect(info?.framesSent).toBeGreaterThan(25)
    } finally {
      legacy.stop()
    }
  }, 30_000)
})
