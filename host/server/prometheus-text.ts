// Renders the host's own figures in the Prometheus text exposition format (version 0.0.4).
import type { HostFigures } from '../hub/host-figures.ts'
import { SAMPLE_COST_BUCKETS } from '../hub/host-figures.ts'

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

const label = (value: string): string => value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"')

const family = (name: string, type: string, help: string, lines: string[]): string =>
  [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines].join('\n')

export const prometheusText = (figures: HostFigures, devicesConnected: number): string => {
  const costLines: string[] = []
  for (const cost of figures.costs()) {
    const labels = `metric="${label(cost.metric)}",source="${label(cost.source)}"`
    let cumulative = 0
    SAMPLE_COST_BUCKETS.forEach((bound, i) => {
      cumulative += cost.buckets[i] ?? 0
      costLines.push(`sysboy_sample_seconds_bucket{${labels},le="${bound}"} ${cumulative}`)
    })
    costLines.push(`sysboy_sample_seconds_bucket{${labels},le="+Inf"} ${cost.count}`)
    costLines.push(`sysboy_sample_seconds_sum{${labels}} ${cost.sumSeconds}`)
    costLines.push(`sysboy_sample_seconds_count{${labels}} ${cost.count}`)
  }
  const errorLines = [...figures.errors].map(([code, n]) => `sysboy_errors_total{code="${label(code)}"} ${n}`)
  return `${[
    family('sysboy_up', 'gauge', 'Whether the sysboy host is serving.', ['sysboy_up 1']),
    family('sysboy_devices_connected', 'gauge', 'Devices paired and connected now.', [`sysboy_devices_connected ${devicesConnected}`]),
    family('sysboy_frames_sent_total', 'counter', 'Metric frames sent to devices.', [`sysboy_frames_sent_total ${figures.framesSent}`]),
    family('sysboy_frames_dropped_total', 'counter', 'Metric frames skipped for a backed-up device (a newer one replaced them).', [
      `sysboy_frames_dropped_total ${figures.framesDropped}`,
    ]),
    family('sysboy_errors_total', 'counter', 'Error frames sent and requests refused, by code.', errorLines),
    family('sysboy_sample_seconds', 'histogram', 'Time one read of a metric source took.', costLines),
  ].join('\n')}\n`
}
