// Sample figures for `sysboy preview` and the benchmark: a realistic desk (VRAM 5.2 of 8 GiB, CPU 37 %, GPU 63 °C,
// RAM 71 %, 12.4 MB/s in, 812 KB/s out) with deterministic histories, so previews are the same on every PC.
import type { MetricFrame } from '../../schema/index.ts'
import { HISTORY_VALUES } from '../../schema/index.ts'
import { metricFrame } from '../hub/metric-frame.ts'
import { DEFAULT_NET_FULL_SCALE } from '../sources/net.ts'
import type { Figure } from '../sources/source.ts'
import type { ViewFigure } from './screen-view.ts'
import { figureOfFrame } from './screen-view.ts'

const GIB = 1024 ** 3

const bytes = (used: number, total: number): Figure => ({ percent: (used / total) * 100, used, total, raw: used, unit: 'B' })
const percent = (value: number, unit = '%'): Figure => ({ percent: value, raw: value, unit })
const rate = (bytesPerSecond: number): Figure => ({ percent: (bytesPerSecond / DEFAULT_NET_FULL_SCALE) * 100, raw: bytesPerSecond, unit: 'B/s' })

/** Each built-in metric's sample, as its real source would read it. */
export const SAMPLE_FIGURES: Readonly<Record<string, Figure>> = {
  vram: bytes(Math.round(5.2 * GIB), 8 * GIB),
  gpu_util: percent(54),
  gpu_temp: percent(63, '°C'),
  cpu: percent(37),
  ram: bytes(Math.round(0.71 * 32 * GIB), 32 * GIB),
  net_rx: rate(12_400_000),
  net_tx: rate(812_000),
  disk: bytes(Math.round(0.48 * 1000 * GIB), 1000 * GIB),
}

/** The sample frame of `metric`, or undefined for a metric without one. */
export const sampleFrame = (metric: string): MetricFrame | undefined => {
  const figure = SAMPLE_FIGURES[metric]
  return figure === undefined ? undefined : metricFrame(metric, 'sample', { known: true, figure }, 1, 0)
}

/** A smooth, deterministic history ending at `last` percent: two slow waves and a ripple, never below 0 or above 100. */
export const sampleHistory = (metric: string, last: number): number[] => {
  const seed = [...metric].reduce((sum, c) => sum + c.charCodeAt(0), 0)
  const swing = Math.max(2, Math.min(last, 100 - last, 25) * 0.6)
  const at = (i: number): number => {
    const t = i + seed
    return Math.sin(t / 9) * 0.6 + Math.sin(t / 3.7) * 0.3 + Math.sin(t * 1.9) * 0.1
  }
  const end = at(HISTORY_VALUES - 1)
  return Array.from({ length: HISTORY_VALUES }, (_, i) => Math.min(100, Math.max(0, last + (at(i) - end) * swing)))
}

/** The figure of `metric` with its sample reading and history, or undefined for a metric without a sample. */
export const sampleFigure = (metric: string): ViewFigure | undefined => {
  const frame = sampleFrame(metric)
  if (frame === undefined || frame.value === null) return undefined
  return { ...figureOfFrame(metric, frame), history: sampleHistory(metric, frame.value) }
}
