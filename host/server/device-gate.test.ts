import { describe, expect, it } from 'bun:test'
import type { Hello } from '../../schema/index.ts'
import { PROTOCOL_VERSION } from '../../schema/index.ts'
import { Hub } from '../hub/hub.ts'
import type { DeviceConnection } from './device-gate.ts'
import { DeviceGate } from './device-gate.ts'
import { ManualTimers } from '../../tests/fixtures/manual-timers.ts'
import { RecordingSocket } from '../../tests/fixtures/recording-socket.ts'
import { GuessLimiter } from './guess-limiter.ts'
import type { ServerTuning } from './tuning.ts'
import { CLOSE_IDLE, CLOSE_REPLACED, DEFAULT_TUNING } from './tuning.ts'

const TOKEN = 'gate-test-token-42'
const ADDRESS = '192.168.1.50'

const hello = (fields: Partial<Hello> = {}): string =>
  JSON.stringify({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    device: 'meter-1',
    firmware: '0.1.0',
    chip: 'sim',
    outputs: [{ id: 'meter', kind: 'pwm', bits: 10 }],
    buttons: [{ id: 'select' }],
    token: TOKEN,
    ...fields,
  })

const TUNING: ServerTuning = {
  ...DEFAULT_TUNING,
  helloTimeoutMs: 1_000,
  idleTimeoutMs: 10_000,
  heartbeatMs: 2_000,
  badFrameLimit: 3,
  badFrameWindowMs: 5_000,
  maxPayloadBytes: 1_024,
  guessLimits: { burst: 3, refillMs: 30_000, maxAddresses: 100 },
}

const setUp = (tuning: ServerTuning = TUNING, wake?: (at: number) => void, onNote?: (line: string) => void): { gate: DeviceGate; hub: Hub; limiter: GuessLimiter; now: { t: number }; timers: ManualTimers } => {
  // The session stamps what it sends with the real clock, so the test's clock starts there.
  const now = { t: Date.now() }
  const hub = new Hub('vram', 1_000)
  const limiter = new GuessLimiter(tuning.guessLimits, () => now.t)
  // The sessions' heartbeat timers, on a clock of their own that a test moves.
  const timers = new ManualTimers()
  const gate = new DeviceGate({
    timers,
    hub,
    token: TOKEN,
    hostName: 'desk-pc',
    version: '0.1.0-test',
    metric: 'vram',
    metrics: ['vram', 'cpu', 'ram'],
    intervalMs: 1_000,
    staleAfterMs: 60_000,
    limiter,
    tuning,
    wake,
    onNote,
  })
  return { gate, hub, limiter, now, timers }
}

/** Opens a socket and says hello with it, as a paired device would. */
const connect = (gate: DeviceGate, at: number, frame = hello(), headerPaired = false): { socket: RecordingSocket; connection: DeviceConnection } => {
  const socket = new RecordingSocket()
  const connection = gate.open(socket, ADDRESS, headerPaired, at)
  gate.message(connection, frame, at)
  return { socket, connection }
}

describe('DeviceGate pairing', () => {
  it('welcomes a device whose hello carries the token, with the host default metric on every output', () => {
    const { gate, hub, now } = setUp()
    const { socket } = connect(gate, now.t)
    expect(socket.closedWith).toBeUndefined()
    expect(socket.sent[0]).toMatchObject({ type: 'welcome', protocol: PROTOCOL_VERSION, host: 'desk-pc', config: { bindings: [{ output: 'meter', metric: 'vram' }] } })
    expect(hub.get('meter-1')?.remoteAddress).toBe(ADDRESS)
  })

  it('welcomes a device whose upgrade carried the right Bearer header and whose hello has no token', () => {
    const { gate, hub, now } = setUp()
    const { socket } = connect(gate, now.t, hello({ token: undefined }), true)
    expect(socket.sent[0]?.type).toBe('welcome')
    expect(hub.size).toBe(1)
  })

  it('checks the token in the hello even when the upgrade carried the right header', () => {
    const { gate, hub, now } = setUp()
    const { socket } = connect(gate, now.t, hello({ token: 'not-the-token-1' }), true)
    expect(socket.last()).toMatchObject({ type: 'error', code: 'unauthorized' })
    expect(socket.closedWith?.code).toBe(1008)
    expect(hub.size).toBe(0)
  })

  it('asks a hello without a token to pair (pair_pending, socket open) and does not count it as a guess', () => {
    const { gate, hub, limiter, now } = setUp()
    for (let i = 0; i < 10; i++) {
      // The same board asking again replaces its request, so it never fills the list nor spends its address's allowance.
      const { socket } = connect(gate, now.t, hello({ token: undefined }))
      expect(socket.last()).toMatchObject({ type: 'pair_pending', reason: expect.stringContaining('sysboy pair meter-1') })
      expect(socket.closedWith).toBeUndefined()
    }
    expect(gate.pairRequests()).toEqual([{ device: 'meter-1', chip: 'sim', firmware: '0.1.0', address: ADDRESS, since: new Date(now.t).toISOString() }])
    expect(hub.size).toBe(0)
    expect(limiter.allows(ADDRESS)).toBe(true)
  })

  it('counts wrong tokens as guesses and refuses the address with rate_limited once its burst is spent', () => {
    const { gate, hub, now } = setUp()
    for (let i = 0; i < 3; i++) {
      const { socket } = connect(gate, now.t, hello({ token: `wrong-token-${i}` }))
      expect(socket.last()).toMatchObject({ type: 'error', code: 'unauthorized', reason: expect.stringMatching(/^wrong pairing token/) })
    }
    const { socket } = connect(gate, now.t)
    expect(socket.last()).toMatchObject({ type: 'error', code: 'rate_limited', reason: expect.stringContaining('try again in 10 s') })
    expect(socket.closedWith?.code).toBe(1008)
    expect(hub.size).toBe(0)
    now.t += 10_000
    expect(connect(gate, now.t).socket.sent[0]?.type).toBe('welcome')
  })

  it('refuses another protocol version with unsupported_version and close 1002', () => {
    const { gate, now } = setUp()
    const { socket } = connect(gate, now.t, hello({ protocol: PROTOCOL_VERSION + 1 }))
    expect(socket.last()).toMatchObject({ type: 'error', code: 'unsupported_version' })
    expect(socket.closedWith?.code).toBe(1002)
  })

  it('closes a socket whose first frame is not a hello', () => {
    const { gate, now } = setUp()
    const { socket } = connect(gate, now.t, JSON.stringify({ type: 'identify', id: 1 }))
    expect(socket.last()).toMatchObject({ type: 'error', code: 'bad_frame', reason: "expected hello first, got 'identify'" })
    expect(socket.closedWith?.code).toBe(1008)
  })

  it('closes the older session with 4409 when the same device connects again', () => {
    const { gate, hub, now } = setUp()
    const first = connect(gate, now.t)
    const second = connect(gate, now.t + 10)
    expect(first.socket.closedWith?.code).toBe(CLOSE_REPLACED)
    expect(second.socket.closedWith).toBeUndefined()
    gate.close(first.connection)
    expect(hub.size).toBe(1)
  })

  it('gives a reconnecting device the metric it chose before', () => {
    const { gate, now } = setUp()
    const { socket, connection } = connect(gate, now.t)
    gate.message(connection, JSON.stringify({ type: 'select_metric', id: 7, output: 'meter', metric: 'cpu' }), now.t)
    expect(socket.sent.find((m) => m.type === 'ack')).toMatchObject({ id: 7, ok: true, metric: 'cpu' })
    gate.close(connection)
    const again = connect(gate, now.t + 1_000)
    expect(again.socket.sent[0]).toMatchObject({ type: 'welcome', config: { bindings: [{ output: 'meter', metric: 'cpu' }] } })
  })
})

describe('DeviceGate bad frames', () => {
  it('answers a bad frame with an error and keeps the session, until the limit of bad frames in the window', () => {
    const { gate, now } = setUp()
    const { socket, connection } = connect(gate, now.t)
    gate.message(connection, '{not json', now.t)
    expect(socket.last()).toMatchObject({ type: 'error', code: 'bad_json' })
    gate.message(connection, JSON.stringify({ type: 'launch' }), now.t + 1)
    expect(socket.closedWith).toBeUndefined()
    gate.message(connection, '{', now.t + 2)
    expect(socket.last()).toMatchObject({ type: 'error', code: 'rate_limited' })
    expect(socket.closedWith?.code).toBe(1008)
  })

  it('forgets bad frames older than the window', () => {
    const { gate, now } = setUp()
    const { socket, connection } = connect(gate, now.t)
    gate.message(connection, '{', now.t)
    gate.message(connection, '{', now.t + 1)
    gate.message(connection, '{', now.t + 5_001)
    expect(socket.closedWith).toBeUndefined()
  })

  it('refuses a binary frame with 1003 and a frame over the limit with too_large and 1009', () => {
    const { gate, now } = setUp()
    const binary = connect(gate, now.t, hello({ device: 'a' }))
    gate.message(binary.connection, new Uint8Array([1, 2, 3]), now.t)
    expect(binary.socket.last()).toMatchObject({ type: 'error', code: 'binary_frame' })
    expect(binary.socket.closedWith?.code).toBe(1003)
    const large = connect(gate, now.t, hello({ device: 'b' }))
    // 629 characters, 1229 bytes of UTF-8: the limit is on bytes.
    gate.message(large.connection, JSON.stringify({ type: 'heartbeat', pad: 'é'.repeat(600) }), now.t)
    expect(large.socket.last()).toMatchObject({ type: 'error', code: 'too_large', reason: 'a frame of 1229 bytes; the limit is 1024' })
    expect(large.socket.closedWith?.code).toBe(1009)
  })

  it('closes a device that sends commands but never reads its acks', () => {
    const { gate, now } = setUp()
    const { socket, connection } = connect(gate, now.t)
    socket.queued = TUNING.maxBufferedBytes + 1
    gate.message(connection, JSON.stringify({ type: 'identify', id: 1 }), now.t)
    expect(socket.closedWith).toEqual({ code: 1008, reason: 'not reading its frames' })
  })

  it('keeps the last error frame a device sent, across a reconnect', () => {
    const { gate, now } = setUp()
    const { connection } = connect(gate, now.t)
    gate.message(connection, JSON.stringify({ type: 'error', code: 'bad_config', reason: 'calibration refused' }), now.t)
    gate.close(connection)
    expect(gate.lastError('meter-1')).toEqual({ code: 'bad_config', reason: 'calibration refused', at: new Date(now.t).toISOString() })
  })
})

describe('DeviceGate liveness', () => {
  it('closes a socket that has not said hello within the hello timeout', () => {
    const { gate, now } = setUp()
    const socket = new RecordingSocket()
    gate.open(socket, ADDRESS, false, now.t)
    gate.housekeep(now.t + 999)
    expect(socket.closedWith).toBeUndefined()
    gate.housekeep(now.t + 1_000)
    expect(socket.last()).toMatchObject({ type: 'error', code: 'bad_frame', reason: 'no hello within 1000 ms' })
    expect(socket.closedWith?.code).toBe(1008)
  })

  it('does not count a ping before the hello as one', () => {
    const { gate, now } = setUp()
    const socket = new RecordingSocket()
    const connection = gate.open(socket, ADDRESS, false, now.t)
    gate.heard(connection, now.t + 900)
    gate.housekeep(now.t + 1_000)
    expect(socket.closedWith?.code).toBe(1008)
  })

  it('sends a heartbeat when it has sent a device nothing for the heartbeat period, and each period after', () => {
    const { gate, now, timers } = setUp()
    const { socket } = connect(gate, now.t)
    timers.advance(TUNING.heartbeatMs - 1)
    expect(socket.sent.some((m) => m.type === 'heartbeat')).toBe(false)
    timers.advance(1)
    expect(socket.last()).toMatchObject({ type: 'heartbeat' })
    timers.advance(TUNING.heartbeatMs)
    expect(socket.sent.filter((m) => m.type === 'heartbeat')).toHaveLength(2)
  })

  it('reports a heartbeat that throws on the host\'s note line, and beats again a period later', () => {
    const notes: string[] = []
    const { gate, now, timers } = setUp(TUNING, undefined, (line) => notes.push(line))
    const { socket } = connect(gate, now.t)
    const send = socket.send.bind(socket)
    socket.send = (text: string) => {
      if (text.includes('"heartbeat"')) throw new Error('the socket is gone')
      return send(text)
    }
    timers.advance(2 * TUNING.heartbeatMs)
    expect(notes).toEqual(['device meter-1: a heartbeat failed: the socket is gone', 'device meter-1: a heartbeat failed: the socket is gone'])
  })

  it('never wakes for a heartbeat while frames go out more often than its period, and sends one a period after they stop', () => {
    const { gate, hub, now, timers } = setUp()
    const { socket, connection } = connect(gate, now.t)
    // A frame every second for a minute, with a 2 s heartbeat period; the device acknowledges as it goes.
    for (let second = 1; second <= 60; second++) {
      timers.advance(1_000)
      hub.publish({ type: 'vram', value: 50, source: 'nvml', seq: second, ts: now.t + second * 1_000 }, now.t + second * 1_000)
      gate.heard(connection, now.t + second * 1_000)
    }
    expect(socket.sent.filter((m) => m.type === 'vram')).toHaveLength(60)
    expect(socket.sent.some((m) => m.type === 'heartbeat')).toBe(false)
    expect(timers.fired).toBe(0)
    // Nor is the housekeeping due before the ping, half the idle bound after the device was last heard.
    expect(gate.housekeep(now.t + 60_000)).toBe(now.t + 60_000 + TUNING.idleTimeoutMs / 2)
    timers.advance(TUNING.heartbeatMs - 1)
    expect(socket.sent.some((m) => m.type === 'heartbeat')).toBe(false)
    timers.advance(1)
    expect(socket.last()).toMatchObject({ type: 'heartbeat' })
    expect(timers.fired).toBe(1)
  })

  it('sends heartbeats at half a new, shorter stale timeout, counted from the config that set it, and none after the socket closed', () => {
    const { gate, hub, now, timers } = setUp()
    const { socket, connection } = connect(gate, now.t)
    const session = hub.get('meter-1')
    if (session === undefined) throw new Error('no session')
    expect(session.heartbeatMs).toBe(TUNING.heartbeatMs)
    timers.advance(1_000)
    gate.reconfigure(session, { ...session.config, stale_after_ms: 1_000 }, now.t + 1_000)
    expect(session.heartbeatMs).toBe(500)
    const configAt = socket.sent.length
    timers.advance(499)
    expect(socket.sent.length).toBe(configAt)
    timers.advance(1)
    expect(socket.last()).toMatchObject({ type: 'heartbeat' })
    gate.close(connection)
    expect(timers.armed).toBe(0)
    timers.advance(10_000)
    expect(socket.sent.filter((m) => m.type === 'heartbeat')).toHaveLength(1)
  })

  it('counts a WebSocket ping from the device as hearing from it', () => {
    const { gate, now } = setUp()
    const { socket, connection } = connect(gate, now.t)
    // A client that keeps alive only with pings (Python's websockets pings every 20 s).
    for (let t = now.t + 4_000; t <= now.t + 40_000; t += 4_000) {
      gate.heard(connection, t)
      gate.housekeep(t + 1)
    }
    expect(socket.closedWith).toBeUndefined()
    expect(socket.pings).toBe(0)
  })

  it('pings a device heard from for half the idle bound, once, and keeps it when it answers', () => {
    const { gate, now } = setUp()
    const { socket, connection } = connect(gate, now.t)
    gate.housekeep(now.t + 4_999)
    expect(socket.pings).toBe(0)
    gate.housekeep(now.t + 5_000)
    gate.housekeep(now.t + 6_000)
    expect(socket.pings).toBe(1)
    // The pong.
    gate.heard(connection, now.t + 6_010)
    gate.housekeep(now.t + 10_000)
    expect(socket.closedWith).toBeUndefined()
    gate.housekeep(now.t + 11_010)
    expect(socket.pings).toBe(2)
  })

  it('says when its housekeeping is next due, and asks to be woken for a hello it now awaits', () => {
    const woken: number[] = []
    const { gate, now } = setUp(TUNING, (at) => woken.push(at))
    expect(gate.housekeep(now.t)).toBe(Number.POSITIVE_INFINITY)
    const socket = new RecordingSocket()
    gate.open(socket, ADDRESS, false, now.t)
    expect(woken).toEqual([now.t + TUNING.helloTimeoutMs])
    expect(gate.housekeep(now.t + 10)).toBe(now.t + TUNING.helloTimeoutMs)
    expect(gate.housekeep(now.t + TUNING.helloTimeoutMs)).toBe(Number.POSITIVE_INFINITY)
    expect(socket.closedWith?.code).toBe(1008)
  })

  it('run only when it says it is next due, keeps a silent device as a tick would: one ping at half the idle bound, the close at the bound', () => {
    const woken: number[] = []
    const { gate, now } = setUp(TUNING, (at) => woken.push(at))
    const { socket } = connect(gate, now.t)
    // A session started: its ping and idle bound fall due sooner than anything armed, so the edge is woken now.
    expect(woken.at(-1)).toBe(now.t)
    let t = now.t
    const visits: number[] = []
    for (let next = gate.housekeep(t); next < Number.POSITIVE_INFINITY && visits.length < 50; next = gate.housekeep(t)) {
      // Nothing is done a moment before it is due.
      const before = { sent: socket.sent.length, pings: socket.pings, closed: socket.closedWith }
      gate.housekeep(next - 1)
      expect({ sent: socket.sent.length, pings: socket.pings, closed: socket.closedWith }).toEqual(before)
      t = next
      visits.push(t - now.t)
    }
    expect(visits).toEqual([TUNING.idleTimeoutMs / 2, TUNING.idleTimeoutMs])
    expect(socket.pings).toBe(1)
    expect(socket.closedWith).toEqual({ code: CLOSE_IDLE, reason: 'nothing heard for 10000 ms' })
  })

  it('asks to be woken when a pairing request expires, and gives that as next due', () => {
    const woken: number[] = []
    const { gate, now } = setUp(TUNING, (at) => woken.push(at))
    const { socket } = connect(gate, now.t, hello({ token: undefined }))
    expect(socket.last()).toMatchObject({ type: 'pair_pending' })
    const expiry = now.t + TUNING.pairLimits.expireMs
    // The hello it was waiting for, then the request's expiry.
    expect(woken).toEqual([now.t + TUNING.helloTimeoutMs, expiry])
    expect(gate.housekeep(now.t + 1)).toBe(expiry)
    expect(gate.housekeep(expiry)).toBe(Number.POSITIVE_INFINITY)
    expect(socket.closedWith?.reason).toBe('pairing request expired')
  })

  it('closes a device that answers nothing, not even the ping, with 4408 at the idle bound', () => {
    const { gate, now } = setUp()
    const { socket } = connect(gate, now.t)
    for (let t = now.t; t < now.t + 10_000; t += 500) gate.housekeep(t)
    expect(socket.pings).toBe(1)
    expect(socket.closedWith).toBeUndefined()
    gate.housekeep(now.t + 10_000)
    expect(socket.closedWith).toEqual({ code: CLOSE_IDLE, reason: 'nothing heard for 10000 ms' })
  })
})
