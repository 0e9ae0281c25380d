// The built host serving a device with an OLED: screens in the welcome, a history burst of every shown metric (fresh
// values only), frames of every shown metric, the screen drawn as PNG from what the host sent, and the REST checks.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decode } from 'fast-png'
import type { Hello, HistoryBurst, HostMessage, MetricFrame, SessionConfig, Welcome } from '../schema/index.ts'
import { PROTOCOL_VERSION } from '../schema/index.ts'
import { SentRecord } from '../host/hub/sent-record.ts'
import { buildScenesWasm } from '../host/screens/build-scenes.ts'
import { renderView } from '../host/screens/render.ts'
import { ScenesModule } from '../host/screens/scenes-module.ts'
import { DEFAULT_SCENES } from '../host/screens/screen-config.ts'
import { deviceScreenView } from '../host/screens/screen-view.ts'
import { RunningSysboy, cleanEnv, freePort, runSysboy } from './cli-harness.ts'
import { DeviceClient } from './device-client.ts'
import { buildFakeNvml } from './fixtures/nvml/build.ts'

const GIB = 1024 ** 3
const TOKEN = 'screens-e2e-token-0123456789'
const INTERVAL = 200
const SHOWN = ['vram', 'cpu', 'gpu_temp', 'ram', 'net_rx', 'net_tx']

let host: RunningSysboy
let port: number
let usedFile: string
let env: Record<string, string>
let scenes: ScenesModule

/** A REST call with the host's token, or none when `token` is null. */
const api = (path: string, init: RequestInit = {}, token: string | null = TOKEN): Promise<Response> =>
  fetch(`http://127.0.0.1:${port}/api${path}`, { ...init, headers: { ...(token === null ? {} : { Authorization: `Bearer ${token}` }), ...init.headers } })

/** Polls `check` until it gives a value, failing after `timeoutMs` with what it last saw. */
const until = async <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = await check()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`)
    await Bun.sleep(50)
  }
}

const oledHello = (device: string): string =>
  JSON.stringify({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    device,
    firmware: '0.2.0-test',
    chip: 'sim',
    outputs: [
      { id: 'meter', kind: 'pwm', bits: 10 },
      { id: 'oled', kind: 'oled', bits: 1, width: 128, height: 64 },
    ],
    buttons: [{ id: 'select' }],
    token: TOKEN,
  } satisfies Hello)

const connect = async (device: string): Promise<DeviceClient> => {
  const client = new DeviceClient(`ws://127.0.0.1:${port}/ws`)
  await client.opened
  client.send(oledHello(device))
  await client.next((m) => m.type === 'welcome')
  return client
}

const metricOf = (m: HostMessage): string | undefined => (m.type === 'metric' ? m.name : 'value' in m ? m.type : undefined)
const bursts = (messages: readonly HostMessage[]): HistoryBurst[] => messages.filter((m): m is HistoryBurst => m.type === 'history')

/** The bursts a device got right after its welcome, one per shown metric. */
const welcomeBursts = async (client: DeviceClient): Promise<Map<string, HistoryBurst>> => {
  await client.next((m) => m.type === 'history' && m.name === 'net_tx')
  const after = client.received.slice(1, 1 + SHOWN.length)
  expect(after.map((m) => m.type)).toEqual(SHOWN.map(() => 'history'))
  return new Map(bursts(after).map((b) => [b.name, b]))
}

/** The device's state as its frames left it (the last config, then bursts and frames after it), rebuilt from what it received. */
const receivedState = (client: DeviceClient, now: number): { config: SessionConfig; sent: SentRecord } => {
  const messages = client.received
  const lastConfig = messages.findLastIndex((m) => m.type === 'config' || m.type === 'welcome')
  const at = messages[lastConfig]
  const { type: _type, ...config } = at?.type === 'welcome' ? { type: 'config', ...at.config } : (at as Extract<HostMessage, { type: 'config' }>)
  const sent = new SentRecord()
  const shown = new Set(config.screens?.flatMap((s) => s.scenes.flatMap((scene) => scene.metrics)))
  for (const m of messages) {
    if (m.type === 'history') sent.burst(m.name, m.values)
    const metric = metricOf(m)
    // Frames came a moment ago; only whether they are within the stale timeout matters, and they are.
    if (metric !== undefined) sent.frame(metric, m as MetricFrame, now, shown.has(metric))
  }
  return { config, sent }
}

/** The screen's PNG as 0/1 pixels, once it equals what the device's own state draws (a frame may land in between). */
const screenMatchingDevice = async (client: DeviceClient, device: string): Promise<number[]> =>
  until(`the host's picture of ${device}'s screen matching what its frames draw`, async () => {
    const response = await api(`/devices/${device}/screens/oled.png`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/png')
    const png = decode(new Uint8Array(await response.arrayBuffer()))
    expect([png.width, png.height]).toEqual([128, 64])
    const pixels = [...png.data].map((v) => (v === 0 ? 0 : 1))
    const view = deviceScreenView({ ...receivedState(client, Date.now()), shown: undefined }, 'oled', Date.now())
    if (view === undefined) throw new Error('no view of the device screen')
    const expected = [...renderView(scenes, view, { width: 128, height: 64, depth: 1 })]
    return pixels.every((p, i) => p === expected[i]) ? pixels : undefined
  })

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysboy-screens-'))
  usedFile = join(dir, 'used')
  writeFileSync(usedFile, String(6 * GIB))
  const [library] = await Promise.all([buildFakeNvml({ FAKE_NVML_TOTAL: String(16 * GIB), FAKE_NVML_USED_FILE: usedFile }), buildScenesWasm()])
  scenes = await ScenesModule.load()
  port = await freePort()
  env = cleanEnv({ SYSBOY_NVML_LIB: library })
  host = new RunningSysboy(['--metric', 'vram', '--bind', '127.0.0.1', '--port', String(port), '--token', TOKEN, '--no-mdns', '--interval', String(INTERVAL)], env)
  await host.port()
  // A few vram readings, so the first device's burst has some before the newest (which comes as a frame).
  await until('three vram readings', async () => {
    const vram = ((await (await api('/metrics')).json()) as Record<string, MetricFrame>).vram
    return (vram?.seq ?? 0) >= 3 ? true : undefined
  })
}, 300_000)

afterAll(async () => {
  await host?.stop()
})

describe('the built host with a device that has an OLED', () => {
  it('welcomes it with its screens and the clock, sends a history burst of each shown metric, then frames of all of them', async () => {
    const before = Date.now()
    const board = await connect('oled-1')
    try {
      const welcome = board.received[0] as Welcome
      expect(welcome.config.screens).toEqual([{ output: 'oled', scenes: DEFAULT_SCENES, width: 128, height: 64 }])
      expect(welcome.config.bindings).toEqual([{ output: 'meter', metric: 'vram' }])
      expect(welcome.time).toBeGreaterThanOrEqual(before)
      expect(welcome.time).toBeLessThanOrEqual(Date.now())
      expect(typeof welcome.utc_offset_min).toBe('number')
      const history = await welcomeBursts(board)
      expect([...history.keys()].sort()).toEqual([...SHOWN].sort())
      // Only vram (the host's own metric) was sampled before this device came: the others have no history yet.
      expect(history.get('vram')?.values.length).toBeGreaterThan(0)
      for (const metric of SHOWN.filter((m) => m !== 'vram')) expect(history.get(metric)?.values).toEqual([])
      for (const metric of SHOWN) await board.next((m) => metricOf(m) === metric, 10_000)
    } finally {
      board.close()
    }
  }, 30_000)

  it('sends history only while it is fresh: a metric nobody showed for longer than its bound gets an empty burst', async () => {
    const first = await connect('oled-2')
    // A second's worth of every shown metric.
    for (let i = 0; i < 5; i++) await first.freshMetric('cpu', 5_000)
    first.close()
    await first.closed
    const second = await connect('oled-3')
    const fresh = await welcomeBursts(second)
    expect(fresh.get('cpu')?.values.length).toBeGreaterThanOrEqual(4)
    for (const burst of fresh.values()) for (const value of burst.values) expect(value === null || (value >= 0 && value <= 100)).toBe(true)
    second.close()
    await second.closed
    // Nobody shows cpu now: once its newest reading is past the bound the host serves it as stale, and sends none of it.
    await until('cpu going stale', async () => {
      const cpu = ((await (await api('/metrics')).json()) as Record<string, MetricFrame>).cpu
      return cpu?.value === null && cpu.reason?.startsWith('stale') === true ? true : undefined
    })
    const third = await connect('oled-4')
    try {
      const stale = await welcomeBursts(third)
      expect(stale.get('cpu')?.values).toEqual([])
      expect(stale.get('vram')?.values.length).toBeGreaterThan(0)
    } finally {
      third.close()
    }
  }, 30_000)

  it("draws the device's screen from what it sent it, pixel for pixel, and draws it anew when the figure changes", async () => {
    const board = await connect('oled-5')
    try {
      const config: SessionConfig = {
        bindings: [{ output: 'meter', metric: 'vram' }],
        interval_ms: INTERVAL,
        stale_after_ms: 5_000,
        screens: [{ output: 'oled', scenes: [{ scene: 'metric', metrics: ['vram'] }], width: 128, height: 64 }],
      }
      const put = await api('/devices/oled-5/config', { method: 'PUT', body: JSON.stringify(config) })
      expect(put.status).toBe(200)
      await board.next((m) => m.type === 'config')
      await board.freshMetric('vram')
      const before = await screenMatchingDevice(board, 'oled-5')
      writeFileSync(usedFile, String(12 * GIB))
      await board.next((m) => m.type === 'vram' && m.value === 75, 10_000)
      const after = await screenMatchingDevice(board, 'oled-5')
      expect(after).not.toEqual(before)
    } finally {
      writeFileSync(usedFile, String(6 * GIB))
      board.close()
    }
  }, 30_000)

  it('keeps what the screen shows from the status, for the API and sysboy devices', async () => {
    const board = await connect('oled-6')
    try {
      board.send(JSON.stringify({ type: 'status', link: 'sim', heap_free: 50_000, uptime_ms: 1_000, screens: [{ output: 'oled', scene: 'network', index: 2 }] }))
      const devices = await until('the status in /api/devices', async () => {
        const list = (await (await api('/devices')).json()) as { id: string; screens: unknown }[]
        return list.find((d) => d.id === 'oled-6' && d.screens !== null)
      })
      expect(devices.screens).toEqual([{ output: 'oled', scene: 'network', index: 2 }])
      const { code, stdout } = await runSysboy(['devices', '--port', String(port), '--token', TOKEN], env)
      expect(code).toBe(0)
      expect(stdout.split('\n')[0]).toMatch(/^device +chip +firmware +address +outputs +screens +connected since$/)
      expect(stdout).toMatch(/oled-6 .* meter=vram +oled=network#2 /)
    } finally {
      board.close()
    }
  }, 30_000)

  it('guards the picture with the token and answers 404 naming an unknown device, output or non-screen', async () => {
    const board = await connect('oled-7')
    try {
      expect((await api('/devices/oled-7/screens/oled.png', {}, null)).status).toBe(401)
      const noDevice = await api('/devices/nobody/screens/oled.png')
      expect(noDevice.status).toBe(404)
      expect(((await noDevice.json()) as { reason: string }).reason).toContain("'nobody'")
      const noOutput = await api('/devices/oled-7/screens/lcd.png')
      expect(noOutput.status).toBe(404)
      expect(await noOutput.json()).toMatchObject({ error: 'unknown_output', reason: expect.stringContaining("'lcd.png'") })
      const meter = await api('/devices/oled-7/screens/meter.png')
      expect(meter.status).toBe(404)
      expect(((await meter.json()) as { reason: string }).reason).toContain("output 'meter' of device 'oled-7' is a pwm output, not a screen; its screens: oled.png")
    } finally {
      board.close()
    }
  }, 30_000)

  it('refuses a screens config the device cannot show with 400 naming the field, and keeps the one it had', async () => {
    const board = await connect('oled-8')
    try {
      const base = (board.received[0] as Welcome).config
      const refused = async (screens: unknown): Promise<{ field: string; reason: string }> => {
        const response = await api('/devices/oled-8/config', { method: 'PUT', body: JSON.stringify({ ...base, screens }) })
        expect(response.status).toBe(400)
        return (await response.json()) as { field: string; reason: string }
      }
      expect(await refused([{ output: 'oled', scenes: [{ scene: 'hub', metrics: ['vram', 'cpu', 'ram', 'disk', 'gpu_util'] }] }])).toMatchObject({
        field: 'screens.0.scenes.0.metrics',
      })
      expect(await refused([{ output: 'oled', scenes: [{ scene: 'clock', metrics: ['cpu'] }] }])).toMatchObject({ field: 'screens.0.scenes.0.scene' })
      expect(await refused([{ output: 'meter', scenes: [{ scene: 'metric', metrics: ['cpu'] }] }])).toMatchObject({ field: 'screens.0.output' })
      expect(await refused([{ output: 'oled', scenes: [{ scene: 'metric', metrics: ['cpu'] }], height: 32 }])).toMatchObject({ field: 'screens.0.height' })
      const list = (await (await api('/devices')).json()) as { id: string; config: SessionConfig }[]
      expect(list.find((d) => d.id === 'oled-8')?.config.screens).toEqual(base.screens)
      expect(board.received.some((m) => m.type === 'config')).toBe(false)
    } finally {
      board.close()
    }
  }, 30_000)
})
