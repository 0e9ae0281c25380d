// The config file's named metrics (`metrics`: name, Prometheus URL, PromQL query, scale, unit), checked as a whole:
// the schema checks each one alone; a name used twice or taken from a built-in metric is refused here, naming the field.
import { BUILTIN_METRICS } from '../../schema/index.ts'
import type { PromqlMetric } from '../../schema/host-config.ts'
import { ConfigError } from './file.ts'

/** One metric served under its own name, read by a PromQL query. */
export interface NamedMetric {
  name: string
  url: string
  query: string
  /** The query value that is 100 %. */
  scale: number
  unit?: string
}

const builtin = new Set<string>(BUILTIN_METRICS)

/** The file's named metrics, each checked against the others and the built-in names; `path` names the file in errors. */
export const namedMetricsOf = (metrics: readonly PromqlMetric[] | undefined, path: string): NamedMetric[] => {
  const list = metrics ?? []
  for (const [i, metric] of list.entries()) {
    const where = `${path}: metrics.${i}`
    if (builtin.has(metric.name)) {
      throw new ConfigError(`${where}.name: '${metric.name}' is a built-in metric; give the PromQL metric another name (built-in: ${BUILTIN_METRICS.join(', ')})`)
    }
    const first = list.findIndex((m) => m.name === metric.name)
    if (first < i) throw new ConfigError(`${where}.name: '${metric.name}' is defined already (metrics.${first})`)
    try {
      new URL(metric.url)
    } catch {
      throw new ConfigError(`${where}.url: '${metric.url}' is not a URL; give one like http://localhost:9090`)
    }
    if (metric.query.trim() === '') throw new ConfigError(`${where}.query: the PromQL query is blank`)
  }
  return list.map(({ name, url, query, scale, unit }) => ({ name, url, query, scale, ...(unit === undefined ? {} : { unit }) }))
}
