// Bad frames from a paired device: each gets an error naming what was wrong; abuse, oversize and binary close it.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { TestServer } from './server-harness.ts'
import { connectMute } from './mute-device.ts'
import { DeviceClient, helloFrame, startTestServer } from './server-harness.ts'

let running: TestServer
let bystander: DeviceClient
let serial = 0

beforeAll(async () => {
  running = await startTestServer({}, { badFrameLimit: 10, badFrameWindowMs: 10_000 })
  bystander = await DeviceClient.paired(running.ws, { device: 'bystander' })
})
afterAll(async () => {
  bystander.close()
  await running.stop()
})

const pairedDevice = async (): Promise<DeviceClient> => DeviceClient.paired(running.ws, { device: `abuser-${serial++}` })

/** The bystander still gets fresh frames, so one device's abuse never stops the host serving others. */
const bystanderStillServed = async (): Promise<void> => {
  const frame = await bystander.freshMetric('vram')
  expect(frame.type).toBe('vram')
}

const errorAfter = async (device: DeviceClient, text: string): Promise<{ code: string; reason: string }> => {
  const from = device.received.length
  device.send(text)
  const error = await device.next((m) => m.type === 'error', 5_000, from)
  if (error.type !== 'error') throw new Error('not an error')
  return { code: error.code, reason: error.reason }
}

describe('bad frames', () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ['text that is not JSON', '{"type": "status",', 'bad_json', /^not JSON/],
    ['JSON that is not an object', '[1,2,3]', 'bad_frame', /expected a JSON object, got an array/],
    ['an object without a type', '{"id": 3}', 'bad_frame', /missing field 'type'/],
    ['an unknown type', '{"type":"reboot"}', 'unknown_type', /unknown device message type 'reboot'/],
    ['a command missing a field', '{"type":"select_metric","id":1,"output":"meter"}', 'bad_frame', /missing field 'metric'/],
    ['a field of the wrong type', '{"type":"identify","id":"one"}', 'bad_frame', /^identify: id/],
    ['a second hello', helloFrame({ device: 'again' }), 'bad_frame', /already said hello/],
  ]
  for (const [what, text, code, reason] of cases) {
    it(`answers ${what} with ${code} and keeps the session`, async () => {
      const device = await pairedDevice()
      const error = await errorAfter(device, text)
      expect(error.code).toBe(code)
      expect(error.reason).toMatch(reason)
      // The session goes on: a command still works.
      device.send(JSON.stringify({ type: 'identify', id: 7 }))
      expect(await device.next((m) => m.type === 'ack' && m.id === 7)).toMatchObject({ ok: true })
      device.close()
      await bystanderStillServed()
    })
  }

  it('closes with 1008 after 10 bad frames in the window, each answered first', async () => {
    const device = await pairedDevice()
    for (let i = 0; i < 10; i++) device.send(`not json ${i}`)
    const closed = await device.closed
    expect(closed.code).toBe(1008)
    const errors = device.received.filter((m) => m.type === 'error')
    expect(errors.filter((e) => e.type === 'error' && e.code === 'bad_json')).toHaveLength(10)
    expect(errors.at(-1)).toMatchObject({ code: 'rate_limited' })
    await bystanderStillServed()
  })

  it('answers a frame over 16 KiB with too_large and closes with 1009', async () => {
    const device = await pairedDevice()
    device.send(JSON.stringify({ type: 'status', link: 'sim', heap_free: 1, uptime_ms: 1, host: 'x'.repeat(17 * 1024) }))
    expect((await device.closed).code).toBe(1009)
    expect(device.received.at(-1)).toMatchObject({ type: 'error', code: 'too_large', reason: expect.stringMatching(/^a frame of 174\d\d bytes; the limit is 16384$/) })
    await bystanderStillServed()
  })

  it('closes at once with 1009 on a frame far over the limit, before reading it', async () => {
    const device = await pairedDevice()
    device.send('x'.repeat(80 * 1024))
    expect((await device.closed).code).toBe(1009)
    await bystanderStillServed()
  })

  it('counts bytes, not characters: 6 000 three-byte characters are over 16 KiB', async () => {
    const device = await pairedDevice()
    device.send(JSON.stringify({ type: 'status', link: 'sim', heap_free: 1, uptime_ms: 1, host: '€'.repeat(6_000) }))
    expect((await device.closed).code).toBe(1009)
    expect(device.received.at(-1)).toMatchObject({ type: 'error', code: 'too_large' })
  })

  it('accepts a frame just under 16 KiB as an ordinary (bad) frame', async () => {
    const device = await pairedDevice()
    const error = await errorAfter(device, JSON.stringify({ type: 'status', link: 'sim', heap_free: 1, uptime_ms: 1, host: 'x'.repeat(16_000) }))
    expect(error.code).toBe('bad_frame')
    device.close()
  })

  it('answers a binary frame with binary_frame and closes with 1003', async () => {
    const device = await pairedDevice()
    device.send(new TextEncoder().encode('{"type":"identify","id":1}'))
    const closed = await device.closed
    expect(closed.code).toBe(1003)
    expect(device.received.at(-1)).toMatchObject({ type: 'error', code: 'binary_frame' })
    await bystanderStillServed()
  })

  it('closes a device that goes silent past the idle timeout, answering not even a ping, and sends heartbeats while idle', async () => {
    const quiet = await startTestServer({ intervalMs: 60_000, staleAfterMs: 600 }, { idleTimeoutMs: 1_200, heartbeatMs: 200 })
    try {
      const openedAt = Date.now()
      const device = await connectMute(quiet.ws, helloFrame())
      expect(await device.closed).toBe(4408)
      expect(Date.now() - openedAt).toBeGreaterThanOrEqual(1_200)
      expect(Date.now() - openedAt).toBeLessThan(2_500)
      expect(device.texts.filter((t) => JSON.parse(t).type === 'heartbeat').length).toBeGreaterThanOrEqual(2)
      // The host pinged it once at half the bound; a pong would have kept it.
      expect(device.pings).toBe(1)
    } finally {
      await quiet.stop()
    }
  })

  it('keeps a device that sends nothing but answers the host\'s pings', async () => {
    const quiet = await startTestServer({ intervalMs: 60_000, staleAfterMs: 600 }, { idleTimeoutMs: 1_200, heartbeatMs: 200 })
    try {
      // Bun's client, like a browser's, pongs every ping by itself and never pings.
      const device = await DeviceClient.paired(quiet.ws)
      const closed = await Promise.race([device.closed, Bun.sleep(4_000).then(() => undefined)])
      expect(closed).toBeUndefined()
      expect(quiet.server.devices().map((d) => d.id)).toEqual(['dev-1'])
      device.close()
    } finally {
      await quiet.stop()
    }
  })
})
