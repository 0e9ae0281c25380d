// Resolves the settings a run uses: flags > environment > config file > defaults.
import { ConfigError } from './error.ts'
import { envConfigPath, envLayer } from './env.ts'
import { readConfigFile } from './file.ts'
import { fileLayer } from './file-layer.ts'
import { DEFAULTS, type Layer, mergeLayers } from './layer.ts'
import { defaultConfigPath } from './paths.ts'

type Env = Record<string, string | undefined>

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
  /** The config file in use, whether or not it exists yet (the pairing token is stored there). */
  configPath: string
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
  return {
    metric: layer.metric ?? DEFAULTS.metric,
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
    configPath,
  }
}
