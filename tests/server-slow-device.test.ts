// Latest value wins: a device that stops reading gets no backlog, a bounded queue, and never delays other devices.
// The hub runs on a real Bun.serve here so the test can publish faster than a sampler would (with a simulated clock
// of 20 Hz ticks), which fills the kernel's socket buffers within a second.
import { afterAll, describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import type { Server, ServerWebSocket } from 'bun'
import type { Hello, MetricFrame } from '../schema/index.ts'
import { decodeDeviceMessage } from '../schema/index.ts'
import { DeviceSession } from '../host/hub/device-session.ts'
import { Hub } from '../host/hub/hub.ts'
import { helloFrame } from './device-client.ts'

const python = join(import.meta.dir, '..', '.cache/venv/bin/python')
const BACKPRESSURE = 4096
const hub = new Hub('vram', 50)
let server: Server<undefined> | undefined
afterAll(() => server?.stop(true))

/** Lines of JSON a child prints, read as they come. */
const lineReader = (stream: ReadableStream<Uint8Array>): (() => Promise<Record<string, unknown>>) => {
  const reader = stream.getReader()
  const decoder = new TextDecoder()
  let buffered = ''
  return async () => {
    for (;;) {
      const newline = buffered.indexOf('\n')
      if (newline >= 0) {
        const line = buffered.slice(0, newline)
        buffered = buffered.slice(newline + 1)
        return JSON.parse(line) as Record<string, unknown>
      }
      const { value, done } = await reader.read()
      if (done) throw new Error('the device process ended')
      buffered += decoder.decode(value, { stream: true })
    }
  }
}

const sessions = new WeakMap<ServerWebSocket<undefined>, DeviceSession>()

const startHubServer = (): Server<undefined> =>
  Bun.serve<undefined>({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (request, srv) => (srv.upgrade(request, { data: undefined }) ? undefined : new Response('upgrade', { status: 426 })),
    websocket: {
      backpressureLimit: BACKPRESSURE,
      closeOnBackpressureLimit: false,
      message: (ws, data) => {
        const decoded = decodeDeviceMessage(String(data))
        if (!decoded.ok || decoded.message.type !== 'hello') return
        const hello: Hello = decoded.message
        const link = { send: (t: string) => ws.send(t), bufferedAmount: () => ws.getBufferedAmount(), close: (c: number, r: string) => ws.close(c, r) }
        const config = { bindings: hello.outputs.map((o) => ({ output: o.id, metric: 'vram' })), interval_ms: 50, stale_after_ms: 5000 }
        const session = new DeviceSession(hello, 'loopback', config, link, hub.figures, Date.now())
        session.sendControl({ type: 'welcome', protocol: 1, host: 'test', version: '0', config })
        sessions.set(ws, session)
        hub.add(session)
      },
      drain: (ws) => sessions.get(ws)?.drain(Date.now()),
      close: (ws) => {
        const session = sessions.get(ws)
        if (session !== undefined) hub.remove(session)
      },
    },
  })

describe('a device that stops reading', () => {
  it('is sent the newest value when it reads again, with a bounded queue, while another device is served', async () => {
    server = startHubServer()
    const url = `ws://127.0.0.1:${server.port}/ws`
    const slow = Bun.spawn([python, join(import.meta.dir, 'ws-python/device.py'), url, 'any-token-123', 'slow'], { stdout: 'pipe', stderr: 'inherit' })
    const fastSeqs: number[] = []
    const fast = new WebSocket(url)
    const fastOpen = new Promise((resolve) => fast.addEventListener('open', resolve))
    try {
      const nextLine = lineReader(slow.stdout)
      expect(await nextLine()).toEqual({ paired: true })
      fast.addEventListener('message', (e) => {
        const frame = JSON.parse(String(e.data)) as { seq?: number }
        if (frame.seq !== undefined) fastSeqs.push(frame.seq)
      })
      await fastOpen
      fast.send(helloFrame({ device: 'fast', token: undefined, firmware: '1', outputs: ['m'], buttons: [] }))
      while (hub.size < 2) await Bun.sleep(10)
      slow.kill('SIGSTOP')

      const slowSession = hub.get('slow-device')
      if (slowSession === undefined) throw new Error('slow device did not pair')
      let clock = Date.now()
      let seq = 0
      let maxQueued = 0
      // 40 bursts of 1000 frames of about 250 bytes: some 10 MB, well past what the kernel buffers for a stalled peer.
      for (let burst = 0; burst < 40; burst++) {
        for (let i = 0; i < 1000; i++) {
          clock += 50
          seq += 1
          const frame: MetricFrame = { type: 'vram', value: seq % 100, source: 'test', gpu: 'x'.repeat(64), unit: 'B', reason: undefined, seq, ts: Date.now() }
          delete frame.reason
          hub.publish(frame, clock)
          maxQueued = Math.max(maxQueued, slowSession.bufferedAmount())
        }
        await Bun.sleep(5)
      }
      expect(slowSession.framesDropped).toBeGreaterThan(1000)
      // At most one frame goes past the limit before the device counts as backed up.
      expect(maxQueued).toBeLessThanOrEqual(BACKPRESSURE + 1024)
      // The reading device got every frame up to the newest.
      const deadline = Date.now() + 10_000
      while ((fastSeqs.at(-1) ?? 0) < seq && Date.now() < deadline) await Bun.sleep(20)
      expect(fastSeqs.at(-1)).toBe(seq)
      expect(hub.get('fast')?.framesDropped).toBe(0)

      slow.kill('SIGCONT')
      let seen = 0
      let lines = 0
      while (seen < seq) {
        const line = await nextLine()
        if (typeof line.seq === 'number') seen = line.seq
        lines += 1
      }
      // It caught up with the newest value without being sent the 40 000 it missed.
      expect(seen).toBe(seq)
      expect(lines).toBeLessThan(seq / 2)
    } finally {
      slow.kill('SIGCONT')
      slow.kill()
      fast.close()
    }
  }, 30_000)
})
