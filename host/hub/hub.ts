// The device hub: every open session, the newest frame of each metric, and fan-out of each frame to its devices.
import type { MetricFrame } from '../../schema/index.ts'
import type { DeviceInfo, DeviceSession } from './device-session.ts'
import { HostFigures } from './host-figures.ts'
import { metricOfFrame } from './metric-frame.ts'
import { isStale, staleAfterMs, staleFrame } from './staleness.ts'

interface Latest {
  frame: MetricFrame
  text: string
  publishedAt: number
  /** Past this age the frame no longer passes for live; set from the interval its metric was sampled at. */
  staleAfterMs: number
}

export class Hub {
  readonly figures: HostFigures
  readonly #sessions = new Map<string, DeviceSession>()
  readonly #byMetric = new Map<string, Set<DeviceSession>>()
  readonly #latest = new Map<string, Latest>()
  readonly #defaultMetric: string
  readonly #defaultIntervalMs: number
  #onWantedChange: () => void = () => {}
  #onPublish: (frame: MetricFrame) => void = () => {}

  constructor(defaultMetric: string, defaultIntervalMs: number, figures: HostFigures = new HostFigures()) {
    this.#defaultMetric = defaultMetric
    this.#defaultIntervalMs = defaultIntervalMs
    this.figures = figures
  }

  /** Called when the set of wanted metrics or their intervals change. */
  onWantedChange(listener: () => void): void {
    this.#onWantedChange = listener
  }

  /** Called after each frame is published (the CLI's status line follows the frames rather than a clock). */
  onPublish(listener: (frame: MetricFrame) => void): void {
    this.#onPublish = listener
  }

  /**
   * Adds a session and sends it the newest frame of each metric it shows, so it sees a value at once rather than
   * after a full interval; a device that reconnects under the same id replaces its old session.
   */
  add(session: DeviceSession, now: number = Date.now()): DeviceSession | undefined {
    const previous = this.#sessions.get(session.id)
    if (previous !== undefined) this.remove(previous)
    this.#sessions.set(session.id, session)
    this.#index(session)
    this.#seed(session, session.metrics(), new Set(), now)
    this.#onWantedChange()
    return previous
  }

  /**
   * Sends `session` the newest frame of each of `metrics` it did not already show, unless that frame is stale: a
   * metric nobody wanted for a while is being sampled afresh (the sampler starts on it at once), and that reading is
   * what the device gets.
   */
  #seed(session: DeviceSession, metrics: Iterable<string>, shown: ReadonlySet<string>, now: number): void {
    for (const metric of metrics) {
      if (shown.has(metric)) continue
      const latest = this.#latest.get(metric)
      if (latest !== undefined && !isStale(now - latest.publishedAt, latest.staleAfterMs)) {
        session.deliverMetric(metric, { text: latest.text, seq: latest.frame.seq }, now, true)
      }
    }
  }

  remove(session: DeviceSession): void {
    if (this.#sessions.get(session.id) !== session) return
    this.#sessions.delete(session.id)
    this.#unindex(session)
    this.#onWantedChange()
  }

  get(id: string): DeviceSession | undefined {
    return this.#sessions.get(id)
  }

  sessions(): IterableIterator<DeviceSession> {
    return this.#sessions.values()
  }

  get size(): number {
    return this.#sessions.size
  }

  devices(): DeviceInfo[] {
    return [...this.#sessions.values()].map((s) => s.info())
  }

  /** Changes a session's settings and sends the newest frame of any metric it did not show before, at once. */
  reconfigure(session: DeviceSession, config: DeviceSession['config'], now: number): void {
    const before = session.metrics()
    this.#unindex(session)
    session.config = config
    this.#index(session)
    this.#seed(session, session.metrics(), before, now)
    this.#onWantedChange()
  }

  /** Publishes a frame: it becomes the newest of its metric and goes to every device bound to that metric. */
  publish(frame: MetricFrame, now: number = Date.now()): void {
    const metric = metricOfFrame(frame)
    const text = JSON.stringify(frame)
    this.#latest.set(metric, { frame, text, publishedAt: now, staleAfterMs: staleAfterMs(this.intervalFor(metric)) })
    const sessions = this.#byMetric.get(metric)
    if (sessions !== undefined) {
      const outgoing = { text, seq: frame.seq }
      for (const session of sessions) session.deliverMetric(metric, outgoing, now)
    }
    this.#onPublish(frame)
  }

  /** The newest frame of `metric` as it may be shown now: a stale one comes back as value null, reason "stale ...". */
  latest(metric: string, now: number = Date.now()): MetricFrame | undefined {
    const latest = this.#latest.get(metric)
    return latest === undefined ? undefined : Hub.#served(latest, now)
  }

  /** Every metric's newest frame as it may be shown now (for /api/metrics and the dashboard). */
  latestAll(now: number = Date.now()): Record<string, MetricFrame> {
    return Object.fromEntries([...this.#latest].map(([metric, latest]) => [metric, Hub.#served(latest, now)]))
  }

  static #served(latest: Latest, now: number): MetricFrame {
    const age = now - latest.publishedAt
    return isStale(age, latest.staleAfterMs) ? staleFrame(latest.frame, age, latest.staleAfterMs) : latest.frame
  }

  /** Every metric some device shows, plus the host's default. */
  wantedMetrics(): Set<string> {
    const wanted = new Set<string>([this.#defaultMetric])
    for (const [metric, sessions] of this.#byMetric) if (sessions.size > 0) wanted.add(metric)
    return wanted
  }

  /** How often `metric` must be sampled: the shortest interval of the devices showing it. */
  intervalFor(metric: string): number {
    let interval = Number.POSITIVE_INFINITY
    for (const session of this.#byMetric.get(metric) ?? []) interval = Math.min(interval, session.config.interval_ms)
    return Number.isFinite(interval) ? interval : this.#defaultIntervalMs
  }

  #index(session: DeviceSession): void {
    for (const metric of session.metrics()) {
      let set = this.#byMetric.get(metric)
      if (set === undefined) {
        set = new Set()
        this.#byMetric.set(metric, set)
      }
      set.add(session)
    }
  }

  #unindex(session: DeviceSession): void {
    for (const [metric, set] of this.#byMetric) {
      set.delete(session)
      if (set.size === 0) this.#byMetric.delete(metric)
    }
  }
}
