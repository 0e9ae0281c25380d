// The one live status line: the metric's value, its source and how many devices are connected.
import type { MetricFrame } from '../../schema/index.ts'

export const statusLine = (metric: string, frame: MetricFrame | undefined, devices: number): string => {
  const who = `${devices} device${devices === 1 ? '' : 's'} connected`
  if (frame === undefined) return `${metric}: waiting for the first sample · ${who}`
  const from = frame.source === undefined ? '' : ` from ${frame.source}`
  if (frame.value === null) return `${metric}: unknown (${frame.reason ?? 'no reason given'}) · ${who}`
  const raw = frame.raw !== undefined && frame.unit !== undefined && frame.unit !== '%' ? `, ${frame.raw} ${frame.unit}` : ''
  return `${metric}: ${frame.value.toFixed(1)} %${raw}${from} · ${who}`
}
