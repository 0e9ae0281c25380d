// One paired device: its bindings and settings, and delivery where the latest value wins over any backlog.
import type { Calibration, HeldOutput, Hello, HostMessage, MetricFrame, ScreenShown, SessionConfig, Status } from '../../schema/index.ts'
import { APPLIED_EVERY_FRAMES } from '../../schema/index.ts'
import { screenMetrics } from '../screens/screen-config.ts'
import type { DeviceStream, StreamChunk, StreamInfo } from '../stream/stream-session.ts'
import { streamMetrics } from '../stream/stream-config.ts'
import { FlowWindow } from './flow-window.ts'
import type { HostFigures } from './host-figures.ts'
import type { KeepAliveTimers } from './keep-alive.ts'
import { KeepAlive } from './keep-alive.ts'
import { SentRecord } from './sent-record.ts'

/**
 * Metric frames a device that acknowledges (`flow_control` in its hello) may have unacknowledged: it acks at least
 * every APPLIED_EVERY_FRAMES frames, so twice that leaves room for one ack on its way back. After a stall the device
 * reads at most these few stale frames.
 */
export const METRIC_WINDOW = 2 * APPLIED_EVERY_FRAMES

/** A metric frame as the hub fans it out: its JSON text, its `seq` (by which the device acknowledges it), the frame. */
export interface OutgoingFrame {
  text: string
  seq: number | undefined
  frame: MetricFrame
}

/** What a session needs from its socket; the server supplies it from Bun's ServerWebSocket. */
export interface DeviceLink {
  /** Bun's contract: bytes sent, -1 when queued under backpressure, 0 when dropped. */
  send(text: string): number
  /** A binary frame (stream pixels), on the same contract. */
  sendBinary(bytes: Uint8Array): number
  bufferedAmount(): number
  close(code: number, reason: string): void
}

/** What the REST API and `sysboy devices` show about one device. */
export interface DeviceInfo {
  id: string
  chip: Hello['chip']
  firmware: string
  remoteAddress: string
  outputs: Hello['outputs']
  buttons: Hello['buttons']
  bindings: SessionConfig['bindings']
  config: SessionConfig
  connectedSince: string
  framesSent: number
  framesDropped: number
  /** Bytes waiting in the socket's send queue. */
  queuedBytes: number
  /** Metric frames sent and not yet acknowledged; null for a device that does not acknowledge (no `flow_control`). */
  framesUnacknowledged: number | null
  lastStatus: Status | null
  /** What each screen shows, as the device last said; null before it said (or for a device without screens). */
  screens: ScreenShown[] | null
  /** The calibration curves stored on the board, as it last said; null before it said. */
  calibration: Calibration[] | null
  /** The outputs held at a raw code (the calibration wizard), as it last said; null before it said. */
  held: HeldOutput[] | null
  identifiedAt: string | null
  /** The newer firmware the host carries for this board's chip, or null; its progress is `lastStatus.update`. */
  update: { available: string } | null
  /** The streams to its screens, with their figures and any error of their source. */
  streams: StreamInfo[]
}

/** The host's heartbeats to a device: at most `maxMs` apart when nothing else is sent, and within half its stale timeout. */
export interface HeartbeatOptions {
  maxMs: number
  timers?: KeepAliveTimers
  /** Told of a heartbeat that threw (the host's note line); by default KeepAlive's own line on stderr. */
  onError?: (error: unknown) => void
}

const heartbeatPeriod = (maxMs: number, config: SessionConfig): number => Math.min(maxMs, config.stale_after_ms / 2)

/** The metrics only the host's stream scenes show: neither bound to an output nor on a screen the device draws. */
const hostOnlyMetrics = (config: SessionConfig): Set<string> => {
  const onDevice = screenMetrics(config)
  for (const binding of config.bindings) onDevice.add(binding.metric)
  return new Set([...streamMetrics(config)].filter((metric) => !onDevice.has(metric)))
}

export class DeviceSession {
  readonly id: string
  readonly hello: Hello
  readonly remoteAddress: string
  readonly connectedAt: number
  framesSent = 0
  framesDropped = 0
  lastStatus: Status | null = null
  /** What each screen shows, from the newest status that said. */
  screensShown: ScreenShown[] | null = null
  /** The curves stored on the board and the outputs held, from the newest status that said. */
  calibration: Calibration[] | null = null
  held: HeldOutput[] | null = null
  /** What was sent, for rendering the device's screens as it shows them. */
  readonly sent = new SentRecord()
  identifiedAt: number | null = null
  /** The newer firmware the host carries for it (host/firmware/update-api.ts), set by the server when it is admitted. */
  update: { available: string } | null = null
  lastHeardAt: number
  readonly #link: DeviceLink
  readonly #figures: HostFigures
  /** The metric stream's window, for a device that acknowledges frames; a legacy device relies on `#choked`. */
  readonly #metricWindow: FlowWindow<{ metric: string; frame: OutgoingFrame }> | undefined
  /** True while the socket is backed up; metric frames then wait in `#pending`, newest only. */
  #choked = false
  readonly #pending = new Map<string, OutgoingFrame>()
  readonly #lastMetricAt = new Map<string, number>()
  #config: SessionConfig
  /** The metrics the device's own screens show: it is sent their history bursts. */
  #onScreen: Set<string>
  /** Those and the metrics the host's stream scenes show: the sent record keeps their values as histories. */
  #drawn: Set<string>
  /** Metrics only a stream's scene shows: the host draws them, so they are recorded as sent but not sent. */
  #hostOnly: Set<string>
  readonly #streams = new Map<string, DeviceStream>()
  readonly #heartbeatMaxMs: number
  /** Sends the heartbeat when the device has been sent nothing for a while; none without `heartbeat` options. */
  readonly #keepAlive: KeepAlive | undefined

  constructor(hello: Hello, remoteAddress: string, config: SessionConfig, link: DeviceLink, figures: HostFigures, now: number, heartbeat?: HeartbeatOptions) {
    this.id = hello.device
    this.hello = hello
    this.remoteAddress = remoteAddress
    this.connectedAt = now
    this.lastHeardAt = now
    this.#config = config
    this.#onScreen = screenMetrics(config)
    this.#drawn = new Set([...this.#onScreen, ...streamMetrics(config)])
    this.#hostOnly = hostOnlyMetrics(config)
    this.#link = link
    this.#figures = figures
    this.#metricWindow = hello.flow_control === true ? new FlowWindow(METRIC_WINDOW) : undefined
    this.#heartbeatMaxMs = heartbeat?.maxMs ?? Number.POSITIVE_INFINITY
    this.#keepAlive =
      heartbeat === undefined ? undefined : new KeepAlive(heartbeatPeriod(heartbeat.maxMs, config), () => this.sendControl({ type: 'heartbeat', ts: Date.now() }), heartbeat.timers, heartbeat.onError)
  }

  get config(): SessionConfig {
    return this.#config
  }

  set config(config: SessionConfig) {
    this.#config = config
    this.#keepAlive?.setPeriod(heartbeatPeriod(this.#heartbeatMaxMs, config))
    this.#onScreen = screenMetrics(config)
    this.#drawn = new Set([...this.#onScreen, ...streamMetrics(config)])
    this.#hostOnly = hostOnlyMetrics(config)
  }

  /**
   * The metrics this device is sent: those its outputs are bound to, and every one its screens show, the host's
   * stream scenes included (those are sampled and recorded, not sent).
   */
  metrics(): Set<string> {
    const metrics = new Set(this.#config.bindings.map((b) => b.metric))
    for (const metric of this.#onScreen) metrics.add(metric)
    for (const metric of this.#hostOnly) metrics.add(metric)
    return metrics
  }

  /** The metrics this device's screens show (scenes and alerts, and the scenes the host streams to them): their histories are kept. */
  screenMetrics(): ReadonlySet<string> {
    return this.#drawn
  }

  /** Sends a metric's history burst (a control message, never skipped); the device's history is now these values. */
  sendHistory(metric: string, values: (number | null)[], now: number): void {
    if (this.#onScreen.has(metric)) this.sendControl({ type: 'history', name: metric, interval_ms: this.#config.interval_ms, values, ts: now })
    this.sent.burst(metric, values)
  }

  /** Sends one rectangle of a stream: its header, then its pixels as the binary frame right after it. */
  sendStream(chunk: StreamChunk): void {
    // Both writes happen in one turn of the event loop, so no other frame can come between them.
    if (this.#write(chunk.text) === 0) return
    const result = this.#link.sendBinary(chunk.payload)
    if (result === -1) this.#choked = true
  }

  /** Holds a running stream to one of the device's screens, stopping any it replaces. */
  attachStream(stream: DeviceStream): void {
    this.#streams.get(stream.output)?.stop()
    this.#streams.set(stream.output, stream)
  }

  /** The running stream to `output`, if any. */
  stream(output: string): DeviceStream | undefined {
    return this.#streams.get(output)
  }

  streams(): IterableIterator<DeviceStream> {
    return this.#streams.values()
  }

  /** Stops the stream to `output`, or, with none named, every stream. */
  stopStreams(output?: string): void {
    for (const [id, stream] of this.#streams) {
      if (output !== undefined && id !== output) continue
      stream.stop()
      this.#streams.delete(id)
    }
  }

  /** Sends a control message (welcome, ack, error, config, heartbeat); these are never skipped. */
  sendControl(message: HostMessage): void {
    this.#write(JSON.stringify(message))
  }

  /**
   * Offers the newest frame of `metric`; a device is sent no more often than its interval. A device that
   * acknowledges has at most METRIC_WINDOW frames unacknowledged, the newest per metric waiting for its `applied`;
   * a legacy device that backs up its socket keeps only the newest per metric, sent on drain.
   */
  deliverMetric(metric: string, frame: OutgoingFrame, now: number, force = false): void {
    const last = this.#lastMetricAt.get(metric)
    // 10 % slack so a sampler tick that lands a little early is not skipped for a whole interval.
    if (!force && last !== undefined && now - last < this.#config.interval_ms * 0.9) return
    if (this.#hostOnly.has(metric)) {
      this.#lastMetricAt.set(metric, now)
      this.sent.frame(metric, frame.frame, now, true)
      return
    }
    // A frame without a seq cannot be acknowledged; the host's sampler numbers every frame it makes.
    if (this.#metricWindow !== undefined && frame.seq !== undefined) {
      const { send, superseded } = this.#metricWindow.offer(metric, frame.seq, { metric, frame })
      if (superseded) this.#dropped()
      if (send === undefined) return
    } else if (this.#choked) {
      if (this.#pending.has(metric)) this.#dropped()
      this.#pending.set(metric, frame)
      return
    }
    this.#lastMetricAt.set(metric, now)
    this.#sendMetric(metric, frame, now)
  }

  /**
   * The device applied the metric frame numbered `seq` (and all before it), or with `stream` that stream's frame:
   * send what the window now lets through.
   */
  applied(seq: number, now: number, stream?: string): void {
    if (stream !== undefined) {
      this.#streams.get(stream)?.applied(seq)
      return
    }
    for (const { metric, frame } of this.#metricWindow?.applied(seq) ?? []) {
      this.#lastMetricAt.set(metric, now)
      this.#sendMetric(metric, frame, now)
    }
  }

  /** The socket drained: send the newest waiting frame of each metric, and nothing older. */
  drain(now: number): void {
    this.#choked = false
    for (const [metric, frame] of this.#pending) {
      if (this.#choked) break
      this.#pending.delete(metric)
      this.#lastMetricAt.set(metric, now)
      this.#sendMetric(metric, frame, now)
    }
  }

  bufferedAmount(): number {
    return this.#link.bufferedAmount()
  }

  close(code: number, reason: string): void {
    this.#keepAlive?.stop()
    this.#link.close(code, reason)
  }

  /** The socket is gone: its streams and heartbeats stop. */
  end(): void {
    this.stopStreams()
    this.#keepAlive?.stop()
  }

  /** How long the device may be sent nothing before it is sent a heartbeat; undefined when it is sent none. */
  get heartbeatMs(): number | undefined {
    return this.#keepAlive?.periodMs
  }

  info(): DeviceInfo {
    return {
      id: this.id,
      chip: this.hello.chip,
      firmware: this.hello.firmware,
      remoteAddress: this.remoteAddress,
      outputs: this.hello.outputs,
      buttons: this.hello.buttons,
      bindings: this.#config.bindings,
      config: this.#config,
      connectedSince: new Date(this.connectedAt).toISOString(),
      framesSent: this.framesSent,
      framesDropped: this.framesDropped,
      queuedBytes: this.#link.bufferedAmount(),
      framesUnacknowledged: this.#metricWindow?.inFlight ?? null,
      lastStatus: this.lastStatus,
      screens: this.screensShown,
      calibration: this.calibration,
      held: this.held,
      identifiedAt: this.identifiedAt === null ? null : new Date(this.identifiedAt).toISOString(),
      update: this.update,
      streams: [...this.#streams.values()].map((s) => s.info()),
    }
  }

  #dropped(): void {
    this.framesDropped += 1
    this.#figures.framesDropped += 1
  }

  #sendMetric(metric: string, outgoing: OutgoingFrame, now: number): void {
    if (this.#write(outgoing.text) === 0) return
    this.sent.frame(metric, outgoing.frame, now, this.#drawn.has(metric))
    this.framesSent += 1
    this.#figures.framesSent += 1
  }

  #write(text: string): number {
    const result = this.#link.send(text)
    this.#keepAlive?.sent()
    if (result === -1) this.#choked = true
    else if (result === 0) this.#dropped()
    return result
  }
}
