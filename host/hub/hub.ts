// The device hub: every open session, the newest frame and recent values of each metric, and fan-out of each frame to
// its devices.
import type { MetricFrame } from '../../schema/index.ts'
import type { DeviceInfo, DeviceSession } from './device-session.ts'
import { HostFigures } from './host-figures.ts'
import { metricOfFrame } from './metric-frame.ts'
import { MetricHistory } from './metric-history.ts'
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
  readonly #history = new Map<string, MetricHistory>()
  readonly #defaultMetric: string
  readonly #defaultIntervalMs: number
  #onWantedChange: () => void = () => {}
  readonly #onPublish = new Set<(frame: MetricFrame) => void>()

  constructor(defaultMetric: string, defaultIntervalMs: number, figures: HostFigures = new HostFigures()) {
    this.#defaultMetric = defaultMetric
    this.#defaultIntervalMs = defaultIntervalMs
    this.figures = figures
  }

  /** Called when the set of wanted metrics or their intervals change. */
  onWantedChange(listener: () => void): void {
    this.#onWantedChange = listener
  }

  /**
   * Called after each frame is published (the CLI's status line and the dashboard's events follow the frames rather
   * than a clock); gives back the way to stop.
   */
  onPublish(listener: (frame: MetricFrame) => void): () => void {
    this.#onPublish.add(listener)
    return () => this.#onPublish.delete(listener)
  }

  /**
   * Adds a session and sends it the history of each metric its screens show and the newest frame of each metric it
   * is sent, so it sees a value (and full graphs) at once rather than after a full interval; a device that reconnects
   * under the same id replaces its old session.
   */
  add(session: DeviceSession, now: number = Date.now()): DeviceSession | undefined {
    const previous = this.#sessions.get(session.id)
    if (previous !== undefined) this.remove(previous)
    this.#sessions.set(session.id, session)
    this.#index(session)
    this.#seed(session, new Set(), new Set(), now)
    this.#onWantedChange()
    return previous
  }

  /**
   * Sends `session` a history burst for each metric its screens show and did not before, then the newest frame of
   * each metric it is sent and was not before, unless that frame is stale: a metric nobody wanted for a while is
   * being sampled afresh (the sampler starts on it at once), and that reading is what the device gets. A burst
   * followed by that frame leaves the frame's value out, so the device's history holds each value once.
   */
  #seed(session: DeviceSession, sent: ReadonlySet<string>, onScreen: ReadonlySet<string>, now: number): void {
    const seeds: Latest[] = []
    const seeded = new Set<string>()
    for (const metric of session.metrics()) {
      if (sent.has(metric)) continue
      const latest = this.#latest.get(metric)
      if (latest !== undefined && !isStale(now - latest.publishedAt, latest.staleAfterMs)) {
        seeds.push(latest)
        seeded.add(metric)
      }
    }
    for (const metric of session.screenMetrics()) {
      if (onScreen.has(metric)) continue
      const burst = this.#history.get(metric)?.burst(now, { intervalMs: session.config.interval_ms, withoutNewest: seeded.has(metric) })
      session.sendHistory(metric, burst ?? [], now)
    }
    for (const latest of seeds) {
      session.deliverMetric(metricOfFrame(latest.frame), { text: latest.text, seq: latest.frame.seq, frame: latest.frame }, now, true)
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

  /**
   * Changes a session's settings and sends, at once, the history of any metric its screens did not show before and
   * the newest frame of any metric it was not sent before.
   */
  reconfigure(session: DeviceSession, config: DeviceSession['config'], now: number): void {
    const sent = session.metrics()
    const onScreen = new Set(session.screenMetrics())
    this.#unindex(session)
    session.config = config
    this.#index(session)
    this.#seed(session, sent, onScreen, now)
    this.#onWantedChange()
  }

  /**
   * Publishes a frame: it becomes the newest of its metric, joins the metric's history, and goes to every device sent
   * that metric.
   */
  publish(frame: MetricFrame, now: number = Date.now()): void {
    const metric = metricOfFrame(frame)
    const text = JSON.stringify(frame)
    const bound = staleAfterMs(this.intervalFor(metric))
    this.#latest.set(metric, { frame, text, publishedAt: now, staleAfterMs: bound })
    let history = this.#history.get(metric)
    if (history === undefined) {
      history = new MetricHistory()
      this.#history.set(metric, history)
    }
    history.push(now, frame.value, bound)
    const sessions = this.#byMetric.get(metric)
    if (sessions !== undefined) {
      const outgoing = { text, seq: frame.seq, frame }
      for (const session of sessions) session.deliverMetric(metric, outgoing, now)
    }
    for (const listener of this.#onPublish) listener(frame)
  }

  /**
   * Each metric's recent values as a history burst gives them, one per the interval it is sampled at: only values
   * fresh at their time, none at all for a metric whose newest value is stale.
   */
  histories(now: number = Date.now()): Record<string, { interval_ms: number; values: (number | null)[]; ts: number }> {
    const result: Record<string, { interval_ms: number; values: (number | null)[]; ts: number }> = {}
    for (const [metric, history] of this.#history) {
      const intervalMs = this.intervalFor(metric)
      result[metric] = { interval_ms: intervalMs, values: history.burst(now, { intervalMs }), ts: now }
    }
    return result
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
