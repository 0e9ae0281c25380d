import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { Hono } from './hono.ts'
import Value from 'typebox/value'
import type { SessionConfig } from '../../schema/index.ts'
import { PROTOCOL_VERSION } from '../../schema/index.ts'
import * as schemas from '../../schema/schemas.ts'
import { holdsAsync, PROPERTY_TIMEOUT_MS } from '../../schema/fuzz/property.ts'
import { anyJson, anyText, misshaped, shaped } from '../../schema/fuzz/shaped.ts'
import { Hub } from '../hub/hub.ts'
import { DeviceGate } from './device-gate.ts'
import { RecordingSocket } from '../../tests/fixtures/recording-socket.ts'
import { GuessLimiter } from './guess-limiter.ts'
import { restApi } from './rest-api.ts'
import { DEFAULT_TUNING } from './tuning.ts'
import { ManualTimers } from '../../tests/fixtures/manual-timers.ts'

const TOKEN = 'rest-fuzz-token-42'
const METRICS = ['vram', 'cpu', 'ram']
const OUTPUTS = [
  { id: 'meter', kind: 'pwm', bits: 10 },
  { id: 'needle', kind: 'i2c_dac', bits: 12 },
] as const

/** A device's socket that confirms every config with an id, as the firmware does, once the host's turn is over. */
class ConfirmingSocket extends RecordingSocket {
  answer: (text: string) => void = () => {}
  override send(text: string): number {
    const sent = super.send(text)
    const message = this.sent.at(-1)
    if (message?.type === 'config' && message.id !== undefined) {
      const reply = JSON.stringify({ type: 'configured', id: message.id, ok: true })
      queueMicrotask(() => this.answer(reply))
    }
    return sent
  }
}

/** The REST API as the server mounts it, with one paired device, `meter-1`. */
const setUp = (): { app: Hono; hub: Hub; socket: RecordingSocket } => {
  const hub = new Hub('vram', 1_000)
  const limiter = new GuessLimiter(DEFAULT_TUNING.guessLimits, () => 0)
  const gate = new DeviceGate({ hub, token: TOKEN, hostName: 'desk-pc', version: '0.1.0-test', metric: 'vram', metrics: METRICS, intervalMs: 1_000, staleAfterMs: 60_000, limiter, tuning: DEFAULT_TUNING, timers: new ManualTimers() })
  const socket = new ConfirmingSocket()
  const hello = { type: 'hello', protocol: PROTOCOL_VERSION, device: 'meter-1', firmware: '0.1.0', chip: 'sim', outputs: OUTPUTS, buttons: [], token: TOKEN }
  const connection = gate.open(socket, '192.168.1.50', false, Date.now())
  socket.answer = (text) => gate.message(connection, text, Date.now())
  gate.message(connection, JSON.stringify(hello), Date.now())
  if (socket.sent[0]?.type !== 'welcome') throw new Error('the test device was not welcomed')
  const app = new Hono().route('/api', restApi({ hub, gate, metrics: METRICS }))
  return { app, hub, socket }
}

const hints = {
  output: fc.constantFrom(...OUTPUTS.map((o) => o.id)),
  metric: fc.constantFrom(...METRICS),
  code: fc.integer({ min: 0, max: 1_023 }),
}

const ascending = <T>(values: T[]): T[] => values.sort((a, b) => Number(a) - Number(b))

/** A curve the device can take: 2 to 16 points rising in both percent and code. */
const curve = fc.integer({ min: 2, max: 16 }).chain((n) =>
  fc.record({
    output: hints.output,
    points: fc
      .tuple(
        fc.uniqueArray(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: n, maxLength: n, comparator: (a, b) => a === b }),
        fc.uniqueArray(fc.integer({ min: 0, max: 1_023 }), { minLength: n, maxLength: n }),
      )
      .map(([percents, codes]) => ascending(percents).map((percent, i) => ({ percent, code: ascending(codes)[i] as number }))),
  }),
)

/** Configs this device and host accept, so that the 2xx side is reached as often as the refusals. */
const acceptable = fc.record(
  {
    bindings: fc.array(fc.record({ output: hints.output, metric: hints.metric }), { minLength: 1, maxLength: 8 }),
    interval_ms: shaped(schemas.SessionConfig.properties.interval_ms),
    stale_after_ms: shaped(schemas.SessionConfig.properties.stale_after_ms),
    ballistics: shaped(schemas.Ballistics),
    calibration: fc.array(curve, { maxLength: 3 }),
  },
  { requiredKeys: ['bindings', 'interval_ms', 'stale_after_ms'] },
)

/** Bodies as anyone on the LAN might send them: bytes, text, JSON, and session configs right and wrong. */
const body: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  anyText(80),
  fc.json({ maxDepth: 3 }),
  anyJson.map((value) => JSON.stringify(value)),
  misshaped(schemas.SessionConfig, { hints }).map((value) => JSON.stringify(value)),
  shaped(schemas.SessionConfig, { hints }).map((value) => JSON.stringify(value)),
  acceptable.map((value) => JSON.stringify(value)),
  fc.constantFrom(`{"pad":"${'x'.repeat(20_000)}"}`, '{"bindings":'.repeat(2_000), '['.repeat(10_000)),
)

const contentType: fc.Arbitrary<string | undefined> = fc.option(
  fc.oneof(
    fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''),
    fc.string({ maxLength: 30 }),
  ),
)

/** A path segment: mostly the real device or output, else any text, encoded, or raw escapes that do not decode. */
const segment = (real: string): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.constant(real), weight: 6 },
    { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((s) => s !== '.' && s !== '..').map(encodeURIComponent), weight: 1 },
    { arbitrary: fc.constantFrom('%', '%ZZ', '%E0%A4%A', '%00', 'meter%2F1', real.toUpperCase()), weight: 1 },
  )

const requestOf = (method: string, data: string | Uint8Array, type: string | undefined): RequestInit => ({
  method,
  body: typeof data === 'string' ? data : new Blob([new Uint8Array(data)]),
  headers: type === undefined ? {} : { 'Content-Type': type },
})

/** A 4xx carries a JSON body with the protocol's error code and a reason; never a 500, never a thrown error. */
const expectRefusalOrSuccess = async (response: Response): Promise<{ refused: boolean; json: unknown }> => {
  expect(response.status === 202 || response.status === 200 || (response.status >= 400 && response.status < 500)).toBe(true)
  expect(response.headers.get('content-type')).toStartWith('application/json')
  const json = (await response.json()) as Record<string, unknown>
  if (response.status >= 400) {
    expect(typeof json.error).toBe('string')
    expect(json.reason).toMatch(/^[^\n\r\u2028\u2029]+$/)
  }
  return { refused: response.status >= 400, json }
}

describe('REST API under fuzzing', () => {
  it(
    'answers any PUT of a device config with the config applied or a 4xx JSON reason, and applies nothing it refuses',
    async () => {
      const { app, hub, socket } = setUp()
      await holdsAsync(
        'REST: PUT /api/devices/:id/config',
        fc.asyncProperty(segment('meter-1'), body, contentType, async (id, data, type) => {
          const session = hub.get('meter-1')
          const before = structuredClone(session?.config)
          const sentBefore = socket.sent.length
          const response = await app.request(`/api/devices/${id}/config`, requestOf('PUT', data, type))
          const { refused, json } = await expectRefusalOrSuccess(response)
          if (refused) {
            expect(session?.config).toEqual(before as SessionConfig)
            expect(socket.sent.length).toBe(sentBefore)
            return
          }
          // Applied and confirmed: the device is told the config as sent, less any field the schema does not have, and
          // with the host's own id in place of any the body gave.
          expect(response.status).toBe(200)
          const text = typeof data === 'string' ? data : new TextDecoder().decode(data)
          const { id: _asked, ...config } = Value.Clean(schemas.SessionConfig, JSON.parse(text)) as SessionConfig
          const sent = socket.sent.slice(sentBefore)[0]
          expect(sent).toEqual({ type: 'config', id: expect.any(Number), ...config })
          expect((json as { config: unknown; confirmed: boolean }).confirmed).toBe(true)
          expect((json as { config: unknown }).config).toEqual(session?.config as SessionConfig)
        }),
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'answers any calibration undo with a 202 or a 4xx JSON reason, and sends the device an undo only when it answers 202',
    async () => {
      const { app, socket } = setUp()
      await holdsAsync(
        'REST: POST /api/devices/:id/calibration/:output/undo',
        fc.asyncProperty(segment('meter-1'), fc.oneof(segment('meter'), segment('needle')), body, contentType, async (id, output, data, type) => {
          const sentBefore = socket.sent.length
          const response = await app.request(`/api/devices/${id}/calibration/${output}/undo`, requestOf('POST', data, type))
          const { refused, json } = await expectRefusalOrSuccess(response)
          if (refused) {
            expect(socket.sent.length).toBe(sentBefore)
            return
          }
          expect(response.status).toBe(202)
          const undone = (json as { output: string }).output
          expect(OUTPUTS.some((o) => o.id === undone)).toBe(true)
          expect(socket.sent.slice(sentBefore)).toEqual([{ type: 'calibration_undo', output: undone }])
        }),
      )
    },
    PROPERTY_TIMEOUT_MS,
  )
})

describe('REST API refusals the fuzzer found', () => {
  it('keeps the reason one line for a device id with a line break in it', async () => {
    const { app } = setUp()
    const response = await app.request('/api/devices/%0A%00/calibration/meter/undo', { method: 'POST' })
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({ error: 'unknown_device', reason: "no connected device '\\u000a\\u0000'" })
  })

  it('keeps the reason one line for an output with a line break in it', async () => {
    const { app, socket } = setUp()
    const sent = socket.sent.length
    const response = await app.request('/api/devices/meter-1/calibration/me%0Ater/undo', { method: 'POST' })
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ error: 'unknown_output', reason: "unknown output 'me\\u000ater'; the device has meter, needle" })
    expect(socket.sent.length).toBe(sent)
  })

  it('keeps the reason one line when the JSON parser quotes a line break in the body', async () => {
    const { app } = setUp()
    const response = await app.request('/api/devices/meter-1/config', { method: 'PUT', body: '"\\\n"', headers: { 'Content-Type': 'application/json' } })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ error: 'bad_json', reason: 'body is not JSON: JSON Parse error: Invalid escape character \\u000a' })
  })
})
