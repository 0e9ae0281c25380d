// A device with a TFT that takes streams, as the gate serves it: streams start and stop with its config and its
// socket, each rectangle's header goes out right before its binary frame, acknowledgements open the stream's window,
// and a source that fails is reported while the session goes on.
import { afterEach, describe, expect, it } from 'bun:test'
import type { Hello, SessionConfig } from '../../schema/index.ts'
import { BUILTIN_METRICS, PROTOCOL_VERSION } from '../../schema/index.ts'
import type { StreamHeader } from '../../tests/fixtures/stream-decoder.ts'
import { StreamScreen } from '../../tests/fixtures/stream-decoder.ts'
import { RecordingSocket } from '../../tests/fixtures/recording-socket.ts'
import { until } from '../../tests/fixtures/until.ts'
import { Hub } from '../hub/hub.ts'
import type { CaptureSource, Frame565 } from '../stream/frame.ts'
import type { StreamConfig } from '../stream/stream-config.ts'
import { STREAM_WINDOW } from '../stream/stream-session.ts'
import type { RegionCaptureOptions } from '../stream/capture.ts'
import type { DeviceConnection } from './device-gate.ts'
import { DeviceGate } from './device-gate.ts'
import { GuessLimiter } from './guess-limiter.ts'
import { prometheusText, deviceStreams } from './prometheus-text.ts'
import { DEFAULT_TUNING } from './tuning.ts'
import { ManualTimers } from '../../tests/fixtures/manual-timers.ts'

const TOKEN = 'gate-streams-token-42'
const WIDTH = 320
const HEIGHT = 240
const BUFFER = 4_096

const hello = (fields: Partial<Hello> = {}): string =>
  JSON.stringify({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    device: 'desk-1',
    firmware: '0.3.0',
    chip: 'sim',
    outputs: [
      { id: 'meter', kind: 'pwm', bits: 10 },
      { id: 'tft', kind: 'tft', bits: 16, width: WIDTH, height: HEIGHT },
    ],
    buttons: [],
    token: TOKEN,
    flow_control: true,
    stream_buffer: BUFFER,
    encodings: ['raw565', 'rle565', 'lz4_565'],
    ...fields,
  } satisfies Hello)

/** A PC screen 1920x1080 whose every capture differs from the last (a clock that never stops), or one that refuses. */
class TickingScreen implements CaptureSource {
  readonly width: number
  readonly height: number
  readonly frame: Frame565
  captures = 0
  closed = false
  /** The clock stopped: every capture gives the last picture again. */
  still = false

  constructor(request: RegionCaptureOptions) {
    this.width = request.width
    this.height = request.height
    this.frame = { width: request.width, height: request.height, pixels: new Uint16Array(request.width * request.height).fill(0x18e3) }
  }

  capture(): Frame565 {
    this.captures += 1
    if (!this.still) this.frame.pixels.fill(this.captures & 0xffff, 0, 40)
    return this.frame
  }

  close(): void {
    this.closed = true
  }
}

interface Fixture {
  gate: DeviceGate
  hub: Hub
  notes: string[]
  screens: TickingScreen[]
  refuse: { reason: string | undefined }
}

const running: DeviceGate[] = []
const connections: [DeviceGate, DeviceConnection][] = []
afterEach(() => {
  for (const [gate, connection] of connections.splice(0)) gate.close(connection)
  running.length = 0
})

const setUp = (): Fixture => {
  const hub = new Hub('vram', 1_000)
  const notes: string[] = []
  const screens: TickingScreen[] = []
  const refuse = { reason: undefined as string | undefined }
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
    onNote: (line) => notes.push(line),
    openRegion: (request) => {
      if (refuse.reason !== undefined) return { ok: false, reason: refuse.reason }
      if (request.x + request.width > 1920 || request.y + request.height > 1080) {
        return { ok: false, reason: `the region ${request.width}x${request.height} at ${request.x},${request.y} is not inside the 1920x1080 screen` }
      }
      const screen = new TickingScreen(request)
      screens.push(screen)
      return { ok: true, source: screen }
    },
  })
  running.push(gate)
  return { gate, hub, notes, screens, refuse }
}

const connect = (gate: DeviceGate, fields: Partial<Hello> = {}): { socket: RecordingSocket; connection: DeviceConnection } => {
  const socket = new RecordingSocket()
  const connection = gate.open(socket, '10.0.0.9', false, Date.now())
  connections.push([gate, connection])
  gate.message(connection, hello(fields), Date.now())
  return { socket, connection }
}

const REGION: StreamConfig = { output: 'tft', source: 'region', region: { x: 100, y: 100 }, fps: 60 }

const withStreams = (streams: StreamConfig[]): SessionConfig => ({
  bindings: [{ output: 'meter', metric: 'vram' }],
  interval_ms: 1_000,
  stale_after_ms: 3_000,
  streams,
})

const headers = (socket: RecordingSocket): StreamHeader[] => socket.sent.filter((m): m is StreamHeader => m.type === 'stream')


describe('DeviceGate with a TFT that takes streams', () => {
  it('streams a configured region: the whole screen first, each header right before its binary frame, at most the window unacknowledged', async () => {
    const { gate, hub, screens } = setUp()
    const { socket } = connect(gate)
    const session = hub.get('desk-1')
    if (session === undefined) throw new Error('no session')
    gate.reconfigure(session, withStreams([REGION]), Date.now())
    const config = socket.sent.findLast((m) => m.type === 'config')
    expect(config?.type === 'config' && config.screens?.find((s) => s.output === 'tft')?.scenes).toEqual([{ scene: 'stream', metrics: [] }])
    await until('the window of frames sent', () => headers(socket).filter((h) => h.last).length === STREAM_WINDOW, 1_000)
    await Bun.sleep(100)
    // No acknowledgement yet: the window's frames and no more, and nothing captured while it was full.
    expect(headers(socket).filter((h) => h.last).length).toBe(STREAM_WINDOW)
    expect(screens[0]?.captures).toBe(STREAM_WINDOW)
    expect(screens[0]?.frame.width).toBe(WIDTH)

    // Every header is followed by exactly its binary frame, of the length it says, within the stream buffer.
    const streamIndexes = socket.sent.flatMap((m, i) => (m.type === 'stream' ? [i] : []))
    expect(socket.binaries.map((b) => b.after)).toEqual(streamIndexes)
    for (const binary of socket.binaries) {
      const header = socket.sent[binary.after] as StreamHeader
      expect(binary.bytes.length).toBe(header.length)
      expect(binary.bytes.length).toBeLessThanOrEqual(BUFFER)
    }
    const tft = new StreamScreen(WIDTH, HEIGHT)
    const first = headers(socket).filter((h) => h.seq === 1)
    expect(first.reduce((sum, h) => sum + h.width * h.height, 0)).toBe(WIDTH * HEIGHT)
    for (const binary of socket.binaries) tft.apply(socket.sent[binary.after] as StreamHeader, binary.bytes)
    expect(tft.pixels).toEqual((screens[0] as TickingScreen).frame.pixels)

    // A metric ack leaves the stream's window alone; the stream's own ack opens it, and the waiting frame goes out.
    const connection = connections[0]?.[1] as DeviceConnection
    gate.message(connection, JSON.stringify({ type: 'applied', seq: 1 }), Date.now())
    expect(session.info().streams[0]?.inFlight).toBe(STREAM_WINDOW)
    const before = headers(socket).length
    gate.message(connection, JSON.stringify({ type: 'applied', seq: 2, stream: 'tft' }), Date.now())
    expect(headers(socket).length).toBeGreaterThan(before)
    expect(headers(socket).at(-1)?.seq).toBe(STREAM_WINDOW + 1)
    const info = session.info().streams[0]
    expect(info).toMatchObject({ output: 'tft', source: 'region', targetFps: 60, framesSent: STREAM_WINDOW + 1, inFlight: 1, threshold: 0 })
    expect(info?.windowWaits).toBe(1)
    expect(info?.dropped).toBeGreaterThan(0)
    expect(info?.bytes).toBeGreaterThan(socket.binaries.reduce((sum, b) => sum + b.bytes.length, 0))

    const text = prometheusText(hub.figures, hub.size, deviceStreams(hub))
    expect(text).toContain(`sysboy_stream_frames_sent_total{device="desk-1",stream="tft"} ${STREAM_WINDOW + 1}`)
    expect(text).toMatch(/sysboy_stream_fps\{device="desk-1",stream="tft"\} [\d.]+/)
    expect(text).toMatch(/sysboy_stream_bytes_sent_total\{device="desk-1",stream="tft"\} \d+/)
    expect(text).toMatch(/sysboy_stream_frames_dropped_total\{device="desk-1",stream="tft"\} [1-9]\d*/)
    expect(text).toContain('sysboy_stream_window_waits_total{device="desk-1",stream="tft"} 1')

    // Closing the socket stops the stream: its source is closed and nothing more is sent.
    gate.close(connection)
    const sent = socket.sent.length
    expect(screens[0]?.closed).toBe(true)
    await Bun.sleep(60)
    expect(socket.sent.length).toBe(sent)
  })

  it("sends the whole screen again when the status shows the stream back or the device refused a rectangle, and keeps a still picture alive", async () => {
    const { gate, hub, screens } = setUp()
    const { socket, connection } = connect(gate)
    const session = hub.get('desk-1')
    if (session === undefined) throw new Error('no session')
    gate.reconfigure(session, { ...withStreams([REGION]), stale_after_ms: 500 }, Date.now())
    const say = (message: object): void => gate.message(connection, JSON.stringify(message), Date.now())
    const shows = (scene: string): void => say({ type: 'status', link: 'sim', heap_free: 1, uptime_ms: 1, screens: [{ output: 'tft', scene }] })
    const areaOf = (seq: number): number => headers(socket).filter((h) => h.seq === seq).reduce((sum, h) => sum + h.width * h.height, 0)
    /** Acknowledges every frame sent, as a device that keeps up does, until a frame after `from` headers passes `check`. */
    const ackUntil = async (from: number, check: (seq: number) => boolean): Promise<number> => {
      let found: number | undefined
      await until(
        'the frame looked for',
        () => {
          for (const h of headers(socket).filter((h) => h.last)) say({ type: 'applied', seq: h.seq, stream: 'tft' })
          found = headers(socket).slice(from).find((h) => h.last && check(h.seq))?.seq
          return found !== undefined
        },
        1_000,
        10,
      )
      return found as number
    }
    await ackUntil(0, (seq) => seq === 3)
    expect([areaOf(1), areaOf(2), areaOf(3)]).toEqual([WIDTH * HEIGHT, 40, 40])

    // An alert covers the stream: the frames go on, small; once the stream shows again, one whole screen.
    shows('stream')
    shows('alert')
    const covered = headers(socket).length
    const seq = await ackUntil(covered, (seq) => seq > 6)
    for (let s = (headers(socket)[covered]?.seq ?? 0) + 1; s <= seq; s++) expect(areaOf(s)).toBe(40)
    shows('stream')
    await ackUntil(headers(socket).length, (seq) => areaOf(seq) === WIDTH * HEIGHT)

    // The device refused a rectangle: one whole screen again. Another device's kind of error changes nothing.
    const before = headers(socket).length
    say({ type: 'error', code: 'unknown_metric', reason: "stream 'tft' seq 1: not a stream error at all" })
    await ackUntil(before, (seq) => seq > (headers(socket)[before]?.seq ?? 0) + 3)
    expect(headers(socket).slice(before).every((h) => h.width * h.height === 40)).toBe(true)
    const last = headers(socket).at(-1)?.seq ?? 0
    say({ type: 'error', code: 'bad_frame', reason: `stream 'tft' seq ${last} rect 0,0 40x1 raw565 length 80: the payload is not the header's 80 bytes` })
    await ackUntil(headers(socket).length, (seq) => areaOf(seq) === WIDTH * HEIGHT)

    // The picture stops changing: one pixel it already shows, every half of the 500 ms stale timeout.
    ;(screens[0] as TickingScreen).still = true
    await Bun.sleep(100)
    const still = headers(socket).length
    const started = Date.now()
    await ackUntil(still, () => headers(socket).slice(still).filter((h) => h.last).length >= 4)
    const elapsed = Date.now() - started
    expect(headers(socket).slice(still).map((h) => [h.x, h.y, h.width, h.height])).toEqual(Array.from({ length: 4 }, () => [0, 0, 1, 1]))
    expect(elapsed).toBeGreaterThan(3 * 200)
    expect(elapsed).toBeLessThan(4 * 250 + 200)
  })

  it('keeps a stream running through a config that leaves it as it was, and starts it afresh when it changes', async () => {
    const { gate, hub, screens } = setUp()
    const { socket } = connect(gate)
    const session = hub.get('desk-1')
    if (session === undefined) throw new Error('no session')
    gate.reconfigure(session, withStreams([REGION]), Date.now())
    await until('a whole frame sent', () => headers(socket).some((h) => h.last), 1_000)
    gate.reconfigure(session, { ...withStreams([REGION]), bindings: [{ output: 'meter', metric: 'cpu' }] }, Date.now())
    expect(screens.length).toBe(1)
    gate.reconfigure(session, withStreams([{ ...REGION, fps: 30 }]), Date.now())
    await until('two screens opened', () => screens.length === 2, 1_000)
    expect(screens[0]?.closed).toBe(true)
    gate.reconfigure(session, withStreams([]), Date.now())
    expect(screens[1]?.closed).toBe(true)
    expect(session.info().streams).toEqual([])
  })

  it('says once why a region cannot be captured, shows it in the device info, and goes on sending metrics', async () => {
    const { gate, hub, notes, refuse } = setUp()
    refuse.reason = 'no X display: DISPLAY is not set; run the host in your desktop session, or set display in the stream'
    const { socket } = connect(gate)
    const session = hub.get('desk-1')
    if (session === undefined) throw new Error('no session')
    gate.reconfigure(session, withStreams([REGION]), Date.now())
    await until('a note', () => notes.length > 0, 1_000)
    expect(notes).toEqual([`device desk-1: streams.0 (region to 'tft'): ${refuse.reason}; the metrics go on`])
    expect(session.info().streams[0]?.error).toBe(refuse.reason)
    hub.publish({ type: 'vram', value: 40, seq: 1 }, Date.now())
    expect(socket.sent.at(-1)).toMatchObject({ type: 'vram', value: 40 })
    expect(headers(socket)).toEqual([])
  })

  it('refuses, before starting, a region outside the screen and a stream the device cannot take, naming the field', async () => {
    const { gate, hub } = setUp()
    connect(gate)
    const session = hub.get('desk-1')
    if (session === undefined) throw new Error('no session')
    expect(await gate.streamRefusal(session, withStreams([{ ...REGION, region: { x: 1800, y: 0 } }]))).toMatchObject({
      error: 'bad_config',
      field: 'streams.0.region',
      reason: expect.stringContaining('not inside the 1920x1080 screen'),
    })
    expect(await gate.streamRefusal(session, withStreams([{ ...REGION, output: 'meter' }]))).toMatchObject({ field: 'streams.0.output' })
    expect(await gate.streamRefusal(session, withStreams([REGION]))).toBeUndefined()
  })

  it('samples the metrics of a scene stream for the host alone: recorded for the drawing, not sent to the device', async () => {
    const { gate, hub } = setUp()
    const { socket } = connect(gate)
    const session = hub.get('desk-1')
    if (session === undefined) throw new Error('no session')
    gate.reconfigure(session, withStreams([{ output: 'tft', source: 'scene', scene: 'hub', metrics: ['cpu', 'vram'], fps: 60 }]), Date.now())
    expect(hub.wantedMetrics()).toContain('cpu')
    hub.publish({ type: 'cpu', value: 37, seq: 1 }, Date.now())
    hub.publish({ type: 'vram', value: 50, seq: 2 }, Date.now())
    // vram drives the meter, so the device gets it; cpu only the host draws.
    const since = socket.sent.slice(socket.sent.findLastIndex((m) => m.type === 'config'))
    expect(since.some((m) => m.type === 'cpu' || (m.type === 'history' && m.name === 'cpu'))).toBe(false)
    expect(since.some((m) => m.type === 'vram')).toBe(true)
    expect(session.sent.latest('cpu')?.frame.value).toBe(37)
    expect(session.sent.history('cpu')).toEqual([37])
    await until('a whole frame sent', () => headers(socket).some((h) => h.last), 1_000)
    expect(session.stream('tft')?.shown()?.width).toBe(WIDTH)
  })

  it('starts no stream for a device without encodings, and gives its tft the colour scenes', () => {
    const { gate, hub } = setUp()
    const { socket } = connect(gate, { encodings: undefined, stream_buffer: undefined })
    const welcome = socket.sent[0]
    expect(welcome?.type === 'welcome' && welcome.config.screens?.find((s) => s.output === 'tft')?.scenes.map((s) => s.scene)).toEqual(['hub', 'metric', 'network'])
    expect(hub.get('desk-1')?.info().streams).toEqual([])
  })
})
