// The metric sources' front door: which metrics and sources exist, opening one (a chain by default), and doctor probes.
import { BUILTIN_METRICS, isMetricName } from '../../schema/index.ts'
import { createAmdgpuSource } from './amdgpu.ts'
import { createChainSource } from './chain.ts'
import { createCpuSource } from './cpu.ts'
import { createDiskSource } from './disk.ts'
import { createIoregSource } from './ioreg.ts'
import { createNetSource } from './net.ts'
import { createNvidiaSmiSource } from './nvidia-smi.ts'
import { createNvmlSource } from './nvml.ts'
import { createPdhSource } from './pdh.ts'
import { createPrometheusSource } from './prometheus.ts'
import { createRamSource } from './ram.ts'
import type { Availability, Environment, Figure, MetricSource } from './source.ts'

export type { Availability, Environment, Figure, MetricSource, Reading } from './source.ts'

/** A metric served under its own name and read by its own PromQL query (the config file's `metrics`). */
export interface NamedQuery {
  name: string
  url: string
  query: string
  /** The query value that is 100 %. */
  scale: number
  unit?: string
}

export interface SourceOptions {
  metric: string
  gpu: number | 'all'
  source?: string
  nvmlLib?: string
  sysfsRoot?: string
  procRoot?: string
  prometheus?: { url: string; query: string; scale?: number }
  /** Metrics read by their own PromQL queries; each is opened by its name. */
  namedMetrics?: readonly NamedQuery[]
  intervalMs?: number
  diskPath?: string
  netFullScale?: number
  /** Where tools are found (PATH) and what children run with; the environment the CLI was given. */
  environment: Environment
}

/** The metric names `--metric` accepts. */
export const METRICS: readonly string[] = BUILTIN_METRICS

const gpuSources = ['nvml', 'nvidia-smi', 'amdgpu'] as const

/** Metric -> the sources `--source` accepts for it, in the order the chain tries them. */
export const SOURCE_NAMES: Readonly<Record<string, readonly string[]>> = {
  vram: [...gpuSources, 'pdh', 'ioreg', 'prometheus'],
  gpu_util: [...gpuSources, 'prometheus'],
  gpu_temp: [...gpuSources, 'prometheus'],
  cpu: ['procfs', 'prometheus'],
  ram: ['procfs', 'prometheus'],
  net_rx: ['procfs', 'prometheus'],
  net_tx: ['procfs', 'prometheus'],
  disk: ['statfs', 'prometheus'],
}

// Sources that can only work on one OS stay out of the default chain elsewhere, so "unknown" reasons stay short.
const onlyOn: Readonly<Record<string, NodeJS.Platform>> = { amdgpu: 'linux', procfs: 'linux', pdh: 'win32', ioreg: 'darwin' }


const create = (name: string, metric: string, options: SourceOptions): MetricSource => {
  const gpu = options.gpu
  const intervalMs = options.intervalMs
  switch (name) {
    case 'nvml':
      return createNvmlSource({ metric: metric as 'vram', gpu, library: options.nvmlLib })
    case 'nvidia-smi':
      return createNvidiaSmiSource({ metric: metric as 'vram', gpu, intervalMs, environment: options.environment })
    case 'amdgpu':
      return createAmdgpuSource({ metric: metric as 'vram', gpu, sysfsRoot: options.sysfsRoot })
    case 'pdh':
      return createPdhSource({ gpu, intervalMs, environment: options.environment })
    case 'ioreg':
      return createIoregSource({ gpu, intervalMs, environment: options.environment })
    case 'procfs':
      if (metric === 'cpu') return createCpuSource({ procRoot: options.procRoot })
      if (metric === 'ram') return createRamSource({ procRoot: options.procRoot })
      return createNetSource({
        direction: metric === 'net_rx' ? 'rx' : 'tx',
        procRoot: options.procRoot,
        fullScale: options.netFullScale,
      })
    case 'statfs':
      return createDiskSource({ path: options.diskPath })
    case 'prometheus': {
      if (options.prometheus === undefined) {
        throw new Error('source "prometheus" needs a Prometheus URL and a PromQL query')
      }
      return createPrometheusSource({ metric, ...options.prometheus })
    }
    default:
      throw new Error(`no source named "${name}"`)
  }
}

const checkGpu = (gpu: number | 'all'): void => {
  if (gpu !== 'all' && !(Number.isInteger(gpu) && gpu >= 0)) {
    throw new Error(`GPU must be an index (0, 1, ...) or "all", not ${String(gpu)}`)
  }
}

/**
 * Opens the source for a metric. Without `source`: the configured Prometheus query if there is one, else the chain
 * of this OS's sources. With `source`: only that one. Throws a one-line Error for a metric or source that does not
 * exist, naming the valid ones.
 */
export const openSource = (options: SourceOptions): MetricSource => {
  checkGpu(options.gpu)
  const names = SOURCE_NAMES[options.metric]
  if (names === undefined) {
    // A user-named metric can only come from Prometheus.
    if (options.prometheus !== undefined && (options.source ?? 'prometheus') === 'prometheus') {
      if (!isMetricName(options.metric)) {
        throw new Error(`metric name "${options.metric}" must be lower case letters, digits and _ (up to 32)`)
      }
      return create('prometheus', options.metric, options)
    }
    const named = options.namedMetrics?.find((m) => m.name === options.metric)
    if (named !== undefined) {
      if ((options.source ?? 'prometheus') !== 'prometheus') {
        throw new Error(`source "${options.source}" cannot read ${options.metric}; its PromQL query in the config file reads it`)
      }
      return createPrometheusSource({ metric: named.name, url: named.url, query: named.query, scale: named.scale, unit: named.unit })
    }
    throw new Error(
      `unknown metric "${options.metric}"; use one of ${METRICS.join(', ')} (or any name with a Prometheus query)`,
    )
  }
  if (options.source !== undefined) {
    if (!names.includes(options.source)) {
      throw new Error(`source "${options.source}" cannot read ${options.metric}; use one of ${names.join(', ')}`)
    }
    return create(options.source, options.metric, options)
  }
  if (options.prometheus !== undefined) return create('prometheus', options.metric, options)
  const chain = names.filter((name) => {
    if (name === 'prometheus') return false
    const platform = onlyOn[name]
    const overridden = (name === 'amdgpu' && options.sysfsRoot !== undefined) || (name === 'procfs' && options.procRoot !== undefined)
    return platform === undefined || platform === process.platform || overridden
  })
  const sources = chain.map((name) => create(name, options.metric, options))
  if (sources.length === 1 && sources[0] !== undefined) return sources[0]
  if (sources.length === 0) {
    throw new Error(`no source can read ${options.metric} on ${process.platform}; configure a Prometheus query`)
  }
  const gpuMetric = options.metric === 'vram' || options.metric.startsWith('gpu_')
  return createChainSource({
    metric: options.metric,
    sources,
    noneWorks: gpuMetric ? 'no GPU found' : undefined,
  })
}

const describe = (metric: string, { percent, raw, unit, windowMs }: Figure): string => {
  const amount = raw === undefined || unit === undefined || unit === '%' ? [] : [`${raw} ${unit}`]
  const window = windowMs === undefined ? [] : [`over ${windowMs} ms`]
  const extra = [...amount, ...window].join(' ')
  return `${metric} reads ${percent} %${extra === '' ? '' : ` (${extra})`}`
}

/** For `sysboy doctor`: every source of every metric, whether it works here and why not. */
export const probeSources = async (options: SourceOptions): Promise<Availability[]> => {
  const opened: { metric: string; source: string; open: MetricSource | string }[] = []
  for (const metric of METRICS) {
    for (const source of SOURCE_NAMES[metric] ?? []) {
      if (source === 'prometheus' && options.prometheus === undefined) {
        opened.push({ metric, source, open: 'not configured (give a Prometheus URL and a query)' })
        continue
      }
      try {
        opened.push({ metric, source, open: create(source, metric, options) })
      } catch (error) {
        opened.push({ metric, source, open: error instanceof Error ? error.message : String(error) })
      }
    }
  }
  for (const named of options.namedMetrics ?? []) {
    try {
      opened.push({ metric: named.name, source: 'prometheus', open: openSource({ ...options, metric: named.name, source: undefined, prometheus: undefined }) })
    } catch (error) {
      opened.push({ metric: named.name, source: 'prometheus', open: error instanceof Error ? error.message : String(error) })
    }
  }
  // Rate sources took their baseline when opened (and would wait out their own short window); sources fed by a child
  // process (typeperf, ioreg) need a moment for their first sample.
  await Bun.sleep(250)
  const results = await Promise.all(
    opened.map(async ({ metric, source, open }): Promise<Availability> => {
      if (typeof open === 'string') return { metric, source, works: false, detail: open }
      try {
        const reading = await open.read()
        return reading.known
          ? { metric, source, works: true, detail: describe(metric, reading.figure) }
          : { metric, source, works: false, detail: reading.reason }
      } finally {
        open.close()
      }
    }),
  )
  return results
}
