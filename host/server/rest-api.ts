// The REST API (devices, metrics and their history, device config, calibration undo and holds, screen pictures,
// pairing and credentials, the dashboard's events) as a Hono sub-app; the server mounts it at /api behind the token
// guard.
import type { Context } from 'hono'
import { Hono } from './hono.ts'
import { bodyLimit } from 'hono/body-limit'
import type { ErrorCode, Hello, Output, SessionConfig } from '../../schema/index.ts'
import { sessionConfig } from '../../schema/generated/checks.ts'
import { clean, protocolSchemas, schemaErrors } from '../../schema/validator.ts'
import { printable } from '../../schema/printable.ts'
import type { FirmwareCatalog } from '../firmware/catalog.ts'
import { updateApi } from '../firmware/update-api.ts'
import type { DeviceInfo } from '../hub/device-session.ts'
import type { Hub } from '../hub/hub.ts'
import { checkScreens } from '../screens/screen-config.ts'
import { fieldOfRefusal } from './config-confirmations.ts'
import type { DeviceError, DeviceGate } from './device-gate.ts'
import { eventsApi } from './events-api.ts'
import { holdApi } from './hold-api.ts'
import type { LiveEvents } from './live-events.ts'
import { pairingApi } from './pairing-api.ts'
import { screenApi } from './screen-api.ts'

export interface RestOptions {
  hub: Hub
  gate: DeviceGate
  metrics: readonly string[]
  /** The dashboard's event stream, and what its `hello` event says; without them there is no /events. */
  events?: LiveEvents
  hello?: () => unknown
  /** The firmware the host carries, for POST /devices/:id/update; without it every board is told there is none. */
  firmware?: FirmwareCatalog
}

const MAX_BODY_BYTES = 16 * 1024

/** REST refusals use the protocol's error codes, plus `unknown_device` for a 404. */
type Refusal = { error: ErrorCode | 'unknown_device'; reason: string; field?: string }

const refusal = (c: Context, status: 400 | 404 | 413, body: Refusal): Response => c.json(body, status)

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
const checkConfig = (value: unknown, hello: Hello, metrics: readonly string[]): { ok: true; config: SessionConfig } | { ok: false; body: Refusal } => {
  const { outputs } = hello
  if (!sessionConfig.check(value)) {
    const errors = schemaErrors(protocolSchemas().SessionConfig, value)
    const first = errors.find((e) => e.keyword !== 'anyOf') ?? errors[0]
    const missing = first?.keyword === 'required' ? (first.params as { requiredProperties?: string[] }).requiredProperties : undefined
    const field = missing?.[0] ?? fieldOf(first?.instancePath ?? '')
    const reason = missing !== undefined ? `missing field '${field}'` : `${field || 'body'}: ${first?.message ?? 'invalid'}`
    return { ok: false, body: { error: 'bad_config', field, reason } }
  }
  const config = clean(value, sessionConfig.shape) as SessionConfig
  for (const [i, binding] of config.bindings.entries()) {
    if (!outputs.some((o) => o.id === binding.output)) {
      return { ok: false, body: { error: 'unknown_output', field: `bindings.${i}.output`, reason: `unknown output '${binding.output}'; the device has ${outputs.map((o) => o.id).join(', ')}` } }
    }
    if (!metrics.includes(binding.metric)) {
      return { ok: false, body: { error: 'unknown_metric', field: `bindings.${i}.metric`, reason: `unknown metric '${binding.metric}'; this host offers ${metrics.join(', ')}` } }
    }
  }
  const refused =
    (config.calibration === undefined ? undefined : checkCalibration(config.calibration, outputs)) ??
    (config.screens === undefined ? undefined : checkScreens(config.screens, outputs, metrics, hello.encodings))
  if (refused !== undefined) return { ok: false, body: refused }
  return { ok: true, config }
}

const unknownDevice = (c: Context): Response => refusal(c, 404, { error: 'unknown_device', reason: `no connected device '${printable(c.req.param('id') ?? '', 64)}'` })

/** One connected device as GET /api/devices and the `devices` event list it. */
export type ListedDevice = DeviceInfo & { lastError: DeviceError | null }

/** GET /api/devices: each connected device with the last error it sent. */
export const devicesList = (hub: Hub, gate: DeviceGate): ListedDevice[] => hub.devices().map((info) => ({ ...info, lastError: gate.lastError(info.id) }))

/** The REST API's routes, relative to where the server mounts them (/api). */
export const restApi = (options: RestOptions): Hono => {
  const { hub, gate } = options
  const api = new Hono()
  // Counted as the body streams in: an oversized body is refused when the limit is passed, not after it is all read.
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => refusal(c, 413, { error: 'too_large', reason: `body over ${MAX_BODY_BYTES} bytes` }),
  })

  api.get('/devices', (c) => c.json(devicesList(hub, gate)))
  api.get('/metrics', (c) => c.json(hub.latestAll()))
  api.get('/metrics/history', (c) => c.json(hub.histories()))
  api.put('/devices/:id/config', limitBody, async (c) => {
    const session = hub.get(c.req.param('id'))
    if (session === undefined) return unknownDevice(c)
    let value: unknown
    try {
      value = JSON.parse(await c.req.text())
    } catch (error) {
      return refusal(c, 400, { error: 'bad_json', reason: `body is not JSON: ${printable((error as Error).message, 160)}` })
    }
    // The id is the host's to choose for each config it sends: one in the body is no part of the request.
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) delete (value as { id?: unknown }).id
    const checked = checkConfig(value, session.hello, options.metrics)
    if (!checked.ok) {
      hub.figures.error(checked.body.error)
      return refusal(c, 400, checked.body)
    }
    const streams = await gate.streamRefusal(session, checked.config)
    if (streams !== undefined) {
      hub.figures.error(streams.error)
      return refusal(c, 400, streams)
    }
    // The device confirms the config, refuses part of it, or (older firmware) says nothing.
    const outcome = await gate.configure(session, checked.config, Date.now())
    switch (outcome.kind) {
      case 'confirmed':
        return c.json({ ...session.info(), confirmed: true })
      case 'refused': {
        const first = outcome.errors[0]
        const field = first === undefined ? undefined : fieldOfRefusal(first.reason)
        return c.json(
          {
            error: first?.code ?? 'bad_config',
            reason: first?.reason ?? 'the device refused part of the config without saying which',
            ...(field === undefined ? {} : { field }),
            from: 'device',
          },
          400,
        )
      }
      case 'unanswered':
        return c.json({ ...session.info(), confirmed: false, reason: 'sent; the device did not confirm it in time (its firmware may not confirm configs)' }, 202)
      case 'closed':
        return c.json({ ...session.info(), confirmed: false, reason: 'sent; the device disconnected before confirming it' }, 202)
    }
  })
  api.post('/devices/:id/calibration/:output/undo', (c) => {
    const session = hub.get(c.req.param('id'))
    if (session === undefined) return unknownDevice(c)
    const output = c.req.param('output')
    if (!session.hello.outputs.some((o) => o.id === output)) {
      const known = session.hello.outputs.map((o) => o.id).join(', ')
      return refusal(c, 404, { error: 'unknown_output', field: 'output', reason: `unknown output '${printable(output, 32)}'; the device has ${known}` })
    }
    gate.undoCalibration(session, output)
    // Accepted, not done: the device answers an undo it cannot make with an error frame, shown as lastError.
    return c.json({ device: session.id, output, sent: 'calibration_undo' }, 202)
  })
  api.route('/devices', screenApi(hub))
  api.route('/devices', holdApi(hub, gate))
  api.route('/devices', updateApi(hub, options.firmware ?? new Map()))
  api.route('/', pairingApi(gate))
  if (options.events !== undefined) api.route('/', eventsApi(options.events, options.hello ?? (() => ({}))))
  return api
}
