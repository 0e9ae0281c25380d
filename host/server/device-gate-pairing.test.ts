import { describe, expect, it } from 'bun:test'
import type { Hello, HostMessage } from '../../schema/index.ts'
import { PROTOCOL_VERSION } from '../../schema/index.ts'
import { RecordingSocket } from '../../tests/fixtures/recording-socket.ts'
import { Hub } from '../hub/hub.ts'
import { CredentialStore } from './credentials.ts'
import type { DeviceConnection } from './device-gate.ts'
import { DeviceGate } from './device-gate.ts'
import { GuessLimiter } from './guess-limiter.ts'
import type { ServerTuning } from './tuning.ts'
import { DEFAULT_TUNING } from './tuning.ts'
import { ManualTimers } from '../../tests/fixtures/manual-timers.ts'

const TOKEN = 'gate-test-token-42'

const hello = (fields: Partial<Hello> = {}): string =>
  JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, device: 'meter-1', firmware: '0.1.0', chip: 'sim', outputs: [{ id: 'meter', kind: 'pwm', bits: 10 }], buttons: [], ...fields })

const TUNING: ServerTuning = { ...DEFAULT_TUNING, pairLimits: { maxRequests: 4, perAddress: 3, perAddressRefillMs: 60_000, expireMs: 10_000 } }

const setUp = () => {
  const now = { t: Date.now() }
  const hub = new Hub('vram', 1_000)
  const saved: unknown[] = []
  const credentials = new CredentialStore([], (entries) => saved.push(entries))
  const gate = new DeviceGate({
    timers: new ManualTimers(),
    hub,
    token: TOKEN,
    hostName: 'desk-pc',
    version: '0.1.0-test',
    metric: 'vram',
    metrics: ['vram', 'cpu'],
    intervalMs: 1_000,
    staleAfterMs: 60_000,
    limiter: new GuessLimiter(TUNING.guessLimits, () => now.t),
    tuning: TUNING,
    credentials,
  })
  const changes: string[] = []
  gate.onChange((change) => changes.push(change))
  return { gate, hub, now, saved, changes }
}

const connect = (gate: DeviceGate, at: number, frame: string, address = '192.168.1.50'): { socket: RecordingSocket; connection: DeviceConnection } => {
  const socket = new RecordingSocket()
  const connection = gate.open(socket, address, false, at)
  gate.message(connection, frame, at)
  return { socket, connection }
}

const types = (socket: RecordingSocket): string[] => socket.sent.map((m) => m.type)

describe('DeviceGate pairing by approval', () => {
  it('keeps a tokenless board waiting, then on approval sends paired with its credential and the welcome on the same socket', () => {
    const { gate, hub, now, saved, changes } = setUp()
    const { socket } = connect(gate, now.t, hello())
    expect(types(socket)).toEqual(['pair_pending'])
    expect(changes).toContain('pairing')
    // No hello timeout for a board waiting on a person.
    gate.housekeep(now.t + TUNING.helloTimeoutMs + 1_000)
    expect(socket.closedWith).toBeUndefined()
    expect(gate.approve('meter-1', now.t)).toEqual({ ok: true })
    expect(types(socket)).toEqual(['pair_pending', 'paired', 'welcome'])
    const paired = socket.sent[1] as Extract<HostMessage, { type: 'paired' }>
    expect(paired.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(hub.size).toBe(1)
    expect(gate.pairRequests()).toEqual([])
    expect(gate.credentials()).toEqual([{ device: 'meter-1', issued: new Date(now.t).toISOString() }])
    // Only the hash is saved.
    expect(JSON.stringify(saved)).not.toContain(paired.token)
    expect(changes).toEqual(expect.arrayContaining(['pairing', 'credentials', 'devices']))

    const again = connect(gate, now.t, hello({ token: paired.token }))
    expect(types(again.socket)).toEqual(['welcome'])
    // The credential is this board's: another device id presenting it is refused.
    const other = connect(gate, now.t, hello({ device: 'meter-2', token: paired.token }))
    expect(other.socket.last()).toMatchObject({ type: 'error', code: 'unauthorized' })
    expect(other.socket.closedWith?.code).toBe(1008)
  })

  it('answers a denied board with unauthorized and closes it; approving or denying nobody is false', () => {
    const { gate, now } = setUp()
    const { socket } = connect(gate, now.t, hello())
    expect(gate.deny('meter-1')).toBe(true)
    expect(socket.last()).toMatchObject({ type: 'error', code: 'unauthorized', reason: expect.stringContaining('denied') })
    expect(socket.closedWith?.code).toBe(1008)
    expect(gate.pairRequests()).toEqual([])
    expect(gate.approve('meter-1', now.t)).toMatchObject({ ok: false, code: 'not_waiting' })
    expect(gate.deny('meter-1')).toBe(false)
  })

  it('expires a request nobody answered with unauthorized "pairing request expired" and close', () => {
    const { gate, now } = setUp()
    const { socket } = connect(gate, now.t, hello())
    gate.housekeep(now.t + 9_999)
    expect(socket.closedWith).toBeUndefined()
    gate.housekeep(now.t + 10_000)
    expect(socket.last()).toEqual({ type: 'error', code: 'unauthorized', reason: 'pairing request expired' })
    expect(socket.closedWith?.code).toBe(1008)
    expect(gate.pairRequests()).toEqual([])
  })

  it('bounds the list (rate_limited and close when full) and the new requests per address', () => {
    const { gate, now } = setUp()
    for (let i = 0; i < 3; i++) expect(types(connect(gate, now.t, hello({ device: `a-${i}` }), '10.0.0.1').socket)).toEqual(['pair_pending'])
    const fourth = connect(gate, now.t, hello({ device: 'a-3' }), '10.0.0.1').socket
    expect(fourth.last()).toMatchObject({ type: 'error', code: 'rate_limited', reason: expect.stringContaining('too many pairing requests from this address') })
    expect(fourth.closedWith?.code).toBe(1008)
    // The same board asking again costs its address nothing.
    expect(types(connect(gate, now.t, hello({ device: 'a-0' }), '10.0.0.1').socket)).toEqual(['pair_pending'])
    expect(types(connect(gate, now.t, hello({ device: 'b-0' }), '10.0.0.2').socket)).toEqual(['pair_pending'])
    const full = connect(gate, now.t, hello({ device: 'c-0' }), '10.0.0.3').socket
    expect(full.last()).toMatchObject({ type: 'error', code: 'rate_limited', reason: expect.stringContaining('4 boards are waiting to pair already') })
    expect(gate.pairRequests().map((r) => r.device)).toEqual(['a-1', 'a-2', 'a-0', 'b-0'])
  })

  it('closes the older socket when the same board asks again, and forgets a request whose socket closed', () => {
    const { gate, now } = setUp()
    const first = connect(gate, now.t, hello())
    const second = connect(gate, now.t, hello())
    expect(first.socket.closedWith).toBeDefined()
    expect(gate.pairRequests()).toHaveLength(1)
    gate.close(first.connection)
    expect(gate.pairRequests()).toHaveLength(1)
    gate.close(second.connection)
    expect(gate.pairRequests()).toEqual([])
  })

  it('refuses a board asking under a waiting id from another address, and the approval still goes to the first', () => {
    const { gate, now } = setUp()
    const board = connect(gate, now.t, hello(), '192.168.1.50')
    const impostor = connect(gate, now.t, hello(), '192.168.1.66')
    expect(impostor.socket.last()).toMatchObject({ type: 'error', code: 'unauthorized', reason: expect.stringContaining('already waiting to pair from another address') })
    expect(impostor.socket.closedWith?.code).toBe(1008)
    expect(board.socket.closedWith).toBeUndefined()
    expect(gate.pairRequests()).toEqual([expect.objectContaining({ device: 'meter-1', address: '192.168.1.50' })])
    expect(gate.approve('meter-1', now.t)).toEqual({ ok: true })
    expect(types(board.socket)).toEqual(['pair_pending', 'paired', 'welcome'])
    expect(types(impostor.socket)).toEqual(['error'])
  })

  it('refuses to approve a board whose id holds a credential until it is revoked; the request keeps waiting', () => {
    const { gate, now, changes } = setUp()
    const first = connect(gate, now.t, hello())
    gate.approve('meter-1', now.t)
    const credential = (first.socket.sent[1] as Extract<HostMessage, { type: 'paired' }>).token
    gate.close(first.connection)
    const second = connect(gate, now.t, hello())
    changes.length = 0
    expect(gate.approve('meter-1', now.t)).toEqual({ ok: false, code: 'already_paired', reason: "board 'meter-1' is paired already; revoke its credential first to pair it again" })
    expect(types(second.socket)).toEqual(['pair_pending'])
    expect(gate.pairRequests()).toHaveLength(1)
    expect(changes).toEqual([])
    expect(types(connect(gate, now.t, hello({ token: credential })).socket)).toEqual(['welcome'])
    expect(gate.revoke('meter-1')).toBe(true)
    expect(gate.approve('meter-1', now.t)).toEqual({ ok: true })
    expect(types(second.socket)).toEqual(['pair_pending', 'paired', 'welcome'])
  })

  it('takes only heartbeats from a waiting board', () => {
    const { gate, now } = setUp()
    const { socket, connection } = connect(gate, now.t, hello())
    gate.message(connection, JSON.stringify({ type: 'heartbeat' }), now.t)
    expect(types(socket)).toEqual(['pair_pending'])
    gate.message(connection, JSON.stringify({ type: 'identify', id: 1 }), now.t)
    expect(socket.last()).toMatchObject({ type: 'error', code: 'bad_frame' })
  })

  it('closes the live session of a board whose credential is revoked, and refuses its next hello; the install token still works', () => {
    const { gate, hub, now } = setUp()
    const waiting = connect(gate, now.t, hello())
    gate.approve('meter-1', now.t)
    const credential = (waiting.socket.sent[1] as Extract<HostMessage, { type: 'paired' }>).token
    const live = connect(gate, now.t, hello({ token: credential }))
    expect(gate.revoke('meter-1')).toBe(true)
    expect(live.socket.last()).toEqual({ type: 'error', code: 'unauthorized', reason: "this board's credential was revoked" })
    expect(live.socket.closedWith?.code).toBe(1008)
    gate.close(live.connection)
    expect(hub.size).toBe(0)
    expect(gate.revoke('meter-1')).toBe(false)
    const refused = connect(gate, now.t, hello({ token: credential }))
    expect(refused.socket.last()).toMatchObject({ type: 'error', code: 'unauthorized' })
    expect(types(connect(gate, now.t, hello({ token: TOKEN })).socket)).toEqual(['welcome'])
  })
})

describe('DeviceGate config confirmations', () => {
  it('sends a config with an id and settles on the device answer: configured ok, or its errors with that id', async () => {
    const { gate, hub, now } = setUp()
    const { socket, connection } = connect(gate, now.t, hello({ token: TOKEN }))
    const session = hub.get('meter-1')
    if (session === undefined) throw new Error('not paired')
    const config = { bindings: [{ output: 'meter', metric: 'cpu' }], interval_ms: 1_000, stale_after_ms: 5_000 }
    const first = gate.configure(session, { ...config, id: 999 }, now.t)
    const sent = socket.last() as Extract<HostMessage, { type: 'config' }>
    expect(sent).toMatchObject({ type: 'config', ...config })
    expect(sent.id).not.toBe(999)
    expect(session.config.id).toBeUndefined()
    gate.message(connection, JSON.stringify({ type: 'configured', id: sent.id, ok: true }), now.t)
    expect(await first).toEqual({ kind: 'confirmed' })

    const second = gate.configure(session, config, now.t)
    const id = (socket.last() as Extract<HostMessage, { type: 'config' }>).id as number
    gate.message(connection, JSON.stringify({ type: 'error', code: 'bad_config', reason: 'calibration[0].points: too few', id }), now.t)
    gate.message(connection, JSON.stringify({ type: 'error', code: 'unknown_output', reason: 'second', id }), now.t)
    gate.message(connection, JSON.stringify({ type: 'configured', id, ok: false }), now.t)
    expect(await second).toEqual({
      kind: 'refused',
      errors: [
        { code: 'bad_config', reason: 'calibration[0].points: too few' },
        { code: 'unknown_output', reason: 'second' },
      ],
    })
    expect(gate.lastError('meter-1')).toMatchObject({ code: 'unknown_output', reason: 'second' })

    const third = gate.configure(session, config, now.t)
    gate.close(connection)
    expect(await third).toEqual({ kind: 'closed' })
  })
})
