// The built host with screen layouts in its config file: a device with that screen gets the layout in its welcome
// and frames of what it shows; a device whose screen it does not fit gets the default and the host says why in one
// line; a bad layout is refused at start, naming the field, with the config error's exit code.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Hello, HistoryBurst, HostMessage, ScreenConfig, Welcome } from '../schema/index.ts'
import { PROTOCOL_VERSION } from '../schema/index.ts'
import { DEFAULT_SCENES } from '../host/screens/screen-config.ts'
import { RunningSysboy, cleanEnv, runSysboy } from './cli-harness.ts'
import { DeviceClient } from './device-client.ts'

const TOKEN = 'screens-config-token-0123456789'

/** The README's example. */
const OLED: ScreenConfig = {
  output: 'oled',
  scenes: [
    { scene: 'hub', metrics: ['vram', 'cpu', 'gpu_temp', 'ram'] },
    { scene: 'metric', metrics: ['vram'] },
  ],
  alerts: [{ metric: 'gpu_temp', above: 85, clear_below: 80 }],
}
const SHOWN = ['cpu', 'gpu_temp', 'ram', 'vram']
/** Made for a 240x240 TFT; a device with a 320x240 one cannot show it. */
const TFT: ScreenConfig = { output: 'tft', scenes: [{ scene: 'metric', metrics: ['cpu'] }], width: 240, height: 240 }

let host: RunningSysboy
let port: number
let configPath: string

/** A config file in a fresh config home, and the environment that finds it. */
const withConfig = (config: unknown): { env: Record<string, string>; path: string } => {
  const env = cleanEnv()
  const dir = join(env.XDG_CONFIG_HOME as string, 'sysboy')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, 'config.json')
  writeFileSync(path, JSON.stringify(config, null, 2))
  return { env, path }
}

const connect = async (device: string, screen: Hello['outputs'][number]): Promise<DeviceClient> => {
  const client = new DeviceClient(`ws://127.0.0.1:${port}/ws`)
  await client.opened
  const hello: Hello = {
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    device,
    firmware: '0.2.0-test',
    chip: 'sim',
    outputs: [{ id: 'meter', kind: 'pwm', bits: 10 }, screen],
    buttons: [{ id: 'select' }],
    token: TOKEN,
  }
  client.send(JSON.stringify(hello))
  await client.next((m) => m.type === 'welcome')
  return client
}

const metricOf = (m: HostMessage): string | undefined => (m.type === 'metric' ? m.name : 'value' in m ? m.type : undefined)

beforeAll(async () => {
  const { env, path } = withConfig({ token: TOKEN, bind: '127.0.0.1', port: 0, metric: 'cpu', interval: 200, mdns: false, screens: [OLED, TFT] })
  configPath = path
  host = new RunningSysboy([], env)
  port = await host.port()
}, 60_000)

afterAll(async () => {
  await host?.stop()
})

describe('the built host with screen layouts in its config file', () => {
  it('welcomes a device with an OLED of that id with exactly that layout, and sends it every metric the layout shows', async () => {
    const board = await connect('oled-1', { id: 'oled', kind: 'oled', bits: 1, width: 128, height: 64 })
    try {
      const welcome = board.received[0] as Welcome
      expect(welcome.config.screens).toEqual([OLED])
      expect(welcome.config.bindings).toEqual([{ output: 'meter', metric: 'cpu' }])
      // A history burst for each shown metric right after the welcome, and none for the default's network figures.
      for (const metric of SHOWN) await board.next((m) => m.type === 'history' && m.name === metric)
      const bursts = board.received.slice(1, 1 + SHOWN.length) as HistoryBurst[]
      expect(bursts.map((b) => b.name).sort()).toEqual(SHOWN)
      for (const metric of SHOWN) await board.next((m) => metricOf(m) === metric, 10_000)
      expect(board.received.some((m) => metricOf(m) === 'net_rx' || (m.type === 'history' && m.name === 'net_rx'))).toBe(false)
    } finally {
      board.close()
    }
    expect(host.errors).toEqual([])
  }, 30_000)

  it('gives a screen the layout does not fit the default, and says why in one line on stderr', async () => {
    const board = await connect('tft-1', { id: 'tft', kind: 'tft', bits: 16, width: 320, height: 240 })
    try {
      const welcome = board.received[0] as Welcome
      expect(welcome.config.screens).toEqual([{ output: 'tft', scenes: DEFAULT_SCENES, width: 320, height: 240 }])
      // Written before the welcome went out, but through another pipe: it may come a moment later.
      for (const deadline = Date.now() + 5_000; host.errors.length === 0 && Date.now() < deadline; ) await Bun.sleep(20)
      expect(host.errors).toEqual([
        `sysboy: device tft-1: ${configPath}: screens.1.width: width 240 does not match the screen 'tft', which is 320x240; screen 'tft' shows the default layout`,
      ])
    } finally {
      board.close()
    }
  }, 30_000)
})

describe('a bad screen layout in the config file', () => {
  const refused = async (screen: unknown): Promise<{ code: number; stderr: string; path: string }> => {
    const { env, path } = withConfig({ token: TOKEN, screens: [screen] })
    const { code, stderr } = await runSysboy(['--bind', '127.0.0.1', '--port', '0', '--no-mdns'], env)
    return { code, stderr, path }
  }

  it('is refused at start with exit code 3, naming the field: an unknown one', async () => {
    const { code, stderr, path } = await refused({ ...OLED, colour: 'amber' })
    expect(code).toBe(3)
    expect(stderr).toBe(`sysboy: ${path}: screens.0.colour: unknown field (known: output, scenes, carousel_ms, alerts, brightness, rotation, width, height)\n`)
  })

  it('is refused at start with exit code 3, naming the field: a rotation of 4', async () => {
    const { code, stderr, path } = await refused({ ...OLED, rotation: 4 })
    expect(code).toBe(3)
    expect(stderr).toBe(`sysboy: ${path}: screens.0.rotation: must be <= 3 (Rotation of the picture in quarter turns clockwise (1 is 90°).)\n`)
  })

  it('is refused at start with exit code 3, naming the field: no scenes', async () => {
    const { code, stderr, path } = await refused({ output: 'oled' })
    expect(code).toBe(3)
    expect(stderr).toBe(`sysboy: ${path}: screens.0: missing field 'scenes'\n`)
  })
})
