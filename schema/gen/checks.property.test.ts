// The checks compiled at generation time (schema/generated/checks.ts) against TypeBox's own Compile() and
// Value.Clean on the same schemas: they must agree on every value, valid or not, and keep the same fields.
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { join } from 'node:path'
import type { TSchema } from 'typebox'
import Type from 'typebox'
import { Compile } from 'typebox/compile'
import Value from 'typebox/value'
import { holds, PROPERTY_TIMEOUT_MS } from '../fuzz/property.ts'
import { anyJson, misshaped, shaped } from '../fuzz/shaped.ts'
import * as generated from '../generated/checks.ts'
import { HostConfig } from '../host-config.ts'
import * as schemas from '../schemas.ts'
import { loadVectors } from '../vector-file.ts'
import { clean, type Validator } from '../validator.ts'
import { emitChecks, shapeOf } from './checks.ts'

const byTag = (union: { anyOf: TSchema[] }): [string, TSchema][] =>
  union.anyOf.map((variant) => [(variant as { properties: { type: { const: string } } }).properties.type.const, variant])

/** Every generated validator beside the schema it was generated from. */
const pairs: { name: string; schema: TSchema; validator: Validator | undefined }[] = [
  ...byTag(schemas.DeviceMessage).map(([tag, schema]) => ({ name: `device ${tag}`, schema, validator: generated.deviceMessages[tag] })),
  ...byTag(schemas.HostMessage).map(([tag, schema]) => ({ name: `host ${tag}`, schema, validator: generated.hostMessages[tag] })),
  { name: 'MetricName', schema: schemas.MetricName, validator: generated.metricName },
  { name: 'PairingToken', schema: schemas.PairingToken, validator: generated.pairingToken },
  { name: 'SessionConfig', schema: schemas.SessionConfig, validator: generated.sessionConfig },
  { name: 'HostConfig', schema: HostConfig, validator: generated.hostConfig },
]

/** The generated check and clean give what TypeBox gives for `value`. */
const expectAgreement = (schema: TSchema, validator: Validator, value: unknown): void => {
  const valid = Compile(schema).Check(value)
  expect(validator.check(value)).toBe(valid)
  if (valid) expect(clean(structuredClone(value), validator.shape)).toEqual(Value.Clean(schema, structuredClone(value)))
}

describe('generated checks', () => {
  it('exist for every message variant and named schema', () => {
    for (const pair of pairs) expect(pair.validator, pair.name).toBeDefined()
    expect(Object.keys(generated.deviceMessages).sort()).toEqual(byTag(schemas.DeviceMessage).map(([tag]) => tag).sort())
    expect(Object.keys(generated.hostMessages).sort()).toEqual(byTag(schemas.HostMessage).map(([tag]) => tag).sort())
  })

  it('agree with TypeBox on every golden vector', () => {
    const vectors = loadVectors()
    expect(vectors.length).toBeGreaterThan(40)
    for (const { vector } of vectors) {
      if (!('json' in vector) || typeof vector.json !== 'object' || vector.json === null) continue
      const union = vector.direction === 'host_to_device' ? schemas.HostMessage : schemas.DeviceMessage
      const tag = (vector.json as { type?: unknown }).type
      const variant = byTag(union).find(([t]) => t === tag)
      const validator = vector.direction === 'host_to_device' ? generated.hostMessages : generated.deviceMessages
      if (variant === undefined || typeof tag !== 'string') continue
      expectAgreement(variant[1], validator[tag] as Validator, vector.json)
    }
  })

  it('keep a peer\'s extra fields out, at the top and inside arrays, as Value.Clean does', () => {
    const hello = {
      type: 'hello',
      protocol: 1,
      device: 'aa:bb',
      firmware: '1.0',
      chip: 'esp32c3',
      outputs: [{ id: 'meter', kind: 'pwm', bits: 10, newer: true }],
      buttons: [],
      flow_control: true,
      from_the_future: { deep: 1 },
    }
    const validator = generated.deviceMessages.hello as Validator
    expect(validator.check(hello)).toBe(true)
    const kept = clean(hello, validator.shape) as Record<string, unknown>
    expect(kept).toEqual({ type: 'hello', protocol: 1, device: 'aa:bb', firmware: '1.0', chip: 'esp32c3', outputs: [{ id: 'meter', kind: 'pwm', bits: 10 }], buttons: [], flow_control: true })
    expect(Object.keys(kept)).toEqual(['type', 'protocol', 'device', 'firmware', 'chip', 'outputs', 'buttons', 'flow_control'])
  })

  it(
    'agree with TypeBox on values shaped like each schema and on values that miss it',
    () => {
      for (const { name, schema, validator } of pairs) {
        holds(
          `generated check ≡ TypeBox: ${name}`,
          fc.property(fc.oneof(shaped(schema), misshaped(schema), anyJson), (value) => expectAgreement(schema, validator as Validator, value)),
        )
      }
    },
    PROPERTY_TIMEOUT_MS * 4,
  )
})

describe('the running host', () => {
  it('loads no TypeBox builder or compiler until a value is refused, then words the refusal with TypeBox', async () => {
    const root = join(import.meta.dir, '..', '..')
    const script = `
      const typebox = () => Object.keys(require.cache).filter((path) => path.includes('/node_modules/typebox/') && !path.includes('/typebox/build/guard/'))
      for (const module of ['host/cli/cli.ts', 'host/cli/run.ts', 'host/server/index.ts', 'host/config/resolve.ts']) await import(${JSON.stringify(root)} + '/' + module)
      const { decodeDeviceMessage } = await import(${JSON.stringify(root)} + '/schema/decode.ts')
      const good = decodeDeviceMessage('{"type":"heartbeat","seq":1}')
      console.log(JSON.stringify({ atStart: typebox(), good }))
      const refused = decodeDeviceMessage('{"type":"heartbeat","seq":-1}')
      console.log(JSON.stringify({ afterRefusal: typebox().length, refused }))`
    const run = Bun.spawn([process.execPath, '-e', script], { cwd: root, stdout: 'pipe', stderr: 'pipe' })
    const [out, err, code] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text(), run.exited])
    expect(err).toBe('')
    expect(code).toBe(0)
    const [start, after] = out.trim().split('\n').map((line) => JSON.parse(line))
    expect(start).toEqual({ atStart: [], good: { ok: true, message: { type: 'heartbeat', seq: 1 } } })
    expect(after.refused).toEqual({ ok: false, code: 'bad_frame', reason: 'heartbeat: seq: must be >= 0' })
    expect(after.afterRefusal).toBeGreaterThan(50)
  })
})

describe('the checks generator', () => {
  it('refuses a union of objects, which a shape cannot clean', () => {
    const union = Type.Union([Type.Object({ a: Type.String() }), Type.Object({ b: Type.String() })])
    expect(() => shapeOf(JSON.parse(JSON.stringify(union)))).toThrow('a union of objects or arrays cannot be cleaned by shape')
    expect(() => emitChecks('test', [{ name: 'either', schema: union, about: 'x' }])).toThrow('cannot be cleaned by shape')
  })

  it('refuses additional properties with a schema of their own', () => {
    const record = Type.Object({}, { additionalProperties: Type.String() })
    expect(() => shapeOf(JSON.parse(JSON.stringify(record)))).toThrow('additionalProperties with a schema')
  })

  it('refuses a union without a type tag where it writes a record by tag', () => {
    const union = Type.Union([Type.Object({ kind: Type.Literal('a') })])
    expect(() => emitChecks('test', [{ name: 'tagged', schema: union, tagged: true, about: 'x' }])).toThrow('has no `type` literal')
  })

  it('writes the patterns a check uses as regular expressions with their flags', () => {
    const text = emitChecks('test', [{ name: 'token', schema: Type.String({ pattern: '^[a-z]+$' }), about: 'x' }])
    expect(text).toContain('new RegExp("^[a-z]+$", "u")')
    expect(text).toContain('export const token: Validator = {')
  })
})
