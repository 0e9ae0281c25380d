// Turns one source Reading into the schema's metric frame: a percent, or null with the reason; never 0 for unknown.
import type { BuiltinMetric, MetricFrame } from '../../schema/index.ts'
import { BUILTIN_METRICS, MAX_U32 } from '../../schema/index.ts'
import { clampPercent } from '../sources/figure.ts'
import type { Reading } from '../sources/source.ts'
import { clip } from './clip.ts'

const builtin = new Set<string>(BUILTIN_METRICS)

/** Whether a metric is built in (its frame type is its name) or user-named (a `metric` frame with `name`). */
export const isBuiltinMetric = (metric: string): metric is BuiltinMetric => builtin.has(metric)

/** The metric a frame carries, whether built in or named. */
export const metricOfFrame = (frame: MetricFrame): string => (frame.type === 'metric' ? frame.name : frame.type)

export { clip } from './clip.ts'

const count = (value: number | undefined): number | undefined =>
  value !== undefined && Number.isFinite(value) && value >= 0 ? Math.min(Math.round(value), Number.MAX_SAFE_INTEGER) : undefined

/** The fields every metric frame carries, taken from the schema's named-metric frame. */
type SampleFields = Omit<Extract<MetricFrame, { type: 'metric' }>, 'type' | 'name'>

const fieldsOf = (reading: Reading, source: string, seq: number, ts: number): SampleFields => {
  const common = { source: clip(source || 'unknown', 32), seq: seq % (MAX_U32 + 1), ts: Math.max(0, Math.round(ts)) }
  if (!reading.known) return { value: null, reason: clip(reading.reason || 'the source gave no reason', 200), ...common }
  const { percent, used, total, raw, unit, gpu } = reading.figure
  if (!Number.isFinite(percent)) return { value: null, reason: `${source} read a non-number (${String(percent)})`, ...common }
  const fields: SampleFields = { value: clampPercent(percent), ...common }
  const usedCount = count(used)
  const totalCount = count(total)
  if (usedCount !== undefined) fields.used = usedCount
  if (totalCount !== undefined) fields.total = totalCount
  if (raw !== undefined && Number.isFinite(raw)) fields.raw = raw
  if (unit !== undefined && unit !== '') fields.unit = clip(unit, 16)
  if (gpu !== undefined && gpu !== '') fields.gpu = clip(gpu, 64)
  return fields
}

/** The frame for one reading of `metric` by the source named `source`. */
export const metricFrame = (metric: string, source: string, reading: Reading, seq: number, ts: number): MetricFrame => {
  const fields = fieldsOf(reading, source, seq, ts)
  if (isBuiltinMetric(metric)) return { type: metric, ...fields } as MetricFrame
  return { type: 'metric', name: metric, ...fields }
}
