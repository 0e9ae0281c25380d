// A device with a screen, as the gate serves it: screens in its welcome, a history burst per shown metric, frames of
// every shown metric, what it shows stored from its status.
import { describe, expect, it } from 'bun:test'
import type { Hello, HistoryBurst, HostMessage, MetricFrame, Welcome } from '../../schema/index.ts'
import { BUILTIN_METRICS, PROTOCOL_VERSION } from '../../schema/index.ts'
import { RecordingSocket } from '../../tests/fixtures/recording-socket.ts'
import { Hub } from '../hub/hub.ts'
import { DEFAULT_SCENES } from '../screens/screen-config.ts'
import { DeviceGate } from './device-gate.ts'
import { GuessLimiter } from './guess-limiter.ts'
import { DEFAULT_TUNING } from './tuning.ts'
import { ManualTimers } from '../../tests/fixtures/manual-timers.ts'

const TOKEN = 'gate-screens-token-42'
const INTERVAL = 1_000
const SCREEN_METRICS = ['vram', 'cpu', 'gpu_temp', 'ram', 'net_rx', 'net_tx']

const hello = (device = 'desk-1'): string =>
  JSON.stringify({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    device,
    firmware: '0.2.0',
    chip: 'sim',
    outputs: [
      { id: 'meter', kind: 'pwm', bits: 10 },
      { id: 'oled', kind: 'oled', bits: 1, width: 128, height: 64 },
    ],
    buttons: [{ id: 'select' }],
    token: TOKEN,
  } satisfies Hello)

const setUp = (): { gate: DeviceGate; hub: Hub; now: number } => {
  const now = Date.now()
  const hub = new Hub('vram', INTERVAL)
  const gate = new DeviceGate({
    timers: new ManualTimers(),
    hub,
    token: TOKEN,
    hostName: 'desk-pc',
    version: '0.2.0-test',
    metric: 'vram',
    metrics: BUILTIN_METRICS,
    intervalMs: INTERVAL,
    staleAfterMs: 3 * INTERVAL,
    limiter: new GuessLimiter(DEFAULT_TUNING.guessLimits),
    tuning: DEFAULT_TUNING,
  })
  return { gate, hub, now }
}

const frame = (metric: string, value: number | null, seq: number): MetricFrame => ({ type: metric, value, seq }) as MetricFrame

/** Ten samples of each metric a second apart, ending `ago` ms before `now`. */
const publishHistory = (hub: Hub, metrics: readonly string[], now: number, ago = 0): void => {
  let seq = 0
  for (let i = 9; i >= 0; i--) for (const metric of metrics) hub.publish(frame(metric, 10 + (9 - i), ++seq), now - ago - i * INTERVAL)
}

const connect = (gate: DeviceGate, now: number, device?: string): RecordingSocket => {
  const socket = new RecordingSocket()
  gate.message(gate.open(socket, '10.0.0.9', false, now), hello(device), now)
  return socket
}

const bursts = (sent: HostMessage[]): HistoryBurst[] => sent.filter((m): m is HistoryBurst => m.type === 'history')
const metricOf = (m: HostMessage): string | undefined => (m.type === 'metric' ? m.name : 'value' in m ? m.type : undefined)

describe('DeviceGate with a screen', () => {
  it("welcomes it with the default screens, the host's clock and UTC offset, and binds only its meter", () => {
    const { gate, now } = setUp()
    const welcome = connect(gate, now).sent[0] as Welcome
    expect(welcome.type).toBe('welcome')
    expect(welcome.config.bindings).toEqual([{ output: 'meter', metric: 'vram' }])
    expect(welcome.config.screens).toEqual([{ output: 'oled', scenes: DEFAULT_SCENES, width: 128, height: 64 }])
    expect(welcome.time).toBe(now)
    expect(welcome.utc_offset_min).toBe(0 - new Date(now).getTimezoneOffset())
  })

  it('sends a history burst of every shown metric after the welcome, fresh values only, then the newest frames', () => {
    const { gate, hub, now } = setUp()
    publishHistory(hub, ['vram', 'cpu', 'ram', 'net_rx', 'net_tx'], now)
    publishHistory(hub, ['gpu_temp'], now, 60_000)
    const sent = connect(gate, now).sent
    const history = bursts(sent)
    expect(history.map((b) => b.name).sort()).toEqual([...SCREEN_METRICS].sort())
    expect(sent.findIndex((m) => m.type === 'history')).toBe(1)
    for (const burst of history) {
      expect(burst.interval_ms).toBe(INTERVAL)
      // The newest value comes in the frame that follows; gpu_temp's newest reading is a minute old: no burst values.
      expect(burst.values).toEqual(burst.name === 'gpu_temp' ? [] : [10, 11, 12, 13, 14, 15, 16, 17, 18])
    }
    const frames = sent.slice(1 + history.length)
    expect(frames.map(metricOf).sort()).toEqual(['cpu', 'net_rx', 'net_tx', 'ram', 'vram'])
    expect(frames.every((m) => 'value' in m && m.value === 19)).toBe(true)
  })

  it('samples and sends every metric the screens show, not one per output', () => {
    const { gate, hub, now } = setUp()
    connect(gate, now)
    expect([...hub.wantedMetrics()].sort()).toEqual([...SCREEN_METRICS].sort())
    const socket = connect(gate, now, 'desk-2')
    const from = socket.sent.length
    for (const metric of SCREEN_METRICS) hub.publish(frame(metric, 50, 100), now + 10)
    expect(socket.sent.slice(from).map(metricOf).sort()).toEqual([...SCREEN_METRICS].sort())
  })

  it('sends a burst for a metric a new config puts on a screen, and none for those already shown', () => {
    const { gate, hub, now } = setUp()
    publishHistory(hub, [...SCREEN_METRICS, 'disk'], now)
    const socket = connect(gate, now)
    const session = hub.get('desk-1')
    if (session === undefined) throw new Error('no session')
    const from = socket.sent.length
    const screens = [{ output: 'oled', scenes: [...DEFAULT_SCENES, { scene: 'metric', metrics: ['disk'] }] }]
    gate.reconfigure(session, { ...session.config, screens }, now)
    const after = socket.sent.slice(from)
    expect(after[0]?.type).toBe('config')
    expect(bursts(after).map((b) => [b.name, b.values.length])).toEqual([['disk', 9]])
    expect(after.slice(2).map(metricOf)).toEqual(['disk'])
    expect(session.sent.history('disk')).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19])
  })

  it('keeps what each screen shows from the status, and keeps it through a status that does not say', () => {
    const { gate, hub, now } = setUp()
    const socket = new RecordingSocket()
    const connection = gate.open(socket, '10.0.0.9', false, now)
    gate.message(connection, hello(), now)
    const shown = [{ output: 'oled', scene: 'metric', index: 1 }]
    gate.message(connection, JSON.stringify({ type: 'status', link: 'sim', heap_free: 1, uptime_ms: 1, screens: shown }), now)
    gate.message(connection, JSON.stringify({ type: 'status', link: 'sim', heap_free: 2, uptime_ms: 2 }), now)
    expect(hub.devices()[0]?.screens).toEqual(shown)
    expect(hub.devices()[0]?.lastStatus?.heap_free).toBe(2)
  })

  it('gives a reconnecting device the screens it was last given', () => {
    const { gate, hub, now } = setUp()
    connect(gate, now)
    const session = hub.get('desk-1')
    if (session === undefined) throw new Error('no session')
    const screens = [{ output: 'oled', scenes: [{ scene: 'metric', metrics: ['cpu'] }], carousel_ms: 5_000 }]
    gate.reconfigure(session, { ...session.config, screens }, now)
    const welcome = connect(gate, now + 1).sent[0] as Welcome
    expect(welcome.config.screens).toEqual(screens)
  })
})
