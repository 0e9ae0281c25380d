import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import type { TSchema } from 'typebox'
import type { HostMessage } from '../../schema/index.ts'
import { PROTOCOL_VERSION, decodeDeviceMessage } from '../../schema/index.ts'
import * as schemas from '../../schema/schemas.ts'
import { holds, PROPERTY_TIMEOUT_MS } from '../../schema/fuzz/property.ts'
import { anyJson, anyText, misshaped, shaped } from '../../schema/fuzz/shaped.ts'
import { clip } from '../hub/clip.ts'
import { Hub } from '../hub/hub.ts'
import type { DeviceConnection } from './device-gate.ts'
import { DeviceGate } from './device-gate.ts'
import { RecordingSocket } from '../../tests/fixtures/recording-socket.ts'
import { GuessLimiter } from './guess-limiter.ts'
import type { ServerTuning } from './tuning.ts'
import { DEFAULT_TUNING } from './tuning.ts'
import { ManualTimers } from '../../tests/fixtures/manual-timers.ts'

const TOKEN = 'gate-fuzz-token-42'
const ADDRESS = '192.168.1.50'
const METRICS = ['vram', 'cpu', 'ram']
const OUTPUTS = ['meter', 'needle']

// The bad-frame limit is out of reach so that every refusal in a sequence is answered the same way.
const TUNING: ServerTuning = { ...DEFAULT_TUNING, badFrameLimit: Number.MAX_SAFE_INTEGER, guessLimits: { burst: 1_000_000, refillMs: 1, maxAddresses: 10 } }

const setUp = (): { gate: DeviceGate; hub: Hub } => {
  const hub = new Hub('vram', 1_000)
  const limiter = new GuessLimiter(TUNING.guessLimits, () => 0)
  const gate = new DeviceGate({ hub, token: TOKEN, hostName: 'desk-pc', version: '0.1.0-test', metric: 'vram', metrics: METRICS, intervalMs: 1_000, staleAfterMs: 60_000, limiter, tuning: TUNING, timers: new ManualTimers() })
  return { gate, hub }
}

/** Values a device would plausibly send, so that the frames the gate accepts are often ones it acts on. */
const hints = {
  output: fc.constantFrom(...OUTPUTS),
  metric: fc.constantFrom(...METRICS, 'gpu_temp'),
  button: fc.constant('select'),
  token: fc.constant(TOKEN),
  protocol: fc.constant(PROTOCOL_VERSION),
  device: fc.constant('meter-1'),
}

const variants = schemas.DeviceMessage.anyOf as unknown as TSchema[]
const frame: fc.Arbitrary<string> = fc.oneof(
  anyText(120),
  fc.json({ maxDepth: 2 }),
  anyJson.map((value) => JSON.stringify(value)),
  fc.oneof(...variants.map((v) => misshaped(v, { hints })), ...variants.map((v) => shaped(v, { hints }))).map((value) => JSON.stringify(value)),
)

const HELLO = JSON.stringify({
  type: 'hello',
  protocol: PROTOCOL_VERSION,
  device: 'meter-1',
  firmware: '0.1.0',
  chip: 'sim',
  outputs: OUTPUTS.map((id) => ({ id, kind: 'pwm', bits: 10 })),
  buttons: [{ id: 'select' }],
  token: TOKEN,
  flow_control: true,
})

/** What the gate shows of a device: everything but the counters of frames sent, which an error frame moves. */
const stateOf = (gate: DeviceGate, hub: Hub): unknown => {
  const session = hub.get('meter-1')
  const { framesSent: _sent, queuedBytes: _queued, ...info } = session?.info() ?? { framesSent: 0, queuedBytes: 0 }
  return { info, devices: hub.size, lastError: gate.lastError('meter-1'), wanted: [...hub.wantedMetrics()].sort() }
}

/** The error frame the gate answers a refused frame with. */
const refusalOf = (text: string): HostMessage | undefined => {
  const bytes = Buffer.byteLength(text)
  if (bytes > TUNING.maxPayloadBytes) return { type: 'error', code: 'too_large', reason: `a frame of ${bytes} bytes; the limit is ${TUNING.maxPayloadBytes}` }
  const decoded = decodeDeviceMessage(text)
  if (!decoded.ok) return { type: 'error', code: decoded.code, reason: clip(decoded.reason, 200) }
  if (decoded.message.type === 'hello') return { type: 'error', code: 'bad_frame', reason: 'hello: this session already said hello' }
  return undefined
}

describe('DeviceGate under fuzzing', () => {
  it(
    'answers every refused frame from a paired device with an error naming what was wrong, and leaves the device as it was',
    () => {
      holds(
        'DeviceGate: frames from a paired device',
        fc.property(fc.array(frame, { minLength: 1, maxLength: 6 }), (texts) => {
          const { gate, hub } = setUp()
          const socket = new RecordingSocket()
          const connection: DeviceConnection = gate.open(socket, ADDRESS, false, 1_000)
          gate.message(connection, HELLO, 1_000)
          expect(socket.sent[0]?.type).toBe('welcome')
          for (const [i, text] of texts.entries()) {
            const before = stateOf(gate, hub)
            const sentBefore = socket.sent.length
            gate.message(connection, text, 1_001 + i)
            const refusal = refusalOf(text)
            if (refusal === undefined) {
              expect(socket.closedWith).toBeUndefined()
              continue
            }
            expect(socket.sent.slice(sentBefore)).toEqual([refusal])
            if (refusal.type === 'error' && refusal.code === 'too_large') return
            expect(socket.closedWith).toBeUndefined()
            expect(stateOf(gate, hub)).toEqual(before)
          }
        }),
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'refuses any first frame that is not a hello with the right token and version, and pairs nothing; a right hello without a token waits for approval',
    () => {
      holds(
        'DeviceGate: first frames',
        fc.property(frame, (text) => {
          const { gate, hub } = setUp()
          const socket = new RecordingSocket()
          gate.message(gate.open(socket, ADDRESS, false, 1_000), text, 1_000)
          const decoded = decodeDeviceMessage(text)
          const pairs =
            Buffer.byteLength(text) <= TUNING.maxPayloadBytes &&
            decoded.ok &&
            decoded.message.type === 'hello' &&
            decoded.message.token === TOKEN &&
            decoded.message.protocol === PROTOCOL_VERSION
          if (pairs) {
            expect(socket.sent[0]?.type).toBe('welcome')
            expect(socket.closedWith).toBeUndefined()
            expect(hub.size).toBe(1)
            return
          }
          const asking = decoded.ok && decoded.message.type === 'hello' ? decoded.message : undefined
          if (Buffer.byteLength(text) <= TUNING.maxPayloadBytes && asking?.token === undefined && asking?.protocol === PROTOCOL_VERSION) {
            expect(socket.sent).toEqual([{ type: 'pair_pending', reason: expect.stringContaining('waiting for approval') }])
            expect(socket.closedWith).toBeUndefined()
            expect(hub.size).toBe(0)
            expect(gate.pairRequests().map((r) => r.device)).toEqual([asking.device])
            return
          }
          expect(socket.sent).toHaveLength(1)
          expect(socket.sent[0]).toMatchObject({ type: 'error', reason: expect.any(String) })
          if (!decoded.ok) expect(socket.sent[0]).toEqual({ type: 'error', code: decoded.code, reason: clip(`expected hello first: ${decoded.reason}`, 200) })
          expect(socket.closedWith).toBeDefined()
          expect(hub.size).toBe(0)
        }),
      )
    },
    PROPERTY_TIMEOUT_MS,
  )
})
