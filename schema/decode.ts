// Decodes one received text frame into a typed message, or says in one line what is wrong with it. The checks are
// TypeBox's, compiled at generation time (schema/generated/checks.ts); TypeBox itself loads only to word a refusal.
import type { TSchema } from 'typebox'
import type { DeviceMessage, ErrorCode, HostMessage } from './index.ts'
import { deviceMessages, hostMessages, metricName, pairingToken } from './generated/checks.ts'
import { printable } from './printable.ts'
import { clean, protocolSchemas, schemaErrors, type Validator } from './validator.ts'

export type DecodeResult<T> = { ok: true; message: T } | { ok: false; code: ErrorCode; reason: string }

type Decoder<T> = (text: string) => DecodeResult<T>

/** The TypeBox schema of the variant tagged `tag` in a message union, for the words of a refusal. */
const variantSchema = (union: { anyOf: TSchema[] }, tag: string): TSchema | undefined =>
  union.anyOf.find((schema) => (schema as { properties: { type: { const: string } } }).properties.type.const === tag)

const describe = (value: unknown): string => {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}

const firstError = (schema: TSchema | undefined, value: unknown): string => {
  const errors = schema === undefined ? [] : schemaErrors(schema, value)
  // For a nullable field the union's own "anyOf" and "must be null" errors say less than the branch that failed.
  const best =
    errors.find((e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && e.params.type === 'null')) ?? errors[0]
  if (best === undefined) return 'invalid'
  const field = best.instancePath.slice(1).replaceAll('/', '.')
  const at = field === '' ? '' : `${field}: `
  if (best.keyword === 'required') {
    const missing = (best.params as { requiredProperties?: string[] }).requiredProperties ?? []
    return `${at}missing field ${missing.map((m) => `'${m}'`).join(', ')}`
  }
  return `${at}${best.message}`
}

const makeDecoder = <T>(variants: Readonly<Record<string, Validator>>, union: () => { anyOf: TSchema[] }, direction: string): Decoder<T> => {
  const known = Object.keys(variants).join(', ')
  return (text: string): DecodeResult<T> => {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      return { ok: false, code: 'bad_json', reason: `not JSON: ${printable((error as Error).message, 160)}` }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, code: 'bad_frame', reason: `expected a JSON object, got ${describe(value)}` }
    }
    const tag = (value as { type?: unknown }).type
    if (tag === undefined) return { ok: false, code: 'bad_frame', reason: "missing field 'type'" }
    if (typeof tag !== 'string') return { ok: false, code: 'bad_frame', reason: `type: expected a string, got ${describe(tag)}` }
    const variant = Object.hasOwn(variants, tag) ? variants[tag] : undefined
    if (variant === undefined) {
      return { ok: false, code: 'unknown_type', reason: `unknown ${direction} message type '${printable(tag, 40)}'; expected one of ${known}` }
    }
    if (!variant.check(value)) return { ok: false, code: 'bad_frame', reason: `${tag}: ${firstError(variantSchema(union(), tag), value)}` }
    return { ok: true, message: clean(value, variant.shape) as T }
  }
}

/** Whether `name` is a metric name the protocol can carry (the schema's `MetricName`). */
export const isMetricName = (name: string): boolean => metricName.check(name)

/** Whether `token` can be sent as the hello's pairing token. */
export const isPairingToken = (token: string): boolean => pairingToken.check(token)

/** Decodes a frame a device receives from the host. */
export const decodeHostMessage: Decoder<HostMessage> = makeDecoder<HostMessage>(hostMessages, () => protocolSchemas().HostMessage, 'host')

/** Decodes a frame the host receives from a device. */
export const decodeDeviceMessage: Decoder<DeviceMessage> = makeDecoder<DeviceMessage>(deviceMessages, () => protocolSchemas().DeviceMessage, 'device')
