// Renders the host's own figures in the Prometheus text exposition format (version 0.0.4).
import type { HostFigures } from '../hub/host-figures.ts'
import { SAMPLE_COST_BUCKETS } from '../hub/host-figures.ts'
import type { Hub } from '../hub/hub.ts'
import type { StreamInfo } from '../stream/stream-session.ts'

/** One stream's figures, with the device it goes to. */
export interface DeviceStreamFigures {
  device: string
  stream: StreamInfo
}

/** Every running stream of every connected device. */
export const deviceStreams = (hub: Hub): DeviceStreamFigures[] =>
  [...hub.sessions()].flatMap((session) => [...session.streams()].map((stream) => ({ device: session.id, stream: stream.info() })))

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

const label = (value: string): string => value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"')

const family = (name: string, type: string, help: string, lines: string[]): string =>
  [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines].join('\n')

/** One line per stream of `value` of its figures. */
const streamLines = (name: string, streams: readonly DeviceStreamFigures[], value: (s: StreamInfo) => number): string[] =>
  streams.map(({ device, stream }) => `${name}{device="${label(device)}",stream="${label(stream.output)}"} ${value(stream)}`)

export const prometheusText = (figures: HostFigures, devicesConnected: number, streams: readonly DeviceStreamFigures[] = []): string => {
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
    family('sysboy_stream_frames_sent_total', 'counter', 'Stream frames sent to a screen.', streamLines('sysboy_stream_frames_sent_total', streams, (s) => s.framesSent)),
    family('sysboy_stream_fps', 'gauge', 'Stream frames sent per second, over the last two seconds (0 while nothing changes).', streamLines('sysboy_stream_fps', streams, (s) => s.fps)),
    family('sysboy_stream_bytes_sent_total', 'counter', 'Bytes of stream headers and pixels sent.', streamLines('sysboy_stream_bytes_sent_total', streams, (s) => s.bytes)),
    family('sysboy_stream_frames_dropped_total', 'counter', 'Stream frames dropped: a newer one came due while one waited for the flow-control window.', streamLines('sysboy_stream_frames_dropped_total', streams, (s) => s.dropped)),
    family('sysboy_stream_window_waits_total', 'counter', 'Times a stream frame came due with the flow-control window full.', streamLines('sysboy_stream_window_waits_total', streams, (s) => s.windowWaits)),
    family('sysboy_stream_threshold', 'gauge', 'The change threshold a stream uses (0: lossless).', streamLines('sysboy_stream_threshold', streams, (s) => s.threshold)),
    family('sysboy_stream_source_up', 'gauge', 'Whether a stream\'s source gives pictures (0: see the stream\'s error in /api/devices).', streamLines('sysboy_stream_source_up', streams, (s) => (s.error === undefined ? 1 : 0))),
  ].join('\n')}\n`
}
