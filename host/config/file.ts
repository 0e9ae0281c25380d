// The config file (config.json): its TypeBox schema, and reading and validating it; a bad file is refused in one line,
// `file: field: reason`. Host-only, so the schema lives here rather than in schema/.
import { readFileSync } from 'node:fs'
import type { Static, TSchema } from 'typebox'
import Type from 'typebox'
import { Compile } from 'typebox/compile'
import { schemas } from '../../schema/index.ts'
import { printable } from '../../schema/printable.ts'

/** The one error the config layer throws: a bad file, flag or variable, already worded as `where: field: reason`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

export const HostConfig = Type.Object(
  {
    metric: Type.Optional(schemas.MetricName),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65_535, description: 'TCP port; 0 picks a free one.' })),
    bind: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Address to listen on.' })),
    interval: Type.Optional(schemas.SessionConfig.properties.interval_ms),
    gpu: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: 63 }), Type.Literal('all')], { description: 'GPU index, or "all".' }),
    ),
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'Force one source.' })),
    prometheus: Type.Optional(
      Type.Object(
        {
          url: Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://', description: 'Prometheus base URL.' }),
          query: Type.String({ minLength: 1, maxLength: 4096, description: 'PromQL query.' }),
          scale: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Value that is 100 % of the needle.' })),
        },
        { additionalProperties: false },
      ),
    ),
    // Tokens are sent in the hello frame, so they follow its pattern.
    token: Type.Optional(schemas.PairingToken),
    mdns: Type.Optional(Type.Boolean({ description: 'Advertise _sysboy._tcp by mDNS.' })),
    nvmlLib: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Path to the NVML library.' })),
  },
  { additionalProperties: false },
)

export type HostConfig = Static<typeof HostConfig>

// Compiled on first use: a run without a config file never needs it.
let compiled: ReturnType<typeof Compile<typeof HostConfig>> | undefined
const check = (): ReturnType<typeof Compile<typeof HostConfig>> => (compiled ??= Compile(HostConfig))
const knownFields = Object.keys(HostConfig.properties)

interface SchemaError {
  keyword: string
  instancePath: string
  schemaPath: string
  params: Record<string, unknown>
  message: string
}

const descriptionAt = (schemaPath: string): string | undefined => {
  // schemaPath is like "#/properties/prometheus/properties/url"; walk it to find the field's description.
  let node: TSchema | undefined = HostConfig
  for (const part of schemaPath.replace(/^#\/?/, '').split('/').filter((p) => p !== '')) {
    node = (node as Record<string, unknown> | undefined)?.[part] as TSchema | undefined
  }
  return (node as { description?: string } | undefined)?.description
}

const prometheusFields = Object.keys(HostConfig.properties.prometheus.properties)

/** Names from the file, as a reason quotes them: one may hold a line break, or run on for pages. */
const names = (keys: string[]): string => keys.map((key) => printable(key, 64)).join(', ')

/**
 * The fields the file has that the config does not know, at the top level or in `prometheus`. Counted here rather
 * than taken from the schema's errors: TypeBox stops at eight errors, one per unknown field, before the one that
 * lists them all.
 */
const unknownFields = (value: Record<string, unknown>): string | undefined => {
  const extra = Object.keys(value).filter((key) => !knownFields.includes(key))
  if (extra.length > 0) return `${names(extra)}: unknown field (known: ${knownFields.join(', ')})`
  const prometheus = value.prometheus
  if (typeof prometheus !== 'object' || prometheus === null || Array.isArray(prometheus)) return undefined
  const nested = Object.keys(prometheus).filter((key) => !prometheusFields.includes(key))
  return nested.length > 0 ? `prometheus.${names(nested)}: unknown field (known: ${prometheusFields.join(', ')})` : undefined
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
  if (check().Check(value)) return undefined
  const unknown = unknownFields(value as Record<string, unknown>)
  if (unknown !== undefined) return unknown
  const errors = [...check().Errors(value)] as SchemaError[]
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
