// Source options for one metric: a forced source and the Prometheus query belong to the main metric only; the config
// file's named metrics are open to every one.
import type { Settings } from '../config/resolve.ts'
import type { SourceOptions } from '../sources/index.ts'

export const sourceOptionsFor = (settings: Settings, metric: string): SourceOptions => ({
  metric,
  gpu: settings.gpu,
  intervalMs: settings.intervalMs,
  nvmlLib: settings.nvmlLib,
  environment: settings.environment,
  namedMetrics: settings.namedMetrics,
  ...(metric === settings.metric ? { source: settings.source, prometheus: settings.prometheus } : {}),
})
