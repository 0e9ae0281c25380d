// WebSocket pings count as life, through the built host and its shipped 60 s silence bound: a Python `websockets`
// device that keeps alive only with pings stays, and one that sends nothing at all, not even a pong, is closed with 4408.
import { afterAll, beforeAll, expect, it } from 'bun:test'
import { join } from 'node:path'
import { RunningSysboy } from './cli-harness.ts'
import { helloFrame } from './device-client.ts'
import { connectMute } from './mute-device.ts'

const TOKEN = 'keepalive-test-token'
const python = join(import.meta.dir, '..', '.cache/venv/bin/python')
/** The host's silence bound (DEFAULT_TUNING.idleTimeoutMs); no setting shortens it, so this test waits it out. */
const IDLE_S = 60

let host: RunningSysboy
let ws: string
beforeAll(async () => {
  host = RunningSysboy.onLoopback('ram', TOKEN)
  ws = `ws://127.0.0.1:${await host.port()}/ws`
})
afterAll(async () => {
  expect(await host.stop()).toBe(0)
})

it('keeps a device that only pings past the silence bound, and closes one that sends nothing with 4408', async () => {
  const startedAt = Date.now()
  // Pings every 20 s, Python websockets' default keep-alive, and no message after its hello.
  const pinger = Bun.spawn([python, join(import.meta.dir, 'ws-python/ping_only.py'), ws, TOKEN, '20', String(IDLE_S + 6)], { stdout: 'pipe', stderr: 'pipe' })
  const mute = await connectMute(ws, helloFrame({ device: 'mute', token: TOKEN }))
  const muteClosed = mute.closed.then((code) => ({ code, afterS: (Date.now() - startedAt) / 1000 }))
  const [out, err, code] = await Promise.all([new Response(pinger.stdout).text(), new Response(pinger.stderr).text(), pinger.exited])
  expect(err).toBe('')
  expect(code).toBe(0)
  const pinged = JSON.parse(out) as { closed: boolean; code: number | null; after_s: number; pings_answered: number; frames: number }
  console.log(`keepalive: ping-only device ${JSON.stringify(pinged)}; mute device ${JSON.stringify(await muteClosed)}`)
  expect(pinged.closed).toBe(false)
  expect(pinged.after_s).toBeGreaterThanOrEqual(IDLE_S + 5)
  expect(pinged.pings_answered).toBe(3)
  expect(pinged.frames).toBeGreaterThan(IDLE_S / 2)
  const closed = await muteClosed
  expect(closed.code).toBe(4408)
  expect(closed.afterS).toBeGreaterThanOrEqual(IDLE_S)
  expect(closed.afterS).toBeLessThan(IDLE_S + 3)
  // The host pinged the mute device once, at half the bound, before giving up on it.
  expect(mute.pings).toBe(1)
}, 90_000)
