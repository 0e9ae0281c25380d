// Decodes one received text frame into a typed message, or says in one line what is wrong with it.
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import Value from 'typebox/value'
import type { DeviceMessage, ErrorCode, HostMessage } from './index.ts'
import { MetricName } from './common.ts'
import { DeviceMessage as DeviceMessageSchema, PairingToken } from './device-message.ts'
import { printable } from './printable.ts'
import { HostMessage as HostMessageSchema } from './host-message.ts'

export type DecodeResult<T> = { ok: true; message: T } | { ok: false; code: ErrorCode; reason: string }

type Decoder<T> = (text: string) => DecodeResult<T>

interface Variant {
  schema: TSchema
  compiled: ReturnType<typeof Compile> | undefined
}

/** A variant's validator, compiled when the first frame of its type arrives: most types never do in a run. */
const checkerOf = (variant: Variant): ReturnType<typeof Compile> => (variant.compiled ??= Compile(variant.schema))

const variantsOf = (union: { anyOf: TSchema[] }): Map<string, Variant> => {
  const variants = new Map<string, Variant>()
  for (const schema of union.anyOf) {
    const tag = (schema as { properties: { type: { const: string } } }).properties.type.const
    variants.set(tag, { schema, compiled: undefined })
  }
  return variants
}

const describe = (value: unknown): string => {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}

const firstError = (variant: Variant, value: unknown): string => {
  const errors = [...checkerOf(variant).Errors(value)]
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

const makeDecoder = <T>(union: { anyOf: TSchema[] }, direction: string): Decoder<T> => {
  const variants = variantsOf(union)
  const known = [...variants.keys()].join(', ')
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
    const variant = variants.get(tag)
    if (variant === undefined) {
      return { ok: false, code: 'unknown_type', reason: `unknown ${direction} message type '${printable(tag, 40)}'; expected one of ${known}` }
    }
    if (!checkerOf(variant).Check(value)) return { ok: false, code: 'bad_frame', reason: `${tag}: ${firstError(variant, value)}` }
    return { ok: true, message: Value.Clean(variant.schema, value) as T }
  }
}

const metricName = Compile(MetricName)
const pairingToken = Compile(PairingToken)

/** Whether `name` is a metric name the protocol can carry (the schema's `MetricName`). */
export const isMetricName = (name: string): boolean => metricName.Check(name)

/** Whether `token` can be sent as the hello's pairing token. */
export const isPairingToken = (token: string): boolean => pairingToken.Check(token)

/** Decodes a frame a device receives from the host. */
export const decodeHostMessage: Decoder<HostMessage> = makeDecoder<HostMessage>(HostMessageSchema, 'host')

/** Decodes a frame the host receives from a device. */
export const decodeDeviceMessage: Decoder<DeviceMessage> = makeDecoder<DeviceMessage>(DeviceMessageSchema, 'device')
