// The config file's streams, as the gate gives them to a device that connects: the stream to its tft of that output
// id when the device takes streams (the screen then shows the stream, unless a layout says otherwise), else the
// default with one line saying why; a stream or a layout from the API still wins.
import { afterEach, describe, expect, it } from 'bun:test'
import type { Hello, ScreenConfig, SessionConfig, Welcome } from '../../schema/index.ts'
import { BUILTIN_METRICS, PROTOCOL_VERSION } from '../../schema/index.ts'
import { RecordingSocket } from '../../tests/fixtures/recording-socket.ts'
import { until } from '../../tests/fixtures/until.ts'
import type { StreamHeader } from '../../tests/fixtures/stream-decoder.ts'
import { Hub } from '../hub/hub.ts'
import { DEFAULT_SCENES } from '../screens/screen-config.ts'
import type { CaptureSource, Frame565 } from '../stream/frame.ts'
import type { StreamConfig } from '../stream/stream-config.ts'
import type { DeviceConnection } from './device-gate.ts'
import { DeviceGate } from './device-gate.ts'
import { GuessLimiter } from './guess-limiter.ts'
import { DEFAULT_TUNING } from './tuning.ts'
import { ManualTimers } from '../../tests/fixtures/manual-timers.ts'

const TOKEN = 'gate-configured-streams-42'
const FILE = '/home/desk/.config/sysboy/config.json'
const WIDTH = 320
const HEIGHT = 240
const REGION: StreamConfig = { output: 'tft', source: 'region', region: { x: 0, y: 0 }, fps: 60 }
const STREAM_LAYOUT = [{ scene: 'stream', metrics: [] }]

const hello = (device: string, fields: Partial<Hello> = {}): string =>
  JSON.stringify({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    device,
    firmware: '0.3.0',
    chip: 'sim',
    outputs: [
      { id: 'meter', kind: 'pwm', bits: 10 },
      { id: 'tft', kind: 'tft', bits: 16, width: WIDTH, height: HEIGHT },
    ],
    buttons: [],
    token: TOKEN,
    flow_control: true,
    stream_buffer: 4_096,
    encodings: ['raw565', 'rle565'],
    ...fields,
  } satisfies Hello)

/** A still grey PC screen. */
const stillScreen = (width: number, height: number): CaptureSource => {
  const frame: Frame565 = { width, height, pixels: new Uint16Array(width * height).fill(0x8410) }
  return { width, height, capture: () => frame, close: () => {} }
}

const open: [DeviceGate, DeviceConnection][] = []
afterEach(() => {
  for (const [gate, connection] of open.splice(0)) gate.close(connection)
})

const setUp = (streams: readonly StreamConfig[], layouts: readonly ScreenConfig[] = []): { gate: DeviceGate; hub: Hub; notes: string[] } => {
  const hub = new Hub('vram', 1_000)
  const notes: string[] = []
  const gate = new DeviceGate({
    timers: new ManualTimers(),
    hub,
    token: TOKEN,
    hostName: 'desk-pc',
    version: '0.3.0-test',
    metric: 'vram',
    metrics: BUILTIN_METRICS,
    intervalMs: 1_000,
    staleAfterMs: 3_000,
    limiter: new GuessLimiter(DEFAULT_TUNING.guessLimits),
    tuning: DEFAULT_TUNING,
    configuredScreens: { layouts, streams, file: FILE },
    onNote: (line) => notes.push(line),
    openRegion: (request) => ({ ok: true, source: stillScreen(request.width, request.height) }),
  })
  return { gate, hub, notes }
}

const connect = (gate: DeviceGate, frame: string): { socket: RecordingSocket; welcome: Welcome } => {
  const socket = new RecordingSocket()
  const connection = gate.open(socket, '10.0.0.9', false, Date.now())
  open.push([gate, connection])
  gate.message(connection, frame, Date.now())
  const welcome = socket.sent[0]
  if (welcome?.type !== 'welcome') throw new Error(`no welcome: ${JSON.stringify(welcome)}`)
  return { socket, welcome }
}

const tftScenes = (config: SessionConfig): string[] | undefined => config.screens?.find((s) => s.output === 'tft')?.scenes.map((s) => s.scene)

const headers = (socket: RecordingSocket): StreamHeader[] => socket.sent.filter((m): m is StreamHeader => m.type === 'stream')


describe('DeviceGate with streams from the config file', () => {
  it('streams to a tft of that output id that takes streams, and its screen shows the stream', async () => {
    const { gate, hub, notes } = setUp([REGION])
    const { socket, welcome } = connect(gate, hello('desk-1'))
    expect(welcome.config.streams).toEqual([REGION])
    expect(tftScenes(welcome.config)).toEqual(['stream'])
    await until('a whole frame sent', () => headers(socket).some((h) => h.last), 1_000)
    expect(headers(socket).filter((h) => h.seq === 1).reduce((sum, h) => sum + h.width * h.height, 0)).toBe(WIDTH * HEIGHT)
    expect(hub.get('desk-1')?.info().streams).toMatchObject([{ output: 'tft', source: 'region', targetFps: 60 }])
    expect(notes).toEqual([])
  })

  it("shows the file's layout for a streamed screen when it has the stream scene, in a carousel say", () => {
    const layout: ScreenConfig = { output: 'tft', scenes: [...STREAM_LAYOUT, { scene: 'metric', metrics: ['cpu'] }], carousel_ms: 5_000 }
    const { gate } = setUp([REGION], [layout])
    const { welcome } = connect(gate, hello('desk-1'))
    expect(welcome.config.screens?.find((s) => s.output === 'tft')).toMatchObject(layout)
    expect(welcome.config.streams).toEqual([REGION])
  })

  it('gives a device that cannot take the stream the default, with one line saying why', () => {
    const scene: StreamConfig = { output: 'tft', source: 'scene', scene: 'hub', metrics: ['vram', 'fan_rpm'] }
    const cases: [string, string, StreamConfig, string][] = [
      [hello('no-encodings', { encodings: undefined, stream_buffer: undefined }), 'no-encodings', REGION, "streams.0.output: device 'no-encodings' announced no stream encodings in its hello, so it takes no stream"],
      [
        hello('oled-named-tft', { outputs: [{ id: 'tft', kind: 'oled', bits: 1, width: 128, height: 64 }] }),
        'oled-named-tft',
        REGION,
        "streams.0.output: output 'tft' is not a tft screen, and only a tft shows a stream; the device's tft screens: none",
      ],
      [hello('desk-1'), 'desk-1', scene, `streams.0.metrics.1: unknown metric 'fan_rpm'; this host offers ${BUILTIN_METRICS.join(', ')}`],
    ]
    for (const [frame, device, stream, why] of cases) {
      const { gate, hub, notes } = setUp([stream])
      const { welcome } = connect(gate, frame)
      expect(welcome.config.streams).toBeUndefined()
      expect(tftScenes(welcome.config)).not.toContain('stream')
      expect(notes).toEqual([`device ${device}: ${FILE}: ${why}; screen 'tft' shows the default layout`])
      expect(hub.get(device)?.info().streams).toEqual([])
    }
  })

  it('leaves a device without a screen of that id alone, without a line', () => {
    const { gate, notes } = setUp([{ ...REGION, output: 'side' }])
    const { welcome } = connect(gate, hello('desk-1'))
    expect(welcome.config.streams).toBeUndefined()
    expect(tftScenes(welcome.config)).toEqual(DEFAULT_SCENES.map((s) => s.scene))
    expect(notes).toEqual([])
  })

  it("yields to a stream given through the API, and to a layout without the stream scene, which turns the file's stream off", async () => {
    const { gate, hub } = setUp([REGION])
    connect(gate, hello('desk-1'))
    const session = hub.get('desk-1')
    if (session === undefined) throw new Error('no session')
    const base: SessionConfig = { bindings: [{ output: 'meter', metric: 'vram' }], interval_ms: 1_000, stale_after_ms: 3_000 }
    const other: StreamConfig = { ...REGION, region: { x: 10, y: 10 }, fps: 20 }
    gate.reconfigure(session, { ...base, streams: [other] }, Date.now())
    expect(session.config.streams).toEqual([other])
    expect(session.stream('tft')?.config).toEqual(other)
    // No stream named, no layout: the file's stream again.
    gate.reconfigure(session, base, Date.now())
    expect(session.config.streams).toEqual([REGION])
    gate.reconfigure(session, { ...base, screens: [{ output: 'tft', scenes: [{ scene: 'metric', metrics: ['cpu'] }] }] }, Date.now())
    expect(session.config.streams).toBeUndefined()
    expect(tftScenes(session.config)).toEqual(['metric'])
    expect(session.stream('tft')).toBeUndefined()
  })
})
