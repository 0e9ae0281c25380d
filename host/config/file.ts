// The config file (config.json): reading and validating it; a bad file is refused in one line, `file: field: reason`.
// Its TypeBox schema is schema/host-config.ts, checked here through the check generated from it.
import { readFileSync } from 'node:fs'
import type { TSchema } from 'typebox'
import { hostConfig } from '../../schema/generated/checks.ts'
import type { HostConfig as HostConfigType } from '../../schema/host-config.ts'
import { printable } from '../../schema/printable.ts'
import { type SchemaError, type Shape, schemaErrors } from '../../schema/validator.ts'

/** The one error the config layer throws: a bad file, flag or variable, already worded as `where: field: reason`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

export type HostConfig = HostConfigType

/** The config's TypeBox schema, loaded the first time a file is refused, to word the reason. */
const schema = (): TSchema => (require('../../schema/host-config.ts') as typeof import('../../schema/host-config.ts')).HostConfig

const descriptionAt = (schemaPath: string): string | undefined => {
  // schemaPath is like "#/properties/prometheus/properties/url"; walk it to find the field's description.
  let node: TSchema | undefined = schema()
  for (const part of schemaPath.replace(/^#\/?/, '').split('/').filter((p) => p !== '')) {
    node = (node as Record<string, unknown> | undefined)?.[part] as TSchema | undefined
  }
  return (node as { description?: string } | undefined)?.description
}

/** Names from the file, as a reason quotes them: one may hold a line break, or run on for pages. */
const names = (keys: string[]): string => keys.map((key) => printable(key, 64)).join(', ')

/**
 * The first object in `value` with fields its shape does not declare, this object's own before those it holds
 * (`prometheus`, `screens.0.scenes.1`), worded as `where.names: unknown field (known: …)`. Counted here rather than
 * taken from the schema's errors: TypeBox stops at eight errors, one per unknown field, before the one that lists
 * them all.
 */
const unknownFields = (value: unknown, shape: Shape, at = ''): string | undefined => {
  if (shape === null || typeof value !== 'object' || value === null) return undefined
  if ('items' in shape) {
    if (!Array.isArray(value)) return undefined
    for (const [i, item] of value.entries()) {
      const found = unknownFields(item, shape.items, `${at}${i}.`)
      if (found !== undefined) return found
    }
    return undefined
  }
  if (Array.isArray(value)) return undefined
  const fields = shape.properties
  const extra = Object.keys(value).filter((key) => !Object.hasOwn(fields, key))
  if (extra.length > 0) return `${at}${names(extra)}: unknown field (known: ${Object.keys(fields).join(', ')})`
  for (const [key, field] of Object.entries(fields)) {
    const found = Object.hasOwn(value, key) ? unknownFields((value as Record<string, unknown>)[key], field, `${at}${key}.`) : undefined
    if (found !== undefined) return found
  }
  return undefined
}

const reasonFor = (error: SchemaError): string => {
  const field = error.instancePath.slice(1).replaceAll('/', '.')
  if (error.keyword === 'required') {
    const missing = (error.params.requiredProperties as string[] | undefined) ?? []
    return `${field}: missing field ${missing.map((m) => `'${m}'`).join(', ')}`
  }
  const hint = descriptionAt(error.schemaPath.replace(/\/anyOf\/\d+$/, ''))
  return `${field === '' ? '(top level)' : field}: ${error.message}${hint === undefined ? '' : ` (${hint})`}`
}

/** The first problem with a parsed config value, or undefined when it is valid. */
export const configProblem = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return '(top level): must be a JSON object'
  if (hostConfig.check(value)) return undefined
  const unknown = unknownFields(value, hostConfig.shape)
  if (unknown !== undefined) return unknown
  const errors = schemaErrors(schema(), value)
  // A missing field says more than the noise a union leaves behind.
  const best =
    errors.find((e) => e.keyword === 'required') ??
    errors.find((e) => e.keyword !== 'anyOf' && e.keyword !== 'boolean' && !/\/anyOf\/[1-9]\d*$/.test(e.schemaPath)) ??
    errors[0]
  return best === undefined ? '(top level): invalid' : reasonFor(best)
}

/** The config in `path`; a missing file is an empty config unless `mustExist` (it was named by the user). */
export const readConfigFile = (path: string, mustExist: boolean): { config: HostConfig; exists: boolean } => {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && !mustExist) return { config: {}, exists: false }
    const why = code === 'ENOENT' ? 'no such file' : (error as Error).message
    throw new ConfigError(`${path}: cannot read the config file: ${why}; fix the path given by --config or SYSBOY_CONFIG`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    // The parser's message quotes the character it stopped at, which may be a line break.
    throw new ConfigError(`${path}: not valid JSON: ${printable((error as Error).message, 160)}`)
  }
  const problem = configProblem(value)
  if (problem !== undefined) throw new ConfigError(`${path}: ${problem}`)
  return { config: value as HostConfig, exists: true }
}
