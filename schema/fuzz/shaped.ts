// fast-check arbitraries built from a TypeBox schema's shape: values the schema allows, and values bent out of shape
// (a wrong type, a length or number past its bound, a field missing or one too many) at any depth.
import fc from 'fast-check'
import type { TSchema } from 'typebox'

/** The JSON Schema keywords the protocol's and the config's schemas use. */
interface Shape {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null'
  const?: unknown
  anyOf?: Shape[]
  properties?: Record<string, Shape>
  required?: string[]
  additionalProperties?: boolean
  items?: Shape
  minItems?: number
  maxItems?: number
  minLength?: number
  maxLength?: number
  pattern?: string
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
}

export interface ShapeOptions {
  /**
   * Values to mix in for a property of this name wherever it appears (the device's own output ids, the host's
   * metric names), so that values the schema allows are often ones the host accepts too.
   */
  hints?: Readonly<Record<string, fc.Arbitrary<unknown>>>
}

/** Field names an attacker would try, and names no parser expects: prototype keys, separators, line breaks. */
const strangeKeys = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'a.b', 'a/b', '~1', 'type', 'x\ny', 'x\r\ny', '\u2028', '\ud800', 'é', '😀'),
  fc.string({ unit: 'binary', maxLength: 12 }),
)

/** Any text at all, lone surrogates and control characters included. */
export const anyText = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: fc.integer({ min: 0, max: 0x10ffff }).map((point) => String.fromCodePoint(point)), maxLength }),
    fc.string({ unit: fc.constantFrom('\ud800', '\udfff', '\u0000', '\n', '"', '\\', '{', '}', '[', ']', ',', ':', 'é', '😀'), maxLength }),
  )

/** Any JSON value, as JSON.parse would give it. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(0, -1, 1.5, 1e300, -1e300, Number.MAX_SAFE_INTEGER + 2, 4_294_967_296, '', 'x'.repeat(300), true, false, null, [], {}),
)

const codePoints = (text: string): number => [...text].length

/** The characters of a pattern `^[class]+$`, or undefined for any other pattern. */
const characterClass = (pattern: string): string[] | undefined => {
  const match = /^\^\[([^\]]+)\]\+\$$/.exec(pattern)
  if (match?.[1] === undefined) return undefined
  const body = match[1]
  const characters: string[] = []
  for (let i = 0; i < body.length; i++) {
    const from = body[i] as string
    const to = body[i + 2]
    if (body[i + 1] === '-' && to !== undefined) {
      for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) characters.push(String.fromCharCode(c))
      i += 2
    } else {
      characters.push(from)
    }
  }
  return characters
}

const integerBetween = (min: number, max: number): fc.Arbitrary<number> =>
  min >= -0x80000000 && max <= 0x7fffffff ? fc.integer({ min, max }) : fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number)

const validString = (shape: Shape): fc.Arbitrary<string> => {
  const minLength = shape.minLength ?? 0
  const maxLength = shape.maxLength ?? 64
  if (shape.pattern === undefined) {
    return fc.oneof(fc.string({ minLength, maxLength }), fc.string({ unit: 'binary', minLength, maxLength }))
  }
  const characters = characterClass(shape.pattern)
  if (characters !== undefined) return fc.string({ unit: fc.constantFrom(...characters), minLength: Math.max(1, minLength), maxLength })
  return fc
    .stringMatching(new RegExp(shape.pattern))
    .filter((text) => codePoints(text) >= minLength && codePoints(text) <= maxLength)
}

/** A string the shape refuses: too short, too long, or with a character outside its pattern. */
const bentString = (shape: Shape): fc.Arbitrary<unknown> => {
  const bends: fc.Arbitrary<unknown>[] = [anyText()]
  const maxLength = shape.maxLength
  if (maxLength !== undefined) {
    // One code point past the limit, in characters that take two UTF-16 units and in ones that take one.
    bends.push(fc.constantFrom('a', 'é', '😀').map((c) => c.repeat(maxLength + 1)))
    bends.push(fc.constantFrom('a', '😀').map((c) => c.repeat(maxLength)))
  }
  if ((shape.minLength ?? 0) > 0) bends.push(fc.constant(''))
  if (shape.pattern !== undefined) {
    bends.push(fc.tuple(validString(shape), fc.constantFrom(' ', '\n', 'A', '-', '.', '/', '😀', '\u0000')).map(([text, bad]) => `${text}${bad}`))
  }
  return fc.oneof(...bends)
}

/** A number the shape refuses: past a bound, a fraction where a whole number goes, or out of any safe range. */
const bentNumber = (shape: Shape): fc.Arbitrary<unknown> => {
  const bends: fc.Arbitrary<unknown>[] = [fc.constantFrom(1e308, -1e308, 2 ** 53, -(2 ** 53), 0.5, -0.5)]
  if (shape.minimum !== undefined) bends.push(fc.constant(shape.minimum - 1))
  if (shape.exclusiveMinimum !== undefined) bends.push(fc.constant(shape.exclusiveMinimum))
  if (shape.maximum !== undefined) bends.push(fc.constant(shape.maximum + 1))
  if (shape.type === 'integer') bends.push(fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)))
  return fc.oneof(...bends, fc.integer().map(String))
}

const build = (shape: Shape, bent: boolean, options: ShapeOptions): fc.Arbitrary<unknown> => {
  const valid = validOf(shape, bent, options)
  if (!bent) return valid
  const bends: fc.Arbitrary<unknown>[] = [anyJson]
  if (shape.type === 'string' && shape.const === undefined) bends.push(bentString(shape))
  if (shape.type === 'integer' || shape.type === 'number') bends.push(bentNumber(shape))
  if (shape.const !== undefined) bends.push(fc.constantFrom(String(shape.const).toUpperCase(), `${String(shape.const)} `, ''), anyText(8))
  if (shape.type === 'array' && shape.items !== undefined) {
    const items = build(shape.items, false, options)
    if (shape.maxItems !== undefined) bends.push(fc.array(items, { minLength: shape.maxItems + 1, maxLength: shape.maxItems + 2 }))
    if ((shape.minItems ?? 0) > 0) bends.push(fc.constant([]))
  }
  if (shape.type === 'object' && shape.properties !== undefined && (shape.required ?? []).length > 0) {
    const required = shape.required ?? []
    bends.push(
      fc.tuple(validOf(shape, false, options), fc.constantFrom(...required)).map(([value, missing]) => {
        const { [missing]: _dropped, ...rest } = value as Record<string, unknown>
        return rest
      }),
    )
  }
  // Mostly as the schema says, so that a bend deep inside is reached.
  return fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: fc.oneof(...bends), weight: 1 })
}

const validOf = (shape: Shape, bent: boolean, options: ShapeOptions): fc.Arbitrary<unknown> => {
  if (shape.const !== undefined) return fc.constant(shape.const)
  if (shape.anyOf !== undefined) return fc.oneof(...shape.anyOf.map((branch) => build(branch, bent, options)))
  switch (shape.type) {
    case 'object': {
      const properties = shape.properties ?? {}
      const model: Record<string, fc.Arbitrary<unknown>> = {}
      for (const [name, property] of Object.entries(properties)) {
        const own = build(property, bent, options)
        const hint = options.hints?.[name]
        model[name] = hint === undefined ? own : fc.oneof(hint, own)
      }
      const record = fc.record(model, { requiredKeys: shape.required ?? [] })
      if (!bent) return record
      // Extra fields: a protocol message ignores them, the config file refuses them.
      return fc
        .tuple(record, fc.dictionary(strangeKeys, anyJson, { maxKeys: 2 }), fc.boolean())
        .map(([value, extra, withExtra]) => (withExtra ? Object.assign(JSON.parse(JSON.stringify(extra)) as object, value) : value))
    }
    case 'array':
      return fc.array(build(shape.items ?? {}, bent, options), { minLength: shape.minItems ?? 0, maxLength: Math.min(shape.maxItems ?? 8, 8) })
    case 'string':
      return validString(shape)
    case 'integer':
      return integerBetween(shape.minimum ?? Number.MIN_SAFE_INTEGER, shape.maximum ?? Number.MAX_SAFE_INTEGER)
    case 'number': {
      const double = fc.double({ min: shape.minimum ?? -1e300, max: shape.maximum ?? 1e300, noNaN: true, noDefaultInfinity: true })
      const above = shape.exclusiveMinimum
      return above === undefined ? double : double.filter((n) => n > above)
    }
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    default:
      return anyJson
  }
}

/** Values `schema` allows. */
export const shaped = (schema: TSchema, options: ShapeOptions = {}): fc.Arbitrary<unknown> => build(schema as Shape, false, options)

/** Values shaped like `schema`, with wrong types, lengths, bounds and fields mixed in at any depth. */
export const misshaped = (schema: TSchema, options: ShapeOptions = {}): fc.Arbitrary<unknown> => build(schema as Shape, true, options)
