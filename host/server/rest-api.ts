// The REST API (/api/devices, /api/metrics, device config, calibration undo) and /metrics, all behind the pairing token.
import type { Context, Hono, MiddlewareHandler } from 'hono'
import { Compile } from 'typebox/compile'
import Value from 'typebox/value'
import type { ErrorCode, Output, SessionConfig } from '../../schema/index.ts'
import { schemas } from '../../schema/index.ts'
import type { Hub } from '../hub/hub.ts'
import type { DeviceGate } from './device-gate.ts'
import type { GuessLimiter } from './guess-limiter.ts'
import { bearerToken, tokenMatches } from './pairing.ts'
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from './prometheus-text.ts'

export interface RestOptions {
  hub: Hub
  gate: DeviceGate
  token: string
  metrics: readonly string[]
  limiter: GuessLimiter
  remoteAddress: (c: Context) => string
}

const configCheck = Compile(schemas.SessionConfig)
const MAX_BODY_BYTES = 16 * 1024

/** REST refusals use the protocol's error codes, plus `unknown_device` for a 404. */
type Refusal = { error: ErrorCode | 'unknown_device'; reason: string; field?: string }

const refusal = (c: Context, status: 400 | 401 | 404 | 413 | 429, body: Refusal): Response => c.json(body, status)

/** Refuses any request without the pairing token, and rate-limits wrong guesses per address. */
const requireToken = (options: RestOptions): MiddlewareHandler => async (c, next) => {
  const address = options.remoteAddress(c)
  if (!options.limiter.allows(address)) {
    const seconds = Math.ceil(options.limiter.retryAfterMs(address) / 1000)
    options.hub.figures.error('rate_limited')
    c.header('Retry-After', String(seconds))
    return refusal(c, 429, { error: 'rate_limited', reason: `too many wrong tokens from this address; try again in ${seconds} s` })
  }
  const presented = bearerToken(c.req.header('authorization'))
  if (!tokenMatches(options.token, presented)) {
    // Only a wrong token is a guess; a request with none learns nothing and must not lock the address out.
    if (presented !== undefined) options.limiter.fail(address)
    options.hub.figures.error('unauthorized')
    c.header('WWW-Authenticate', 'Bearer realm="sysboy"')
    return refusal(c, 401, { error: 'unauthorized', reason: 'send the pairing token as Authorization: Bearer <token>' })
  }
  await next()
}

const fieldOf = (path: string): string => path.slice(1).replaceAll('/', '.')

/**
 * The first reason the device would refuse a calibration curve: an output it does not have, points that do not
 * rise in both percent and code, or a code beyond the output's bits. The device checks again; this answers sooner.
 */
const checkCalibration = (calibration: NonNullable<SessionConfig['calibration']>, outputs: readonly Output[]): Refusal | undefined => {
  for (const [i, curve] of calibration.entries()) {
    const output = outputs.find((o) => o.id === curve.output)
    if (output === undefined) {
      return { error: 'unknown_output', field: `calibration.${i}.output`, reason: `unknown output '${curve.output}'; the device has ${outputs.map((o) => o.id).join(', ')}` }
    }
    const maxCode = 2 ** output.bits - 1
    for (const [j, point] of curve.points.entries()) {
      const at = `calibration.${i}.points.${j}`
      if (point.code > maxCode) {
        return { error: 'bad_config', field: `${at}.code`, reason: `code ${point.code} is above ${maxCode}, the largest code of the ${output.bits}-bit output '${output.id}'` }
      }
      const before = curve.points[j - 1]
      if (before === undefined) continue
      if (point.percent <= before.percent) {
        return { error: 'bad_config', field: `${at}.percent`, reason: `percent ${point.percent} does not rise above the point before it (${before.percent}); points go in strictly increasing percent` }
      }
      if (point.code <= before.code) {
        return { error: 'bad_config', field: `${at}.code`, reason: `code ${point.code} does not rise above the point before it (${before.code}); codes rise strictly with percent` }
      }
    }
  }
  return undefined
}

/** Validates a config body: the schema first, then the device's outputs and the host's metrics. */
const checkConfig = (value: unknown, outputs: readonly Output[], metrics: readonly string[]): { ok: true; config: SessionConfig } | { ok: false; body: Refusal } => {
  if (!configCheck.Check(value)) {
    const errors = [...configCheck.Errors(value)]
    const first = errors.find((e) => e.keyword !== 'anyOf') ?? errors[0]
    const missing = first?.keyword === 'required' ? (first.params as { requiredProperties?: string[] }).requiredProperties : undefined
    const field = missing?.[0] ?? fieldOf(first?.instancePath ?? '')
    const reason = missing !== undefined ? `missing field '${field}'` : `${field || 'body'}: ${first?.message ?? 'invalid'}`
    return { ok: false, body: { error: 'bad_config', field, reason } }
  }
  const config = Value.Clean(schemas.SessionConfig, value) as SessionConfig
  for (const [i, binding] of config.bindings.entries()) {
    if (!outputs.some((o) => o.id === binding.output)) {
      return { ok: false, body: { error: 'unknown_output', field: `bindings.${i}.output`, reason: `unknown output '${binding.output}'; the device has ${outputs.map((o) => o.id).join(', ')}` } }
    }
    if (!metrics.includes(binding.metric)) {
      return { ok: false, body: { error: 'unknown_metric', field: `bindings.${i}.metric`, reason: `unknown metric '${binding.metric}'; this host offers ${metrics.join(', ')}` } }
    }
  }
  const refused = config.calibration === undefined ? undefined : checkCalibration(config.calibration, outputs)
  if (refused !== undefined) return { ok: false, body: refused }
  return { ok: true, config }
}

const unknownDevice = (c: Context): Response => refusal(c, 404, { error: 'unknown_device', reason: `no connected device '${c.req.param('id')?.slice(0, 64) ?? ''}'` })

export const mountRestApi = (app: Hono, options: RestOptions): void => {
  const { hub, gate } = options
  const guard = requireToken(options)
  app.use('/api/*', guard)
  app.use('/metrics', guard)

  app.get('/api/devices', (c) => c.json(hub.devices().map((info) => ({ ...info, lastError: gate.lastError(info.id) }))))
  app.get('/api/metrics', (c) => c.json(hub.latestAll()))
  app.put('/api/devices/:id/config', async (c) => {
    const session = hub.get(c.req.param('id'))
    if (session === undefined) return unknownDevice(c)
    const text = await c.req.text()
    if (text.length > MAX_BODY_BYTES) return refusal(c, 413, { error: 'too_large', reason: `body over ${MAX_BODY_BYTES} bytes` })
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      return refusal(c, 400, { error: 'bad_json', reason: `body is not JSON: ${(error as Error).message}` })
    }
    const checked = checkConfig(value, session.hello.outputs, options.metrics)
    if (!checked.ok) {
      hub.figures.error(checked.body.error)
      return refusal(c, 400, checked.body)
    }
    gate.reconfigure(session, checked.config, Date.now())
    return c.json(session.info())
  })
  app.post('/api/devices/:id/calibration/:output/undo', (c) => {
    const session = hub.get(c.req.param('id'))
    if (session === undefined) return unknownDevice(c)
    const output = c.req.param('output')
    if (!session.hello.outputs.some((o) => o.id === output)) {
      const known = session.hello.outputs.map((o) => o.id).join(', ')
      return refusal(c, 404, { error: 'unknown_output', field: 'output', reason: `unknown output '${output.slice(0, 32)}'; the device has ${known}` })
    }
    gate.undoCalibration(session, output)
    // Accepted, not done: the device answers an undo it cannot make with an error frame, shown as lastError.
    return c.json({ device: session.id, output, sent: 'calibration_undo' }, 202)
  })
  app.get('/metrics', (c) => c.body(prometheusText(hub.figures, hub.size), 200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE }))
}
