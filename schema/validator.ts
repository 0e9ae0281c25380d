// What schema/generated/checks.ts holds for each schema, and the cleaner its shapes drive. No schema builder here:
// the running host checks frames, REST bodies and the config file with these, never with TypeBox's compiler.

/** The fields a checked value keeps: an object's declared properties (each with its own shape), an array's items. */
export type Shape = null | { readonly properties: Readonly<Record<string, Shape>> } | { readonly items: Shape }

/** A schema compiled at build time: TypeBox's own check, and the shape that says which fields a valid value keeps. */
export interface Validator {
  readonly check: (value: unknown) => boolean
  readonly shape: Shape
}

/**
 * A copy of a checked `value` with only the fields its schema declares (what TypeBox's Value.Clean does for these
 * schemas): a newer peer's extra fields are dropped rather than passed on. `value` must have passed the check.
 */
export const clean = (value: unknown, shape: Shape): unknown => {
  if (shape === null || typeof value !== 'object' || value === null) return value
  if ('items' in shape) return Array.isArray(value) ? value.map((item) => clean(item, shape.items)) : value
  const kept: Record<string, unknown> = {}
  // In the value's own order, as Value.Clean leaves it; only declared keys, so never `__proto__`.
  for (const [key, field] of Object.entries(value)) {
    if (Object.hasOwn(shape.properties, key)) kept[key] = clean(field, shape.properties[key] ?? null)
  }
  return kept
}

/** One of TypeBox's reasons a value fails its schema. */
export interface SchemaError {
  keyword: string
  instancePath: string
  schemaPath: string
  params: Record<string, unknown>
  message: string
}

/**
 * Why `value` fails `schema`, in TypeBox's words. TypeBox (and the schema modules the caller passes from) load here,
 * synchronously, the first time a value is refused; a host that is sent only good frames never loads them.
 */
export const schemaErrors = (schema: object, value: unknown): SchemaError[] => {
  const { default: Value } = require('typebox/value') as typeof import('typebox/value')
  return [...Value.Errors(schema as import('typebox').TSchema, value)] as SchemaError[]
}

/** The protocol's TypeBox schemas, loaded on first use (to explain a refusal), not when the host starts. */
export const protocolSchemas = (): typeof import('./schemas.ts') => require('./schemas.ts') as typeof import('./schemas.ts')
