// Samples every wanted metric at its interval, each on its own clock and timeout, and publishes schema frames.
import type { MetricFrame } from '../schema/index.ts'
import { MAX_U32 } from '../schema/index.ts'
import { metricFrame } from './hub/metric-frame.ts'
import type { MetricSource, Reading } from './sources/source.ts'

/** Where the sampler learns what to sample and sends what it read (the hub). */
export interface SampleSink {
  wantedMetrics(): Iterable<string>
  intervalFor(metric: string): number
  publish(frame: MetricFrame): void
}

export interface SamplerOptions {
  sink: SampleSink
  /** Opens the source for a metric; may throw when the metric cannot be read here. */
  openSource: (metric: string) => MetricSource
  /**
   * Longest wait for a read that gives a promise before the frame says "unknown"; defaults to the interval, within
   * 250–2000 ms. A read that answers at once has nothing to wait for.
   */
  readTimeoutMs?: number
  /** How long to wait before trying again to open a source that failed to open. */
  reopenAfterMs?: number
  /** Told how long each read took, for /metrics. */
  onCost?: (metric: string, source: string, seconds: number) => void
  /**
   * Told of an error thrown while a frame was published (by a device's socket, a listener): it is reported and the
   * sampler goes on, rather than letting it out of a timer (which would end the host) or into whoever asked for a
   * metric at once (a device being admitted). By default console.error.
   */
  onError?: (error: unknown) => void
}

interface Track {
  metric: string
  source: MetricSource | undefined
  openError: string | undefined
  openedAt: number
  inFlightSince: number | undefined
  timer: ReturnType<typeof setTimeout> | undefined
  /** The delay `timer` was set with, which its refresh() keeps. */
  timerMs: number
  /** When the last tick started, and the interval its timer was set with. */
  lastTickAt: number
  interval: number
}

const failed = (source: MetricSource, error: unknown): Reading => ({ known: false, reason: `${source.name} failed: ${(error as Error).message}` })

export class Sampler {
  readonly #options: SamplerOptions
  readonly #tracks = new Map<string, Track>()
  #seq = 0
  #running = false

  constructor(options: SamplerOptions) {
    this.#options = options
  }

  start(): void {
    this.#running = true
    this.refresh()
  }

  /**
   * Brings the tracks in line with the wanted metrics: a newly wanted metric is sampled at once, and one whose
   * interval got shorter (a device asked for faster frames) moves its next tick up instead of waiting out the old one.
   */
  refresh(): void {
    if (!this.#running) return
    const wanted = new Set(this.#options.sink.wantedMetrics())
    const now = Date.now()
    for (const metric of wanted) {
      const track = this.#tracks.get(metric)
      if (track === undefined) {
        this.sampleNow(metric)
        continue
      }
      const interval = this.#options.sink.intervalFor(metric)
      if (interval < track.interval) {
        track.interval = interval
        this.#arm(track, Math.max(0, track.lastTickAt + interval - now))
      }
    }
    for (const [metric, track] of this.#tracks) {
      if (wanted.has(metric)) continue
      clearTimeout(track.timer)
      track.source?.close()
      this.#tracks.delete(metric)
    }
  }

  /** Samples `metric` now rather than at its next tick (after a device switched to it, say). */
  sampleNow(metric: string): void {
    if (!this.#running) return
    let track = this.#tracks.get(metric)
    if (track === undefined) {
      track = { metric, source: undefined, openError: undefined, openedAt: 0, inFlightSince: undefined, timer: undefined, timerMs: 0, lastTickAt: 0, interval: 0 }
      this.#tracks.set(metric, track)
    }
    clearTimeout(track.timer)
    track.timer = undefined
    this.#tick(track)
  }

  stop(): void {
    this.#running = false
    for (const track of this.#tracks.values()) {
      clearTimeout(track.timer)
      track.source?.close()
    }
    this.#tracks.clear()
  }

  #nextSeq(): number {
    this.#seq = this.#seq >= MAX_U32 ? 0 : this.#seq + 1
    return this.#seq
  }

  #publish(track: Track, source: string, reading: Reading): void {
    if (this.#tracks.get(track.metric) !== track) return
    try {
      this.#options.sink.publish(metricFrame(track.metric, source, reading, this.#nextSeq(), Date.now()))
    } catch (error) {
      ;(this.#options.onError ?? console.error)(error)
    }
  }

  #open(track: Track, now: number): MetricSource | undefined {
    if (track.source !== undefined) return track.source
    if (track.openError !== undefined && now - track.openedAt < (this.#options.reopenAfterMs ?? 30_000)) return undefined
    track.openedAt = now
    try {
      track.source = this.#options.openSource(track.metric)
      track.openError = undefined
    } catch (error) {
      track.openError = `cannot read ${track.metric}: ${(error as Error).message}`
    }
    return track.source
  }

  #tick(track: Track): void {
    const startedAt = Date.now()
    const interval = this.#options.sink.intervalFor(track.metric)
    track.lastTickAt = startedAt
    // The same timer, re-armed, while the interval holds: no new timer object every tick.
    if (track.timer !== undefined && track.timerMs === interval) track.timer.refresh()
    else this.#arm(track, interval)
    track.interval = interval
    const source = this.#open(track, startedAt)
    if (source === undefined) {
      this.#publish(track, 'none', { known: false, reason: track.openError ?? `no source for ${track.metric}` })
      return
    }
    const timeoutMs = this.#options.readTimeoutMs ?? Math.max(250, Math.min(2_000, interval))
    if (track.inFlightSince !== undefined) {
      // A hung read is not started again; once past its timeout the devices hear "unknown" each tick until it answers.
      const waited = startedAt - track.inFlightSince
      if (waited >= timeoutMs) this.#publish(track, source.name, { known: false, reason: `${source.name} has not answered for ${waited} ms` })
      return
    }
    track.inFlightSince = startedAt
    const costFrom = performance.now()
    let answer: Reading | Promise<Reading>
    try {
      answer = source.read()
    } catch (error) {
      answer = failed(source, error)
    }
    // A source that answered at once has nothing to time out: no promise, no timer, published in this turn.
    if (!(answer instanceof Promise)) {
      this.#readDone(track, source, costFrom)
      this.#publish(track, source.name, answer)
      return
    }
    void this.#await(track, source, answer, timeoutMs, costFrom)
  }

  /** A read that answers later: raced against its timeout; one that answers after it still ends its time in flight. */
  async #await(track: Track, source: MetricSource, answer: Promise<Reading>, timeoutMs: number, costFrom: number): Promise<void> {
    const read = answer.then(
      (reading) => reading,
      (error: unknown) => failed(source, error),
    )
    void read.then(() => this.#readDone(track, source, costFrom))
    let timer: ReturnType<typeof setTimeout> | undefined
    const timedOut = new Promise<Reading>((resolve) => {
      timer = setTimeout(() => resolve({ known: false, reason: `${source.name} gave no reading within ${timeoutMs} ms` }), timeoutMs)
    })
    const reading = await Promise.race([read, timedOut])
    clearTimeout(timer)
    this.#publish(track, source.name, reading)
  }

  /** Sets the track's next tick `ms` from now, in place of any armed. */
  #arm(track: Track, ms: number): void {
    clearTimeout(track.timer)
    track.timerMs = ms
    track.timer = setTimeout(() => this.#tick(track), ms)
  }

  #readDone(track: Track, source: MetricSource, costFrom: number): void {
    track.inFlightSince = undefined
    this.#options.onCost?.(track.metric, source.name, (performance.now() - costFrom) / 1000)
  }

}
