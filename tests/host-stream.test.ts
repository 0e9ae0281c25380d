// The built host streaming a scene it draws to a device with a 320x240 TFT: header and binary pairs that decode (by
// a decoder written from the protocol) into the host's own picture of the screen and the scene module's drawing of
// it; acknowledgements open the window, and without them no more than the window's frames arrive; /api/devices and
// /metrics show the stream's figures; a static picture costs the host next to nothing but a one-pixel keep-alive
// every half stale timeout, and a host streaming a still X region uses under 1 % of a core (the target).
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decode } from 'fast-png'
import type { Hello, MetricFrame, SessionConfig } from '../schema/index.ts'
import { PROTOCOL_VERSION } from '../schema/index.ts'
import type { DeviceInfo } from '../host/hub/device-session.ts'
import { buildScenesWasm } from '../host/screens/build-scenes.ts'
import { renderView } from '../host/screens/render.ts'
import { ScenesModule } from '../host/screens/scenes-module.ts'
import { figureOfFrame } from '../host/screens/screen-view.ts'
import { STREAM_WINDOW } from '../host/stream/stream-session.ts'
import { RunningSysboy, cleanEnv, freePort } from './cli-harness.ts'
import { DeviceClient } from './device-client.ts'
import type { StreamHeader } from './fixtures/stream-decoder.ts'
import { StreamScreen } from './fixtures/stream-decoder.ts'
import { buildFakeNvml } from './fixtures/nvml/build.ts'
import { RootPainter, startXvfb } from './fixtures/xvfb.ts'

const GIB = 1024 ** 3
const TOKEN = 'stream-e2e-token-0123456789'
const INTERVAL = 200
const WIDTH = 320
const HEIGHT = 240
const BUFFER = 8_192

let host: RunningSysboy
let port: number
let usedFile: string
let nvml: string
let scenes: ScenesModule

const api = (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`http://127.0.0.1:${port}${path}`, { ...init, headers: { Authorization: `Bearer ${TOKEN}`, ...init.headers } })

const tftHello = (device: string): string =>
  JSON.stringify({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    device,
    firmware: '0.3.0-test',
    chip: 'sim',
    outputs: [{ id: 'tft', kind: 'tft', bits: 16, width: WIDTH, height: HEIGHT }],
    buttons: [],
    token: TOKEN,
    flow_control: true,
    stream_buffer: BUFFER,
    encodings: ['raw565', 'rle565', 'lz4_565'],
  } satisfies Hello)

const streamed = (fps = 30): SessionConfig => ({
  bindings: [{ output: 'tft', metric: 'vram' }],
  interval_ms: INTERVAL,
  stale_after_ms: 5_000,
  screens: [{ output: 'tft', scenes: [{ scene: 'stream', metrics: [] }] }],
  streams: [{ output: 'tft', source: 'scene', scene: 'hub', metrics: ['vram'], fps }],
})

/** A device that applies every stream rectangle to its framebuffer and, when `acking`, acknowledges each frame shown. */
class TftDevice {
  readonly screen = new StreamScreen(WIDTH, HEIGHT)
  acking = true
  #applied = 0
  #metricsAcked = 0

  constructor(readonly client: DeviceClient) {}

  static async connect(device: string, to = port): Promise<TftDevice> {
    const client = new DeviceClient(`ws://127.0.0.1:${to}/ws`)
    await client.opened
    client.send(tftHello(device))
    await client.next((m) => m.type === 'welcome')
    return new TftDevice(client)
  }

  /** Applies the binary frames received since the last call, checking each follows its own header; acks metric frames. */
  pump(): void {
    const { binaries, received } = this.client
    // A device with flow control acknowledges the metric frames it applies, or the host holds them back.
    for (; this.#metricsAcked < received.length; this.#metricsAcked++) {
      const m = received[this.#metricsAcked]
      if (m !== undefined && 'value' in m && m.seq !== undefined) this.client.send(JSON.stringify({ type: 'applied', seq: m.seq }))
    }
    for (; this.#applied < binaries.length; this.#applied++) {
      const binary = binaries[this.#applied] as { after: number; bytes: Uint8Array }
      const header = received[binary.after]
      if (header?.type !== 'stream') throw new Error(`a binary frame after a ${header?.type} message, not a stream header`)
      const previous = binaries[this.#applied - 1]
      if (previous !== undefined && previous.after === binary.after) throw new Error('two binary frames after one header')
      if (this.screen.apply(header, binary.bytes) && this.acking) this.client.send(JSON.stringify({ type: 'applied', seq: header.seq, stream: header.stream }))
    }
  }

  headers(): StreamHeader[] {
    return this.client.received.filter((m): m is StreamHeader => m.type === 'stream')
  }

  /** Pumps until no stream frame has arrived for `quietMs`. */
  async settle(quietMs = 800, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    let count = -1
    let since = Date.now()
    while (Date.now() < deadline) {
      this.pump()
      if (this.client.binaries.length !== count) {
        count = this.client.binaries.length
        since = Date.now()
      } else if (Date.now() - since >= quietMs && count > 0) {
        return
      }
      await Bun.sleep(20)
    }
    throw new Error(`the stream did not settle within ${timeoutMs} ms (${count} binary frames)`)
  }
}

/** RGB565 to 8-bit RGB as the host's PNG writes it (embedded-graphics' rounding). */
const widen = (value: number, max: number): number => Math.floor((value * 255 + Math.floor(max / 2)) / max)
const rgbOf = (pixels: Uint16Array): Uint8Array => {
  const rgb = new Uint8Array(pixels.length * 3)
  pixels.forEach((p, i) => {
    rgb[3 * i] = widen(p >> 11, 31)
    rgb[3 * i + 1] = widen((p >> 5) & 63, 63)
    rgb[3 * i + 2] = widen(p & 31, 31)
  })
  return rgb
}

const devices = async (): Promise<DeviceInfo[]> => (await (await api('/api/devices')).json()) as DeviceInfo[]

/** CPU seconds the host process has used (user + system), from /proc. */
const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** The share of a core the process used over `ms`, calling `meanwhile` every 50 ms. */
const cpuShare = async (pid: number, ms: number, meanwhile: () => void): Promise<number> => {
  const startCpu = cpuSeconds(pid)
  const start = performance.now()
  while (performance.now() - start < ms) {
    meanwhile()
    await Bun.sleep(50)
  }
  return (cpuSeconds(pid) - startCpu) / ((performance.now() - start) / 1_000)
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysboy-stream-'))
  usedFile = join(dir, 'used')
  writeFileSync(usedFile, String(6 * GIB))
  const [library] = await Promise.all([buildFakeNvml({ FAKE_NVML_TOTAL: String(16 * GIB), FAKE_NVML_USED_FILE: usedFile }), buildScenesWasm()])
  nvml = library
  scenes = await ScenesModule.load()
  port = await freePort()
  host = new RunningSysboy(
    ['--metric', 'vram', '--bind', '127.0.0.1', '--port', String(port), '--token', TOKEN, '--no-mdns', '--interval', String(INTERVAL)],
    cleanEnv({ SYSBOY_NVML_LIB: library }),
  )
  await host.port()
}, 300_000)

afterAll(async () => {
  await host?.stop()
})

describe('the built host streaming a scene to a TFT', () => {
  it("sends header and binary pairs that decode into the host's picture of the screen and the scene module's drawing", async () => {
    const device = await TftDevice.connect('tft-1')
    try {
      const put = await api('/api/devices/tft-1/config', { method: 'PUT', body: JSON.stringify(streamed()) })
      expect(put.status).toBe(200)
      expect(((await put.json()) as DeviceInfo).streams).toMatchObject([{ output: 'tft', source: 'scene', targetFps: 30 }])
      await device.settle()
      const headers = device.headers()
      // The first frame is the whole screen; every chunk fits the device's buffer.
      expect(headers.filter((h) => h.seq === 1).reduce((sum, h) => sum + h.width * h.height, 0)).toBe(WIDTH * HEIGHT)
      for (const h of headers) expect(h.length).toBeLessThanOrEqual(BUFFER)

      const response = await api('/api/devices/tft-1/screens/tft.png')
      expect(response.status).toBe(200)
      const png = decode(new Uint8Array(await response.arrayBuffer()))
      expect([png.width, png.height, png.channels]).toEqual([WIDTH, HEIGHT, 3])
      expect(Buffer.from(png.data as Uint8Array).equals(Buffer.from(rgbOf(device.screen.pixels)))).toBe(true)

      // The same scene drawn here from the vram frame the device was sent.
      const vram = device.client.received.findLast((m): m is MetricFrame => m.type === 'vram')
      const drawn = renderView(scenes, { scene: 'hub', figures: [{ ...figureOfFrame('vram', vram), history: [] }], link: { state: 'live' } }, { width: WIDTH, height: HEIGHT, depth: 16 })
      const shown = device.screen.pixels
      expect(Buffer.from(shown.buffer, shown.byteOffset, shown.byteLength).equals(Buffer.from(drawn))).toBe(true)
      expect(new Set(shown).size).toBeGreaterThan(2)

      // A change of the figure redraws only part of the screen, and the device's picture follows.
      const before = device.headers().length
      writeFileSync(usedFile, String(12 * GIB))
      for (let i = 0; i < 100 && !device.client.received.some((m) => m.type === 'vram' && m.value === 75); i++) {
        device.pump()
        await Bun.sleep(50)
      }
      await device.settle()
      const redraw = device.headers().slice(before)
      expect(redraw.length).toBeGreaterThan(0)
      expect(redraw.reduce((sum, h) => sum + h.width * h.height, 0)).toBeLessThan(WIDTH * HEIGHT / 2)
      const after = decode(new Uint8Array(await (await api('/api/devices/tft-1/screens/tft.png')).arrayBuffer()))
      expect(Buffer.from(after.data as Uint8Array).equals(Buffer.from(rgbOf(device.screen.pixels)))).toBe(true)
    } finally {
      writeFileSync(usedFile, String(6 * GIB))
      device.client.close()
    }
  }, 60_000)

  it('sends at most the window of frames without acknowledgements, and the next one once acknowledged', async () => {
    const device = await TftDevice.connect('tft-2')
    device.acking = false
    let changing = true
    // A figure that changes faster than it is sampled: every frame time has a new picture due.
    const change = (async () => {
      for (let i = 0; changing; i++) {
        writeFileSync(usedFile, String((4 + (i % 8)) * GIB))
        await Bun.sleep(50)
      }
    })()
    try {
      expect((await api('/api/devices/tft-2/config', { method: 'PUT', body: JSON.stringify(streamed()) })).status).toBe(200)
      await device.client.next((m) => m.type === 'stream' && m.last && m.seq === STREAM_WINDOW, 10_000)
      await Bun.sleep(1_500)
      device.pump()
      const frames = device.headers().filter((h) => h.last)
      expect(frames.map((h) => h.seq)).toEqual(Array.from({ length: STREAM_WINDOW }, (_, i) => i + 1))
      const info = (await devices()).find((d) => d.id === 'tft-2')?.streams[0]
      expect(info).toMatchObject({ output: 'tft', framesSent: STREAM_WINDOW, inFlight: STREAM_WINDOW, windowWaits: 1 })
      expect(info?.dropped).toBeGreaterThan(10)

      device.client.send(JSON.stringify({ type: 'applied', seq: 1, stream: 'tft' }))
      await device.client.next((m) => m.type === 'stream' && m.last && m.seq === STREAM_WINDOW + 1, 5_000)
      await Bun.sleep(300)
      device.pump()
      expect(device.headers().filter((h) => h.last).length).toBe(STREAM_WINDOW + 1)

      const metrics = await (await api('/metrics')).text()
      expect(metrics).toContain(`sysboy_stream_frames_sent_total{device="tft-2",stream="tft"} ${STREAM_WINDOW + 1}`)
      expect(metrics).toMatch(/sysboy_stream_frames_dropped_total\{device="tft-2",stream="tft"\} [1-9]\d+/)
      expect(metrics).toContain('sysboy_stream_window_waits_total{device="tft-2",stream="tft"} 2')
      expect(metrics).toMatch(/sysboy_stream_bytes_sent_total\{device="tft-2",stream="tft"\} [1-9]\d+/)
      expect(metrics).toMatch(/sysboy_stream_fps\{device="tft-2",stream="tft"\} [\d.]+/)
    } finally {
      changing = false
      await change
      writeFileSync(usedFile, String(6 * GIB))
      device.client.close()
    }
  }, 60_000)

  it('costs the host next to nothing while it streams a scene that does not change', async () => {
    const { idle, streaming } = await streamCost('tft-3', streamed(30))
    console.log(`host CPU, static 320x240 scene at 30 fps: ${pct(streaming)} streaming, ${pct(idle)} with the same metrics and no stream`)
    expect(streaming - idle).toBeLessThan(STATIC_BOUND)
  }, 60_000)

  it('streams a region of an X screen from the config', async () => {
    const xvfb = await startXvfb(640, 480)
    const painter = new RootPainter(xvfb.display)
    const device = await TftDevice.connect('tft-4')
    try {
      painter.fill(0, 0, 640, 480, 0x204060)
      painter.fill(40, 30, 100, 50, 0xff8000)
      painter.sync()
      const region: SessionConfig = { ...streamed(30), streams: [{ output: 'tft', source: 'region', display: xvfb.display, region: { x: 20, y: 10 }, fps: 30 }] }
      expect((await api('/api/devices/tft-4/config', { method: 'PUT', body: JSON.stringify(region) })).status).toBe(200)
      await device.settle()
      // The region as the device shows it: the orange box at (20, 20) in the TFT's coordinates.
      const at = (x: number, y: number): number => device.screen.pixels[y * WIDTH + x] as number
      expect(at(25, 25)).toBe(((0xff >> 3) << 11) | ((0x80 >> 2) << 5))
      expect(at(5, 5)).toBe(((0x20 >> 3) << 11) | ((0x40 >> 2) << 5) | (0x60 >> 3))
      // Drawing inside the region reaches the device.
      painter.fill(30, 20, 4, 4, 0x00ff00)
      painter.sync()
      await device.settle()
      expect(at(10, 10)).toBe(0x07e0)

      // A region that does not fit on the X screen is refused before anything starts, naming the field.
      const other = await TftDevice.connect('tft-5')
      try {
        const outside = { ...region, streams: [{ output: 'tft', source: 'region' as const, display: xvfb.display, region: { x: 400, y: 0 } }] }
        const refused = await api('/api/devices/tft-5/config', { method: 'PUT', body: JSON.stringify(outside) })
        expect(refused.status).toBe(400)
        expect(await refused.json()).toMatchObject({ error: 'bad_config', field: 'streams.0.region', reason: expect.stringContaining('not inside the 640x480 screen') })
        expect((await devices()).find((d) => d.id === 'tft-5')?.streams).toEqual([])
      } finally {
        other.client.close()
      }
    } finally {
      device.client.close()
      painter.close()
      await xvfb.stop()
    }
  }, 60_000)

  it('uses under 1 % of a core, the whole host, while it streams a still X region from its config file', async () => {
    const xvfb = await startXvfb(640, 480)
    const painter = new RootPainter(xvfb.display)
    let regionHost: RunningSysboy | undefined
    try {
      painter.fill(0, 0, 640, 480, 0x204060)
      painter.fill(40, 30, 100, 50, 0xff8000)
      painter.sync()
      // The host as a user runs it: the default metric interval and stale timeout, the stream from the config file.
      const env = cleanEnv({ SYSBOY_NVML_LIB: nvml })
      const dir = join(env.XDG_CONFIG_HOME as string, 'sysboy')
      mkdirSync(dir, { recursive: true })
      const stream = { output: 'tft', source: 'region', display: xvfb.display, region: { x: 20, y: 10 }, fps: 30 }
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ token: TOKEN, metric: 'vram', bind: '127.0.0.1', port: 0, mdns: false, streams: [stream] }))
      regionHost = new RunningSysboy([], env)
      const device = await TftDevice.connect('tft-6', await regionHost.port())
      try {
        await device.settle()
        // Past the start's compiling and collecting: the steady cost is the figure.
        await cpuShare(regionHost.proc.pid, 3_000, () => device.pump())
        const before = device.headers().length
        const share = await cpuShare(regionHost.proc.pid, CPU_WINDOW_MS, () => device.pump())
        console.log(`host CPU, whole process, streaming a still 320x240 X region at 30 fps: ${pct(share)} over ${CPU_WINDOW_MS / 1_000} s`)
        // Nothing changed: only keep-alives went out, one pixel every half of the 5 s default stale timeout.
        const kept = device.headers().slice(before)
        expect(kept.map((h) => [h.x, h.y, h.width, h.height])).toEqual(kept.map(() => [0, 0, 1, 1]))
        expect(kept.length).toBeGreaterThanOrEqual(Math.floor(CPU_WINDOW_MS / 2_500) - 1)
        expect(share).toBeLessThan(0.01)
      } finally {
        device.client.close()
      }
    } finally {
      await regionHost?.stop()
      painter.close()
      await xvfb.stop()
    }
  }, 60_000)
})

/**
 * What a static scene stream may add to the host's CPU, as a share of a core, over 5 s windows that wander by half a
 * percent on a busy test machine: the bound that tells a regression (the seed spends 12 %). The target, 1 %
 * for the whole host, is asked of a region over CPU_WINDOW_MS.
 */
const STATIC_BOUND = 0.02

/** Long enough for a share of a core to settle: /proc counts CPU time in 10 ms ticks. */
const CPU_WINDOW_MS = 20_000

const pct = (share: number): string => `${(share * 100).toFixed(2)} % of a core`

/**
 * The host's CPU share over 5 s with a device showing the hub of vram and no stream, then over 5 s streaming `config`
 * once its first frame is shown: the same metrics are sampled and sent in both.
 */
const streamCost = async (id: string, config: SessionConfig): Promise<{ idle: number; streaming: number; device: TftDevice }> => {
  const device = await TftDevice.connect(id)
  try {
    const plain: SessionConfig = { ...config, screens: [{ output: 'tft', scenes: [{ scene: 'hub', metrics: ['vram'] }] }], streams: [] }
    expect((await api(`/api/devices/${id}/config`, { method: 'PUT', body: JSON.stringify(plain) })).status).toBe(200)
    const idle = await cpuShare(host.proc.pid, 5_000, () => device.pump())
    const put = await api(`/api/devices/${id}/config`, { method: 'PUT', body: JSON.stringify(config) })
    expect(put.status).toBe(200)
    await device.settle()
    const frames = device.headers().length
    const streaming = await cpuShare(host.proc.pid, 5_000, () => device.pump())
    // Nothing changed, so nothing more was sent than a one-pixel keep-alive every half of the 5 s stale timeout.
    const kept = device.headers().slice(frames)
    expect(kept.map((h) => [h.x, h.y, h.width, h.height])).toEqual(kept.map(() => [0, 0, 1, 1]))
    expect(kept.length).toBeGreaterThanOrEqual(1)
    return { idle, streaming, device }
  } finally {
    device.client.close()
  }
}
