// Reads the SYSBOY_* environment variables into a settings layer; a bad value names the variable.
import { ConfigError } from './error.ts'
import type { Layer } from './layer.ts'
import { type Parsed, parseBind, parseInterval, parseMetric, parsePort, parseToken } from './values.ts'

type Env = Record<string, string | undefined>

/** The variables sysboy reads, for --help. */
export const ENV_VARS = [
  'SYSBOY_METRIC',
  'SYSBOY_PORT',
  'SYSBOY_BIND',
  'SYSBOY_INTERVAL',
  'SYSBOY_TOKEN',
  'SYSBOY_CONFIG',
  'SYSBOY_NVML_LIB',
] as const

const take = <T>(env: Env, name: string, parse: (text: string) => Parsed<T>): T | undefined => {
  const text = env[name]
  if (text === undefined || text === '') return undefined
  const parsed = parse(text)
  if (!parsed.ok) throw new ConfigError(`environment: ${name}: ${parsed.reason}`)
  return parsed.value
}

export const envLayer = (env: Env): Layer => ({
  metric: take(env, 'SYSBOY_METRIC', parseMetric),
  port: take(env, 'SYSBOY_PORT', parsePort),
  bind: take(env, 'SYSBOY_BIND', parseBind),
  interval: take(env, 'SYSBOY_INTERVAL', parseInterval),
  token: take(env, 'SYSBOY_TOKEN', parseToken),
  nvmlLib: take(env, 'SYSBOY_NVML_LIB', (text) => ({ ok: true, value: text })),
})

/** The config file named by SYSBOY_CONFIG, if any. */
export const envConfigPath = (env: Env): string | undefined =>
  env.SYSBOY_CONFIG !== undefined && env.SYSBOY_CONFIG !== '' ? env.SYSBOY_CONFIG : undefined
