// The settings a run uses, resolved flags > environment > config file > defaults; the one place that reads the
// environment. Each setting's text (flag or variable) is parsed here into its value, or refused with the reason.
import { homedir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_PORT, INTERVAL_MS, type ScreenConfig, isMetricName, isPairingToken } from '../../schema/index.ts'
import type { StreamConfig } from '../stream/stream-config.ts'
import { ConfigError, type HostConfig, readConfigFile } from './file.ts'
import { isIpAddress } from './ip-address.ts'
import { fileStreamsOf } from './file-streams.ts'
import { type NamedMetric, namedMetricsOf } from './named-metrics.ts'

export type { NamedMetric } from './named-metrics.ts'

type Env = Record<string, string | undefined>

// Values

/** The result of parsing one setting: its value, or the reason it is refused. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string }

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
const bad = <T>(reason: string): Parsed<T> => ({ ok: false, reason })

const integer = (text: string, min: number, max: number, what: string): Parsed<number> => {
  if (!/^\d+$/.test(text.trim())) return bad(`must be ${what}, a whole number from ${min} to ${max}; got '${text}'`)
  const n = Number(text.trim())
  return n >= min && n <= max ? ok(n) : bad(`must be ${what} from ${min} to ${max}; got ${n}`)
}

export const parsePort = (text: string): Parsed<number> => integer(text, 0, 65_535, 'a TCP port')

export const parseInterval = (text: string): Parsed<number> => integer(text, INTERVAL_MS.minimum, INTERVAL_MS.maximum, 'milliseconds')

export const parseGpu = (text: string): Parsed<number | 'all'> =>
  text.trim() === 'all' ? ok('all') : integer(text, 0, 63, "a GPU index (or 'all')")

export const parseBind = (text: string): Parsed<string> =>
  isIpAddress(text.trim()) ? ok(text.trim()) : bad(`must be an IP address such as 127.0.0.1, or 0.0.0.0 for the LAN; got '${text}'`)

export const parseToken = (text: string): Parsed<string> =>
  isPairingToken(text) ? ok(text) : bad('must be 8 to 128 characters of A-Z a-z 0-9 _ -')

export const parseUrl = (text: string): Parsed<string> => {
  try {
    const url = new URL(text)
    if (url.protocol === 'http:' || url.protocol === 'https:') return ok(text)
  } catch {
    // fall through to the same one-line reason
  }
  return bad(`must be an http:// or https:// URL such as http://localhost:9090; got '${text}'`)
}

export const parseMetric = (text: string): Parsed<string> =>
  isMetricName(text.trim())
    ? ok(text.trim())
    : bad(`must be a metric name of a-z, 0-9 and _ (such as vram); got '${text}'`)

export const parseName = (text: string): Parsed<string> =>
  /^[a-z0-9_-]{1,32}$/.test(text.trim()) ? ok(text.trim()) : bad(`must be a short lower-case name; got '${text}'`)

// Layers

/** Settings as one origin gives them; an absent field falls through to the next layer. */
export interface Layer {
  metric?: string
  port?: number
  bind?: string
  interval?: number
  gpu?: number | 'all'
  source?: string
  prometheus?: string
  query?: string
  scale?: number
  token?: string
  mdns?: boolean
  nvmlLib?: string
  /** Only the config file sets it: a layout is too much for a flag or a variable. */
  screens?: ScreenConfig[]
  /** Only the config file sets them, for the same reason. */
  streams?: StreamConfig[]
  /** Only the config file sets them, for the same reason. */
  namedMetrics?: NamedMetric[]
}

/** The built-in defaults. Every interface: boards on the LAN are the point, and the pairing token guards it. */
export const DEFAULTS = {
  metric: 'vram',
  port: DEFAULT_PORT,
  bind: '0.0.0.0',
  interval: 1000,
  gpu: 'all',
  mdns: true,
} as const satisfies Layer

/** Field by field, the first layer that sets it wins. */
export const mergeLayers = (...layers: Layer[]): Layer => {
  const merged: Layer = {}
  for (const layer of [...layers].reverse()) {
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) (merged as Record<string, unknown>)[key] = value
    }
  }
  return merged
}

// The environment

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

// The config file

/** `$XDG_CONFIG_HOME/sysboy/config.json`, `~/.config/sysboy/config.json`, or `%APPDATA%\sysboy\config.json`. */
export const defaultConfigPath = (env: Env, platform: NodeJS.Platform = process.platform): string => {
  if (platform === 'win32') {
    const appData = env.APPDATA ?? join(env.USERPROFILE ?? homedir(), 'AppData', 'Roaming')
    return join(appData, 'sysboy', 'config.json')
  }
  const base = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), '.config')
  return join(base, 'sysboy', 'config.json')
}

/** Turns a validated config file into a settings layer. */
export const fileLayer = (config: HostConfig, path: string): Layer => {
  if (config.bind !== undefined) {
    const bind = parseBind(config.bind)
    if (!bind.ok) throw new ConfigError(`${path}: bind: ${bind.reason}`)
  }
  // Whether a layout fits is a question for each device (its screen's size, the metrics this host offers); two
  // layouts for one output id are wrong for every device.
  const screens = config.screens ?? []
  for (const [i, screen] of screens.entries()) {
    const first = screens.findIndex((s) => s.output === screen.output)
    if (first < i) throw new ConfigError(`${path}: screens.${i}.output: '${screen.output}' has a layout already (screens.${first})`)
  }
  return {
    metric: config.metric,
    port: config.port,
    bind: config.bind,
    interval: config.interval,
    gpu: config.gpu,
    source: config.source,
    prometheus: config.prometheus?.url,
    query: config.prometheus?.query,
    scale: config.prometheus?.scale,
    token: config.token,
    mdns: config.mdns,
    nvmlLib: config.nvmlLib,
    screens: config.screens,
    streams: fileStreamsOf(config.streams, screens, path),
    namedMetrics: config.metrics === undefined ? undefined : namedMetricsOf(config.metrics, path),
  }
}

// Resolution

export interface PrometheusSettings {
  url: string
  query: string
  scale?: number
}

/** Everything a run needs, each field already validated. */
export interface Settings {
  metric: string
  port: number
  bind: string
  intervalMs: number
  gpu: number | 'all'
  source: string | undefined
  prometheus: PrometheusSettings | undefined
  /** Undefined when no layer sets one: the stored or a new pairing token is used. */
  token: string | undefined
  mdns: boolean
  nvmlLib: string | undefined
  /** The layout for each screen output id, from the config file; empty when it gives none. */
  screens: readonly ScreenConfig[]
  /** What the host streams to each tft output id, from the config file; empty when it gives none. */
  streams: readonly StreamConfig[]
  /** The metrics the config file defines by PromQL query, each served under its name; empty when it gives none. */
  namedMetrics: readonly NamedMetric[]
  /** The config file in use, whether or not it exists yet (the pairing token is stored there). */
  configPath: string
  /** The environment the run was given, whole: sources find their tools on its PATH and run their children with it. */
  environment: Readonly<Env>
}

export interface ResolveInput {
  flags: Layer
  /** `--config FILE`, when given. */
  configFlag: string | undefined
  env: Env
  platform?: NodeJS.Platform
}

export const resolveSettings = (input: ResolveInput): Settings => {
  const named = input.configFlag ?? envConfigPath(input.env)
  const configPath = named ?? defaultConfigPath(input.env, input.platform)
  const { config } = readConfigFile(configPath, named !== undefined)
  const layer = mergeLayers(input.flags, envLayer(input.env), fileLayer(config, configPath), DEFAULTS)
  if ((layer.prometheus === undefined) !== (layer.query === undefined)) {
    throw new ConfigError(
      layer.prometheus === undefined
        ? 'a PromQL query was given without a server: add --prometheus URL'
        : 'a Prometheus server was given without a query: add --query PROMQL',
    )
  }
  const metric = layer.metric ?? DEFAULTS.metric
  const namedMetrics = layer.namedMetrics ?? []
  const clash = namedMetrics.findIndex((m) => m.name === metric)
  if (clash >= 0 && layer.prometheus !== undefined) {
    throw new ConfigError(
      `${configPath}: metrics.${clash}.name: '${metric}' is also the main metric, which the prometheus setting (--prometheus/--query) reads; drop one`,
    )
  }
  return {
    metric,
    port: layer.port ?? DEFAULTS.port,
    bind: layer.bind ?? DEFAULTS.bind,
    intervalMs: layer.interval ?? DEFAULTS.interval,
    gpu: layer.gpu ?? DEFAULTS.gpu,
    source: layer.source,
    prometheus:
      layer.prometheus !== undefined && layer.query !== undefined
        ? { url: layer.prometheus, query: layer.query, ...(layer.scale !== undefined ? { scale: layer.scale } : {}) }
        : undefined,
    token: layer.token,
    mdns: layer.mdns ?? DEFAULTS.mdns,
    nvmlLib: layer.nvmlLib,
    screens: layer.screens ?? [],
    streams: layer.streams ?? [],
    namedMetrics,
    configPath,
    environment: input.env,
  }
}
