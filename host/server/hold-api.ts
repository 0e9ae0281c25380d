// PUT/DELETE /api/devices/:id/outputs/:output/hold: the calibration wizard holds an analog output at a raw code, on
// a lease the device ends by itself unless the page renews it.
import type { Context } from 'hono'
import { Hono } from './hono.ts'
import { bodyLimit } from 'hono/body-limit'
import type { Output } from '../../schema/index.ts'
import { printable } from '../../schema/printable.ts'
import type { DeviceSession } from '../hub/device-session.ts'
import type { Hub } from '../hub/hub.ts'
import type { DeviceGate } from './device-gate.ts'

/** How long one hold lasts: the page renews it while the wizard shows the step, and a closed page lets go soon. */
export const HOLD_FOR_MS = 5_000

/** A screen shows pictures, not a level: only pwm, i2c_dac and dac outputs have a code to hold. */
const isAnalog = (output: Output): boolean => output.kind !== 'oled' && output.kind !== 'tft'

type Found = { ok: true; session: DeviceSession; output: Output } | { ok: false; response: Response }

/** The device and the analog output the path names, or the 404/400 that says why not. */
const analogOutput = (c: Context, hub: Hub): Found => {
  const id = c.req.param('id') ?? ''
  const session = hub.get(id)
  if (session === undefined) return { ok: false, response: c.json({ error: 'unknown_device', reason: `no connected device '${printable(id, 64)}'` }, 404) }
  const name = c.req.param('output') ?? ''
  const output = session.hello.outputs.find((o) => o.id === name)
  const analog = session.hello.outputs.filter(isAnalog).map((o) => o.id)
  const offered = analog.length > 0 ? `its analog outputs: ${analog.join(', ')}` : 'it has no analog output'
  if (output === undefined) {
    return { ok: false, response: c.json({ error: 'unknown_output', field: 'output', reason: `device '${session.id}' has no output '${printable(name, 32)}'; ${offered}` }, 404) }
  }
  if (!isAnalog(output)) {
    return { ok: false, response: c.json({ error: 'bad_config', field: 'output', reason: `output '${output.id}' is a ${output.kind} screen; only analog outputs are held (${offered})` }, 400) }
  }
  return { ok: true, session, output }
}

export const holdApi = (hub: Hub, gate: DeviceGate): Hono => {
  const api = new Hono()
  api.put('/:id/outputs/:output/hold', bodyLimit({ maxSize: 1024, onError: (c) => c.json({ error: 'too_large', reason: 'body over 1024 bytes' }, 413) }), async (c) => {
    const found = analogOutput(c, hub)
    if (!found.ok) return found.response
    const { session, output } = found
    let body: unknown
    try {
      body = JSON.parse(await c.req.text())
    } catch (error) {
      return c.json({ error: 'bad_json', reason: `body is not JSON: ${printable((error as Error).message, 160)}` }, 400)
    }
    const code = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { code?: unknown }).code : undefined
    const maxCode = 2 ** output.bits - 1
    if (code === undefined) return c.json({ error: 'bad_config', field: 'code', reason: "missing field 'code': the raw output code to hold" }, 400)
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > maxCode) {
      const shown = printable(JSON.stringify(code) ?? String(code), 32)
      return c.json({ error: 'bad_config', field: 'code', reason: `code ${shown} is not a whole number from 0 to ${maxCode}, the codes of the ${output.bits}-bit output '${output.id}'` }, 400)
    }
    gate.hold(session, output.id, code, HOLD_FOR_MS)
    return c.json({ device: session.id, output: output.id, code })
  })
  api.delete('/:id/outputs/:output/hold', (c) => {
    const found = analogOutput(c, hub)
    if (!found.ok) return found.response
    gate.release(found.session, found.output.id)
    return c.json({ device: found.session.id, output: found.output.id, released: true })
  })
  return api
}
