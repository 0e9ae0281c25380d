// Emits no_std serde types, with validation, from the protocol's JSON Schema documents.
//
// Each message union becomes one `#[serde(tag = "type")]` enum whose variants wrap a struct named by the variant
// schema's `title`; nested objects and string unions become structs and enums named by their `title`. Schema
// constraints that serde cannot express (ranges, lengths, item counts, character classes) become `Validate` impls,
// so the Rust side accepts exactly what the TypeBox side accepts.

export interface JsonSchema {
  type?: string
  title?: string
  description?: string
  const?: string
  anyOf?: JsonSchema[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  additionalProperties?: boolean | JsonSchema
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  pattern?: string
}

/** A protocol constant both ends share, emitted as a Rust `pub const`. */
export interface RustConstant {
  name: string
  value: number | string
  /** The Rust type of a number; strings are `&str`. */
  type?: 'u16' | 'u32'
  description: string
}

/** One message union to emit: the Rust enum name and its JSON Schema. */
export interface UnionInput {
  name: string
  schema: JsonSchema
}

export class SchemaShapeError extends Error {
  constructor(where: string, what: string) {
    super(`${where}: ${what}`)
    this.name = 'SchemaShapeError'
  }
}

interface RustType {
  /** The Rust type, e.g. `Option<String>`. */
  ty: string
  /** Statements that validate the expression `value` of this type (a reference), each ending in `?;`. */
  checks: (value: string, field: string) => string[]
}

const SAFE = Number.MAX_SAFE_INTEGER

const pascal = (snake: string): string =>
  snake
    .split(/[_\-\s]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('')

const rustString = (text: string): string => JSON.stringify(text)

const docLines = (description: string | undefined, indent: string): string[] =>
  description === undefined ? [] : description.split('\n').map((line) => `${indent}/// ${line}`.trimEnd())

const stable = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  )

/** Turns a `^[...]+$` pattern into a Rust `matches!` pattern over one `char`. */
export const charClassPattern = (pattern: string, where: string): string => {
  const match = /^\^\[([^\]]+)\]\+\$$/.exec(pattern)
  if (match === null) throw new SchemaShapeError(where, `pattern ${pattern} is not of the supported form ^[...]+$`)
  const body = match[1]!
  const alternatives: string[] = []
  const quote = (c: string): string => (c === "'" || c === '\\' ? `'\\${c}'` : `'${c}'`)
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (c === '\\') throw new SchemaShapeError(where, `pattern ${pattern}: escapes are not supported`)
    if (body[i + 1] === '-' && i + 2 < body.length) {
      alternatives.push(`${quote(c)}..=${quote(body[i + 2]!)}`)
      i += 2
    } else {
      alternatives.push(quote(c))
    }
  }
  return alternatives.join(' | ')
}

const intType = (min: number, max: number): string => {
  if (min >= 0) {
    if (max <= 0xff) return 'u8'
    if (max <= 0xffff) return 'u16'
    if (max <= 0xffff_ffff) return 'u32'
    return 'u64'
  }
  if (min >= -0x80 && max <= 0x7f) return 'i8'
  if (min >= -0x8000 && max <= 0x7fff) return 'i16'
  if (min >= -0x8000_0000 && max <= 0x7fff_ffff) return 'i32'
  return 'i64'
}

const typeBounds: Record<string, [number, number]> = {
  u8: [0, 0xff],
  u16: [0, 0xffff],
  u32: [0, 0xffff_ffff],
  u64: [0, SAFE],
  i8: [-0x80, 0x7f],
  i16: [-0x8000, 0x7fff],
  i32: [-0x8000_0000, 0x7fff_ffff],
  i64: [-SAFE, SAFE],
}

const isStringUnion = (schema: JsonSchema): boolean =>
  schema.anyOf !== undefined && schema.anyOf.every((s) => s.type === 'string' && typeof s.const === 'string')

const isNullable = (schema: JsonSchema): boolean =>
  schema.anyOf !== undefined && schema.anyOf.length === 2 && schema.anyOf[1]!.type === 'null'

/** Emits Rust source for the given message unions. */
export class RustEmitter {
  private readonly items = new Map<string, { shape: string; code: string }>()
  private readonly order: string[] = []

  constructor(private readonly generator: string) {}

  emit(unions: UnionInput[], constants: RustConstant[] = []): string {
    const enums = unions.map((u) => this.messageUnion(u))
    const consts = constants.map((c) => {
      const ty = typeof c.value === 'string' ? '&str' : (c.type ?? 'u32')
      const value = typeof c.value === 'string' ? rustString(c.value) : String(c.value)
      return [...docLines(c.description, ''), `pub const ${c.name}: ${ty} = ${value};`].join('\n')
    })
    const header = [
      `// @generated by ${this.generator}. Do not edit by hand: edit the TypeBox schemas in schema/ and run \`npm run gen\`.`,
      '//! Sysboy protocol v1 message types, generated from `schema/json/*.schema.json`.',
      '',
      'use alloc::string::String;',
      'use alloc::vec::Vec;',
      'use serde::{Deserialize, Serialize};',
      '',
      'use crate::validate::{check_chars, check_float, check_int, check_items, check_len, Validate, ValidationError};',
      '',
    ]
    const body = [...(consts.length > 0 ? [consts.join('\n\n')] : []), ...enums, ...this.order.map((name) => this.items.get(name)!.code)]
    return `${header.join('\n')}\n${body.join('\n\n')}\n`
  }

  private define(name: string, shape: JsonSchema, build: () => string): void {
    // A variant may describe itself differently from the struct it shares; the fields must still match.
    const { description: _description, ...fields } = shape
    const key = stable(fields)
    const existing = this.items.get(name)
    if (existing !== undefined) {
      if (existing.shape !== key) throw new SchemaShapeError(name, 'two different schemas share this title')
      return
    }
    this.items.set(name, { shape: key, code: '' })
    this.order.push(name)
    this.items.get(name)!.code = build()
  }

  private messageUnion({ name, schema }: UnionInput): string {
    if (schema.anyOf === undefined) throw new SchemaShapeError(name, 'a message union must be an anyOf')
    const variants = schema.anyOf.map((variant, index) => {
      const tag = variant.properties?.type?.const
      if (variant.type !== 'object' || typeof tag !== 'string') {
        throw new SchemaShapeError(`${name}[${index}]`, 'each variant must be an object with a constant `type`')
      }
      if (variant.title === undefined) throw new SchemaShapeError(`${name}.${tag}`, 'a variant needs a title')
      const { type: _tag, ...properties } = variant.properties!
      const body: JsonSchema = {
        ...variant,
        properties,
        required: (variant.required ?? []).filter((r) => r !== 'type'),
      }
      this.struct(variant.title, body)
      return { tag, variant: pascal(tag), struct: variant.title, description: variant.description }
    })
    const lines = [
      ...docLines(schema.description, ''),
      '#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]',
      '#[serde(tag = "type")]',
      `pub enum ${name} {`,
    ]
    for (const v of variants) {
      lines.push(...docLines(v.description, '    '))
      lines.push(`    #[serde(rename = ${rustString(v.tag)})]`, `    ${v.variant}(${v.struct}),`)
    }
    lines.push('}', '', `impl ${name} {`)
    lines.push(`    /// Every value of the \`type\` field, in schema order.`)
    lines.push(`    pub const TYPES: &'static [&'static str] = &[${variants.map((v) => rustString(v.tag)).join(', ')}];`, '')
    lines.push('    /// The value of this message\'s `type` field.', '    pub const fn type_name(&self) -> &\'static str {', '        match self {')
    for (const v of variants) lines.push(`            Self::${v.variant}(_) => ${rustString(v.tag)},`)
    lines.push('        }', '    }', '}', '', `impl Validate for ${name} {`)
    lines.push('    fn validate(&self) -> Result<(), ValidationError> {', '        match self {')
    for (const v of variants) lines.push(`            Self::${v.variant}(message) => message.validate(),`)
    lines.push('        }', '    }', '}')
    return lines.join('\n')
  }

  private struct(name: string, schema: JsonSchema): void {
    this.define(name, schema, () => {
      const required = new Set(schema.required ?? [])
      const fields = Object.entries(schema.properties ?? {}).map(([field, fieldSchema]) => {
        const inner = this.typeOf(fieldSchema, `${name}.${field}`)
        const optional = !required.has(field)
        const nullable = isNullable(fieldSchema)
        if (optional && nullable) throw new SchemaShapeError(`${name}.${field}`, 'optional and nullable at once is not supported')
        return { field, fieldSchema, inner, optional, nullable }
      })
      const lines = [
        ...docLines(schema.description, ''),
        '#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]',
        `pub struct ${name} {`,
      ]
      for (const f of fields) {
        lines.push(...docLines(f.fieldSchema.description, '    '))
        if (f.optional) {
          // `present` refuses an explicit null, as JSON Schema does for an optional field of a non-null type.
          lines.push(
            '    #[serde(default, deserialize_with = "crate::validate::present", skip_serializing_if = "Option::is_none")]',
          )
          lines.push(`    pub ${f.field}: Option<${f.inner.ty}>,`)
        } else if (f.nullable) {
          // `nullable` keeps the field required: a missing value is an error, an explicit null is not.
          lines.push('    #[serde(deserialize_with = "crate::validate::nullable")]')
          lines.push(`    pub ${f.field}: ${f.inner.ty},`)
        } else {
          lines.push(`    pub ${f.field}: ${f.inner.ty},`)
        }
      }
      lines.push('}', '', `impl Validate for ${name} {`, '    fn validate(&self) -> Result<(), ValidationError> {')
      for (const f of fields) {
        const path = `${name}.${f.field}`
        const checks = f.inner.checks('value', path)
        if (checks.length === 0) continue
        if (f.optional) {
          lines.push(`        if let Some(value) = &self.${f.field} {`, ...checks.map((c) => `            ${c}`), '        }')
        } else {
          // A nullable field's type is itself an Option, and its checks handle the null case.

          lines.push(`        let value = &self.${f.field};`, ...checks.map((c) => `        ${c}`))
        }
      }
      lines.push('        Ok(())', '    }', '}')
      return lines.join('\n')
    })
  }

  private stringEnum(name: string, schema: JsonSchema): void {
    this.define(name, schema, () => {
      const lines = [
        ...docLines(schema.description, ''),
        '#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]',
        `pub enum ${name} {`,
      ]
      for (const option of schema.anyOf!) {
        lines.push(`    #[serde(rename = ${rustString(option.const!)})]`, `    ${pascal(option.const!)},`)
      }
      lines.push('}', '', `impl ${name} {`, '    /// The wire name of this value.', "    pub const fn as_str(self) -> &'static str {", '        match self {')
      for (const option of schema.anyOf!) lines.push(`            Self::${pascal(option.const!)} => ${rustString(option.const!)},`)
      lines.push('        }', '    }', '}')
      return lines.join('\n')
    })
  }

  private typeOf(schema: JsonSchema, where: string): RustType {
    if (isNullable(schema)) {
      const inner = this.typeOf(schema.anyOf![0]!, where)
      return {
        ty: `Option<${inner.ty}>`,
        checks: (value, field) => {
          const innerChecks = inner.checks('inner', field)
          return innerChecks.length === 0 ? [] : [`if let Some(inner) = ${value} {`, ...innerChecks.map((c) => `    ${c}`), '}']
        },
      }
    }
    if (isStringUnion(schema)) {
      if (schema.title === undefined) throw new SchemaShapeError(where, 'a string union needs a title')
      this.stringEnum(schema.title, schema)
      return { ty: schema.title, checks: () => [] }
    }
    switch (schema.type) {
      case 'boolean':
        return { ty: 'bool', checks: () => [] }
      case 'number':
        return {
          ty: 'f64',
          checks: (value, field) =>
            schema.minimum === undefined && schema.maximum === undefined
              ? []
              : [`check_float(*${value}, ${floatBound(schema.minimum, '-')}, ${floatBound(schema.maximum, '')}, ${rustString(field)})?;`],
        }
      case 'integer': {
        if (schema.minimum === undefined || schema.maximum === undefined) {
          throw new SchemaShapeError(where, 'an integer needs both minimum and maximum')
        }
        const ty = intType(schema.minimum, schema.maximum)
        const [lo, hi] = typeBounds[ty]!
        const needed = schema.minimum > lo || schema.maximum < hi || ty === 'u64' || ty === 'i64'
        return {
          ty,
          checks: (value, field) =>
            needed ? [`check_int(i128::from(*${value}), ${schema.minimum}, ${schema.maximum}, ${rustString(field)})?;`] : [],
        }
      }
      case 'string': {
        const chars = schema.pattern === undefined ? undefined : charClassPattern(schema.pattern, where)
        return {
          ty: 'String',
          checks: (value, field) => {
            const checks: string[] = []
            if (schema.minLength !== undefined || schema.maxLength !== undefined) {
              checks.push(`check_len(${value}, ${schema.minLength ?? 0}, ${schema.maxLength ?? 'usize::MAX'}, ${rustString(field)})?;`)
            }
            if (chars !== undefined) {
              checks.push(`check_chars(${value}, |c| matches!(c, ${chars}), ${rustString(schema.pattern!)}, ${rustString(field)})?;`)
            }
            return checks
          },
        }
      }
      case 'array': {
        if (schema.items === undefined) throw new SchemaShapeError(where, 'an array needs items')
        const item = this.typeOf(schema.items, `${where}[]`)
        return {
          ty: `Vec<${item.ty}>`,
          checks: (value, field) => {
            const checks: string[] = []
            if (schema.minItems !== undefined || schema.maxItems !== undefined) {
              checks.push(`check_items(${value}.len(), ${schema.minItems ?? 0}, ${schema.maxItems ?? 'usize::MAX'}, ${rustString(field)})?;`)
            }
            const itemChecks = item.checks('item', `${field}[]`)
            if (itemChecks.length > 0) checks.push(`for item in ${value} {`, ...itemChecks.map((c) => `    ${c}`), '}')
            return checks
          },
        }
      }
      case 'object': {
        if (schema.title === undefined) throw new SchemaShapeError(where, 'an object needs a title')
        this.struct(schema.title, schema)
        return { ty: schema.title, checks: (value) => [`${value}.validate()?;`] }
      }
      default:
        throw new SchemaShapeError(where, `unsupported schema ${JSON.stringify(schema).slice(0, 80)}`)
    }
  }
}

const floatBound = (bound: number | undefined, sign: '-' | ''): string =>
  bound === undefined ? `${sign}f64::INFINITY` : Number.isInteger(bound) ? `${bound}.0` : `${bound}`
