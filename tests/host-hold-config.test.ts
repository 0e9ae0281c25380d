// The calibration wizard's hold and the confirmed config against the built host: holds and releases reach the device
// as protocol frames, and PUT config answers with what the device said (confirmed, refused, or nothing in time).
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { PROTOCOL_VERSION } from '../schema/index.ts'
import { RunningSysboy } from './cli-harness.ts'
import { DeviceClient } from './device-client.ts'

const TOKEN = 'hold-config-token-01'
let host: RunningSysboy
let base: string
let ws: string
let board: DeviceClient

const api = (method: string, path: string, body?: unknown): Promise<Response> =>
  fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })

beforeAll(async () => {
  host = RunningSysboy.onLoopback('ram', TOKEN)
  const port = await host.port()
  base = `http://127.0.0.1:${port}`
  ws = `ws://127.0.0.1:${port}/ws`
  board = new DeviceClient(ws)
  await board.opened
  board.send(
    JSON.stringify({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      device: 'wizard-1',
      firmware: '0.2.0',
      chip: 'sim',
      outputs: [
        { id: 'meter', kind: 'pwm', bits: 10 },
        { id: 'oled', kind: 'oled', bits: 1, width: 128, height: 64 },
      ],
      buttons: [],
      token: TOKEN,
    }),
  )
  await board.next((m) => m.type === 'welcome')
})
afterAll(async () => {
  board.close()
  await host.stop()
})

const CONFIG = { bindings: [{ output: 'meter', metric: 'cpu' }], interval_ms: 500, stale_after_ms: 5_000 }

describe('hold and release (built host)', () => {
  it('sends hold with a 5 s lease and release as protocol frames', async () => {
    const from = board.received.length
    const held = await api('PUT', '/api/devices/wizard-1/outputs/meter/hold', { code: 512 })
    expect(held.status).toBe(200)
    expect(await held.json()).toEqual({ device: 'wizard-1', output: 'meter', code: 512 })
    expect(await board.next((m) => m.type === 'hold', 5_000, from)).toEqual({ type: 'hold', output: 'meter', code: 512, for_ms: 5_000 })
    const released = await api('DELETE', '/api/devices/wizard-1/outputs/meter/hold')
    expect(released.status).toBe(200)
    expect(await board.next((m) => m.type === 'release', 5_000, from)).toEqual({ type: 'release', output: 'meter' })
  })

  it('refuses a bad code (400 naming code), a screen (400) and an unknown device or output (404), sending nothing', async () => {
    const from = board.received.length
    for (const body of [{ code: 1024 }, { code: -1 }, { code: 1.5 }, { code: '7' }, {}]) {
      const response = await api('PUT', '/api/devices/wizard-1/outputs/meter/hold', body)
      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({ error: 'bad_config', field: 'code', reason: expect.any(String) })
    }
    const notJson = await api('PUT', '/api/devices/wizard-1/outputs/meter/hold', '{"code":')
    expect(notJson.status).toBe(400)
    const screen = await api('PUT', '/api/devices/wizard-1/outputs/oled/hold', { code: 1 })
    expect(screen.status).toBe(400)
    expect(await screen.json()).toMatchObject({ error: 'bad_config', field: 'output', reason: expect.stringContaining('screen') })
    const output = await api('PUT', '/api/devices/wizard-1/outputs/dial/hold', { code: 1 })
    expect(output.status).toBe(404)
    expect(await output.json()).toMatchObject({ error: 'unknown_output', reason: expect.stringContaining('meter') })
    expect((await api('DELETE', '/api/devices/nobody/outputs/meter/hold')).status).toBe(404)
    expect((await board.sentUntilAnswered(from)).filter((m) => m.type === 'hold' || m.type === 'release')).toEqual([])
  })
})

describe('confirmed config (built host)', () => {
  it('answers 200 confirmed once the device says configured, sending the host its own id', async () => {
    const from = board.received.length
    const response = await api('PUT', '/api/devices/wizard-1/config', { ...CONFIG, id: 77 })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ id: 'wizard-1', confirmed: true, bindings: CONFIG.bindings })
    const sent = await board.next((m) => m.type === 'config', 5_000, from)
    expect(sent).toMatchObject({ type: 'config', ...CONFIG, id: expect.any(Number) })
    expect(sent.type === 'config' && sent.id).not.toBe(77)
  })

  it('answers 400 from the device with its first refusal of that config, the others kept as lastError', async () => {
    board.confirmConfigs = false
    try {
      const from = board.received.length
      const answer = api('PUT', '/api/devices/wizard-1/config', CONFIG)
      const sent = await board.next((m) => m.type === 'config', 5_000, from)
      const id = sent.type === 'config' ? sent.id : undefined
      board.send(JSON.stringify({ type: 'error', code: 'bad_config', reason: 'calibration[0].points: the meter keeps at most 16', id }))
      board.send(JSON.stringify({ type: 'error', code: 'unknown_output', reason: 'the second refusal', id }))
      board.send(JSON.stringify({ type: 'configured', id, ok: false }))
      const response = await answer
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({ error: 'bad_config', reason: 'calibration[0].points: the meter keeps at most 16', field: 'calibration.0.points', from: 'device' })
      const devices = (await (await api('GET', '/api/devices')).json()) as Array<{ id: string; lastError: unknown }>
      expect(devices.find((d) => d.id === 'wizard-1')?.lastError).toMatchObject({ code: 'unknown_output', reason: 'the second refusal' })
    } finally {
      board.confirmConfigs = true
    }
  })

  it('answers 202 unconfirmed within about 3 s when the device says nothing (older firmware)', async () => {
    board.confirmConfigs = false
    try {
      const started = Date.now()
      const response = await api('PUT', '/api/devices/wizard-1/config', CONFIG)
      const took = Date.now() - started
      expect(response.status).toBe(202)
      expect(await response.json()).toMatchObject({ id: 'wizard-1', confirmed: false, reason: expect.stringContaining('did not confirm') })
      expect(took).toBeGreaterThanOrEqual(2_900)
      expect(took).toBeLessThan(3_500)
    } finally {
      board.confirmConfigs = true
    }
  }, 10_000)
})
