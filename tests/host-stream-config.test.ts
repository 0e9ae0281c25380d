// The built host with a stream in its config file: a device with a tft of that id that takes streams gets the stream
// in its welcome, the stream scene on that screen, and stream frames that decode into the host's picture of it, with
// no API call; a device that cannot take it gets the default and the host says why in one line; a bad stream is
// refused at start, naming the field, with the config error's exit code.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { decode } from 'fast-png'
import type { Hello, Welcome } from '../schema/index.ts'
import { PROTOCOL_VERSION } from '../schema/index.ts'
import { DEFAULT_SCENES } from '../host/screens/screen-config.ts'
import type { StreamConfig } from '../host/stream/stream-config.ts'
import { RunningSysboy, cleanEnv, runSysboy } from './cli-harness.ts'
import { DeviceClient } from './device-client.ts'
import { StreamScreen } from './fixtures/stream-decoder.ts'

const TOKEN = 'stream-config-token-0123456789'
const WIDTH = 240
const HEIGHT = 240
const STREAM: StreamConfig = { output: 'tft', source: 'scene', scene: 'hub', metrics: ['cpu'], fps: 10 }

let host: RunningSysboy
let port: number
let configPath: string

const withConfig = (config: unknown): { env: Record<string, string>; path: string } => {
  const env = cleanEnv()
  const dir = join(env.XDG_CONFIG_HOME as string, 'sysboy')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, 'config.json')
  writeFileSync(path, JSON.stringify(config, null, 2))
  return { env, path }
}

const connect = async (device: string, fields: Partial<Hello> = {}): Promise<DeviceClient> => {
  const client = new DeviceClient(`ws://127.0.0.1:${port}/ws`)
  await client.opened
  const hello: Hello = {
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    device,
    firmware: '0.3.0-test',
    chip: 'sim',
    outputs: [{ id: 'tft', kind: 'tft', bits: 16, width: WIDTH, height: HEIGHT }],
    buttons: [],
    token: TOKEN,
    flow_control: true,
    stream_buffer: 8_192,
    encodings: ['raw565', 'rle565', 'lz4_565'],
    ...fields,
  }
  client.send(JSON.stringify(hello))
  await client.next((m) => m.type === 'welcome')
  return client
}

/** RGB565 to 8-bit RGB as the host's PNG writes it (embedded-graphics' rounding). */
const widen = (value: number, max: number): number => Math.floor((value * 255 + Math.floor(max / 2)) / max)

beforeAll(async () => {
  const { env, path } = withConfig({ token: TOKEN, bind: '127.0.0.1', port: 0, metric: 'cpu', interval: 200, mdns: false, streams: [STREAM] })
  configPath = path
  host = new RunningSysboy([], env)
  port = await host.port()
}, 60_000)

afterAll(async () => {
  await host?.stop()
})

describe('the built host with a stream in its config file', () => {
  it('streams to a device with a tft of that id that takes streams, with no API call: the stream scene, then frames of the picture', async () => {
    const board = await connect('tft-1')
    try {
      const welcome = board.received[0] as Welcome
      expect(welcome.config.streams).toEqual([STREAM])
      expect(welcome.config.screens?.find((s) => s.output === 'tft')?.scenes).toEqual([{ scene: 'stream', metrics: [] }])
      const screen = new StreamScreen(WIDTH, HEIGHT)
      let applied = 0
      const pump = (): void => {
        for (; applied < board.binaries.length; applied++) {
          const binary = board.binaries[applied] as { after: number; bytes: Uint8Array }
          const header = board.received[binary.after]
          if (header?.type !== 'stream') throw new Error(`a binary frame after a ${header?.type} message`)
          if (screen.apply(header, binary.bytes)) board.send(JSON.stringify({ type: 'applied', seq: header.seq, stream: header.stream }))
        }
      }
      await board.next((m) => m.type === 'stream' && m.seq === 1 && m.last, 15_000)
      pump()
      const first = board.received.filter((m) => m.type === 'stream' && m.seq === 1)
      expect(first.reduce((sum, m) => sum + (m.type === 'stream' ? m.width * m.height : 0), 0)).toBe(WIDTH * HEIGHT)
      // What the device shows is the host's picture of the screen (the picture may move on with the cpu figure).
      for (let tries = 0; ; tries++) {
        await Bun.sleep(300)
        pump()
        const png = decode(new Uint8Array(await (await fetch(`http://127.0.0.1:${port}/api/devices/tft-1/screens/tft.png`, { headers: { Authorization: `Bearer ${TOKEN}` } })).arrayBuffer()))
        pump()
        const rgb = new Uint8Array(WIDTH * HEIGHT * 3)
        screen.pixels.forEach((p, i) => {
          rgb[3 * i] = widen(p >> 11, 31)
          rgb[3 * i + 1] = widen((p >> 5) & 63, 63)
          rgb[3 * i + 2] = widen(p & 31, 31)
        })
        if (Buffer.from(png.data as Uint8Array).equals(Buffer.from(rgb))) break
        if (tries > 20) throw new Error("the device's picture never matched the host's")
      }
      expect(new Set(screen.pixels).size).toBeGreaterThan(2)
    } finally {
      board.close()
    }
    expect(host.errors).toEqual([])
  }, 30_000)

  it('gives a device that takes no stream the default, and says why in one line on stderr', async () => {
    const board = await connect('plain-1', { encodings: undefined, stream_buffer: undefined })
    try {
      const welcome = board.received[0] as Welcome
      expect(welcome.config.streams).toBeUndefined()
      expect(welcome.config.screens).toEqual([{ output: 'tft', scenes: DEFAULT_SCENES, carousel_ms: 10_000, width: WIDTH, height: HEIGHT }])
      for (const deadline = Date.now() + 5_000; host.errors.length === 0 && Date.now() < deadline; ) await Bun.sleep(20)
      expect(host.errors).toEqual([
        `sysboy: device plain-1: ${configPath}: streams.0.output: device 'plain-1' announced no stream encodings in its hello, so it takes no stream; screen 'tft' shows the default layout`,
      ])
      await Bun.sleep(300)
      expect(board.received.some((m) => m.type === 'stream')).toBe(false)
    } finally {
      board.close()
    }
  }, 30_000)
})

describe('a bad stream in the config file', () => {
  const refused = async (stream: unknown): Promise<{ code: number; stderr: string; path: string }> => {
    const { env, path } = withConfig({ token: TOKEN, streams: [stream] })
    const { code, stderr } = await runSysboy(['--bind', '127.0.0.1', '--port', '0', '--no-mdns'], env)
    return { code, stderr, path }
  }

  it('is refused at start with exit code 3, naming the field: an unknown one, an fps of 120, a scene the host does not draw', async () => {
    const cases: [unknown, string][] = [
      [{ ...STREAM, rate: 10 }, 'streams.0.rate: unknown field (known: output, source, region, display, scene, metrics, fps, max_threshold, gamma, white_balance)'],
      [{ ...STREAM, fps: 120 }, 'streams.0.fps: must be <= 60 (Frames per second to aim for (default 30).)'],
      [{ ...STREAM, scene: 'clock' }, "streams.0.scene: unknown scene 'clock'; a scene stream draws one of hub, metric, network"],
    ]
    for (const [stream, reason] of cases) {
      const { code, stderr, path } = await refused(stream)
      expect({ code, stderr }).toEqual({ code: 3, stderr: `sysboy: ${path}: ${reason}\n` })
    }
  }, 30_000)
})
