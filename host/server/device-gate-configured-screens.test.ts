// The config file's screen layouts, as the gate gives them to a device that connects: the layout for its screen's
// output id when the device can show it, else the default with one line saying why; a layout from the API still wins.
import { describe, expect, it } from 'bun:test'
import type { Hello, ScreenConfig, Welcome } from '../../schema/index.ts'
import { BUILTIN_METRICS, PROTOCOL_VERSION } from '../../schema/index.ts'
import { RecordingSocket } from '../../tests/fixtures/recording-socket.ts'
import { Hub } from '../hub/hub.ts'
import { DEFAULT_SCENES } from '../screens/screen-config.ts'
import { DeviceGate } from './device-gate.ts'
import { GuessLimiter } from './guess-limiter.ts'
import { DEFAULT_TUNING } from './tuning.ts'
import { ManualTimers } from '../../tests/fixtures/manual-timers.ts'

const TOKEN = 'gate-configured-token-42'
const INTERVAL = 1_000
const FILE = '/home/desk/.config/sysboy/config.json'
const DEFAULT_OLED = { output: 'oled', scenes: DEFAULT_SCENES, width: 128, height: 64 }

/** The README's layout, with a metric the default does not show. */
const LAYOUT: ScreenConfig = {
  output: 'oled',
  scenes: [
    { scene: 'hub', metrics: ['vram', 'cpu', 'gpu_temp', 'ram'] },
    { scene: 'metric', metrics: ['disk'] },
  ],
  alerts: [{ metric: 'gpu_temp', above: 85, clear_below: 80 }],
  carousel_ms: 5_000,
}

const hello = (device: string, oled = { width: 128, height: 64 }): string =>
  JSON.stringify({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    device,
    firmware: '0.2.0',
    chip: 'sim',
    outputs: [
      { id: 'meter', kind: 'pwm', bits: 10 },
      { id: 'oled', kind: 'oled', bits: 1, ...oled },
    ],
    buttons: [{ id: 'select' }],
    token: TOKEN,
  } satisfies Hello)

const setUp = (layouts: readonly ScreenConfig[], metrics: readonly string[] = BUILTIN_METRICS): { gate: DeviceGate; hub: Hub; notes: string[]; now: number } => {
  const hub = new Hub('vram', INTERVAL)
  const notes: string[] = []
  const gate = new DeviceGate({
    timers: new ManualTimers(),
    hub,
    token: TOKEN,
    hostName: 'desk-pc',
    version: '0.2.0-test',
    metric: 'vram',
    metrics,
    intervalMs: INTERVAL,
    staleAfterMs: 3 * INTERVAL,
    limiter: new GuessLimiter(DEFAULT_TUNING.guessLimits),
    tuning: DEFAULT_TUNING,
    configuredScreens: { layouts, file: FILE },
    onNote: (line) => notes.push(line),
  })
  return { gate, hub, notes, now: Date.now() }
}

const welcomeOf = (gate: DeviceGate, now: number, frame: string): Welcome => {
  const socket = new RecordingSocket()
  gate.message(gate.open(socket, '10.0.0.9', false, now), frame, now)
  const welcome = socket.sent[0]
  if (welcome?.type !== 'welcome') throw new Error(`no welcome: ${JSON.stringify(welcome)}`)
  return welcome
}

describe('DeviceGate with screen layouts from the config file', () => {
  it('gives a screen of that output id the layout as written, and samples what it shows', () => {
    const { gate, hub, notes, now } = setUp([LAYOUT])
    const welcome = welcomeOf(gate, now, hello('desk-1'))
    expect(welcome.config.screens).toEqual([LAYOUT])
    expect(welcome.config.bindings).toEqual([{ output: 'meter', metric: 'vram' }])
    // The sampler samples the hub's wanted metrics: the layout's, and no longer the default's network figures.
    expect([...hub.wantedMetrics()].sort()).toEqual(['cpu', 'disk', 'gpu_temp', 'ram', 'vram'])
    expect(notes).toEqual([])
  })

  it("falls back to the default for a screen of another size, saying so in one line naming the device, the file's field and why", () => {
    const { gate, notes, now } = setUp([{ ...LAYOUT, width: 240, height: 240 }])
    const welcome = welcomeOf(gate, now, hello('desk-1'))
    expect(welcome.config.screens).toEqual([DEFAULT_OLED])
    expect(notes).toEqual([
      `device desk-1: ${FILE}: screens.0.width: width 240 does not match the screen 'oled', which is 128x64; screen 'oled' shows the default layout`,
    ])
    // Once per connect: a device that connects again is told again, and nothing in between.
    welcomeOf(gate, now + 1, hello('desk-1'))
    expect(notes).toHaveLength(2)
  })

  it("falls back for a metric this host does not offer, naming the file's own index", () => {
    const other: ScreenConfig = { output: 'tft', scenes: [{ scene: 'metric', metrics: ['cpu'] }] }
    const { gate, notes, now } = setUp([other, { ...LAYOUT, scenes: [{ scene: 'metric', metrics: ['fan_rpm'] }] }])
    expect(welcomeOf(gate, now, hello('desk-1')).config.screens).toEqual([DEFAULT_OLED])
    expect(notes).toEqual([
      `device desk-1: ${FILE}: screens.1.scenes.0.metrics.0: unknown metric 'fan_rpm'; this host offers ${BUILTIN_METRICS.join(', ')}; screen 'oled' shows the default layout`,
    ])
  })

  it('falls back on every screen when the layouts together show more metrics than a device keeps', () => {
    const many = Array.from({ length: 20 }, (_, i) => `m${i}`)
    // Two hubs of four on each screen: eight metrics each, twenty in all.
    const hubs = (output: string, from: number): ScreenConfig => ({
      output,
      scenes: [from, from + 4].map((at) => ({ scene: 'hub', metrics: many.slice(at, at + 4) })),
    })
    const { gate, notes, now } = setUp([hubs('oled', 0), hubs('tft', 8), hubs('lcd', 12)], many)
    const outputs = ['oled', 'tft', 'lcd'].map((id) => ({ id, kind: 'oled' as const, bits: 1, width: 128, height: 64 }))
    const frame = JSON.stringify({ ...(JSON.parse(hello('desk-1')) as Hello), outputs } satisfies Hello)
    const screens = welcomeOf(gate, now, frame).config.screens ?? []
    expect(screens.map((s) => s.scenes.flatMap((spec) => spec.metrics))).toEqual([many.slice(0, 1), many.slice(0, 1), many.slice(0, 1)])
    expect(notes).toEqual([`device desk-1: ${FILE}: screens: the screens show at most 16 different metrics in all, not 20; its screens show the default layout`])
  })

  it('leaves a device without a screen of that id to its defaults, without a word', () => {
    const { gate, notes, now } = setUp([{ ...LAYOUT, output: 'tft' }])
    expect(welcomeOf(gate, now, hello('desk-1')).config.screens).toEqual([DEFAULT_OLED])
    expect(notes).toEqual([])
  })

  it('gives a reconnecting device the layout the API gave it rather than the file', () => {
    const { gate, hub, notes, now } = setUp([LAYOUT])
    welcomeOf(gate, now, hello('desk-1'))
    const session = hub.get('desk-1')
    if (session === undefined) throw new Error('no session')
    const screens = [{ output: 'oled', scenes: [{ scene: 'metric', metrics: ['cpu'] }] }]
    gate.reconfigure(session, { ...session.config, screens }, now)
    expect(welcomeOf(gate, now + 1, hello('desk-1')).config.screens).toEqual(screens)
    // Another device still gets the file's.
    expect(welcomeOf(gate, now + 2, hello('desk-2')).config.screens).toEqual([LAYOUT])
    expect(notes).toEqual([])
  })

  it("gives the file's layout to a config that names no screens (a PUT of bindings alone), not the built-in default", () => {
    const { gate, hub, now } = setUp([LAYOUT])
    welcomeOf(gate, now, hello('desk-1'))
    const session = hub.get('desk-1')
    if (session === undefined) throw new Error('no session')
    const { screens: _, ...bindingsAlone } = session.config
    gate.reconfigure(session, { ...bindingsAlone, interval_ms: 500 }, now)
    expect(session.config.screens).toEqual([LAYOUT])
    expect(session.config.interval_ms).toBe(500)
  })
})
