// Turns a validated config file into a settings layer.
import { ConfigError } from './error.ts'
import type { Layer } from './layer.ts'
import type { HostConfig } from './schema.ts'
import { parseBind } from './values.ts'

export const fileLayer = (config: HostConfig, path: string): Layer => {
  if (config.bind !== undefined) {
    const bind = parseBind(config.bind)
    if (!bind.ok) throw new ConfigError(`${path}: bind: ${bind.reason}`)
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
  }
}
