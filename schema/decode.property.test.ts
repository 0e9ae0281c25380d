import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import type { TSchema } from 'typebox'
import Value from 'typebox/value'
import { clip } from '../host/hub/clip.ts'
import { holds, PROPERTY_TIMEOUT_MS } from './fuzz/property.ts'
import { anyJson, anyText, misshaped, shaped } from './fuzz/shaped.ts'
import { decodeDeviceMessage, decodeHostMessage } from './index.ts'
import * as schemas from './schemas.ts'

const variants = schemas.DeviceMessage.anyOf as unknown as (TSchema & { properties: Record<string, TSchema> & { type: { const: string } } })[]
const fieldsOf = new Map(variants.map((v) => [v.properties.type.const, new Set(Object.keys(v.properties))]))

/** The value at a dotted error path (`outputs.0.id`) in what was sent, or undefined when there is none. */
const at = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined), value)

const ONE_LINE = /^[^\n\r\u2028\u2029]+$/

/** What every decoded frame must satisfy, accepted or refused. */
const expectDecodedSensibly = (text: string): void => {
  const decoded = decodeDeviceMessage(text)
  if (decoded.ok) {
    const { message } = decoded
    expect(Value.Check(schemas.DeviceMessage, message)).toBe(true)
    // Only the protocol's fields go on: a device's extra fields are dropped.
    for (const key of Object.keys(message)) expect(fieldsOf.get(message.type)?.has(key)).toBe(true)
    const again = decodeDeviceMessage(JSON.stringify(message))
    expect(again).toEqual({ ok: true, message })
    return
  }
  expect(['bad_json', 'bad_frame', 'unknown_type']).toContain(decoded.code)
  expect(decoded.reason).toMatch(ONE_LINE)
  // The gate sends the refusal back as an error frame; it must be one the device can decode.
  const frame = { type: 'error', code: decoded.code, reason: clip(decoded.reason, 200) }
  expect(decodeHostMessage(JSON.stringify(frame))).toEqual({ ok: true, message: frame as never })
  if (decoded.code !== 'bad_frame') return
  // A refusal of a known message type names the field at fault, and that field is what was wrong in the frame.
  const sent = JSON.parse(text) as unknown
  if (typeof sent !== 'object' || sent === null || Array.isArray(sent)) return
  const tag = (sent as { type?: unknown }).type
  if (typeof tag !== 'string' || !fieldsOf.has(tag)) return
  expect(decoded.reason.startsWith(`${tag}: `)).toBe(true)
  const rest = decoded.reason.slice(tag.length + 2)
  const missing = /^(?:(.+): )?missing field '(.+)'$/.exec(rest)
  if (missing !== null) {
    const parent = missing[1] === undefined ? sent : at(sent, missing[1])
    expect(typeof parent === 'object' && parent !== null && !Object.hasOwn(parent, missing[2] as string)).toBe(true)
    return
  }
  const named = /^([a-z_0-9.]+): /.exec(rest)
  expect(named).not.toBeNull()
  expect(at(sent, named?.[1] as string)).not.toBeUndefined()
}

const frames: fc.Arbitrary<unknown> = fc.oneof(...variants.map((v) => misshaped(v)), ...variants.map((v) => shaped(v)))

describe('decodeDeviceMessage under fuzzing', () => {
  it(
    'decodes any text without throwing, and refuses what it cannot read with a code and a one-line reason',
    () => {
      holds('decodeDeviceMessage: any text', fc.property(fc.oneof(anyText(200), fc.json({ maxDepth: 3 })), expectDecodedSensibly))
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'decodes any JSON value, and frames shaped like each device message with wrong types, lengths and fields mixed in',
    () => {
      holds(
        'decodeDeviceMessage: JSON shaped like device messages',
        fc.property(fc.oneof(anyJson, frames), (value) => expectDecodedSensibly(JSON.stringify(value))),
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'accepts every frame the schema allows, as it was sent',
    () => {
      holds(
        'decodeDeviceMessage: every valid device message',
        fc.property(fc.oneof(...variants.map((v) => shaped(v))), (value) => {
          expect(decodeDeviceMessage(JSON.stringify(value))).toEqual({ ok: true, message: value as never })
        }),
      )
    },
    PROPERTY_TIMEOUT_MS,
  )
})
