// The settings a command runs with: its flags over the environment over the config file over the defaults.
import { ConfigError } from '../config/file.ts'
import { type Settings, resolveSettings } from '../config/resolve.ts'
import { METRICS } from '../sources/index.ts'
import type { Invocation } from './args.ts'
import { CliError, EXIT } from './exit-codes.ts'
import { flagLayer } from './flag-layer.ts'

export const settingsFor = (invocation: Invocation, env: Record<string, string | undefined>): Settings => {
  const config = invocation.flags.config
  try {
    return resolveSettings({ flags: flagLayer(invocation.flags), configFlag: typeof config === 'string' ? config : undefined, env })
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.config)
    throw error
  }
}

/** Refuses a metric that no source serves: the built-in ones, the config file's named ones, or any name with a Prometheus query. */
export const checkMetric = (settings: Settings): void => {
  if (METRICS.includes(settings.metric) || settings.prometheus !== undefined) return
  if (settings.namedMetrics.some((m) => m.name === settings.metric)) return
  throw new CliError(
    `unknown metric '${settings.metric}'; valid metrics: ${METRICS.join(', ')} (or any name with --prometheus URL --query PROMQL)`,
    EXIT.usage,
  )
}
