// What the host actually sent one device, per metric: the newest frame and, for the metrics its screens show, the
// history the device holds (a burst, then one value per frame). The host renders the device's screen from this, so
// its picture is the device's even when flow control skipped frames for it.
import type { MetricFrame } from '../../schema/index.ts'
import { HISTORY_VALUES } from '../../schema/index.ts'

export interface SentFrame {
  frame: MetricFrame
  at: number
}

/** A device's history of one metric, as the scenes keep it: the newest HISTORY_VALUES values, null for a gap. */
export class SentHistory {
  readonly #values = new Float32Array(HISTORY_VALUES)
  #head = 0
  #length = 0

  push(value: number | null): void {
    this.#values[this.#head] = value ?? Number.NaN
    this.#head = (this.#head + 1) % HISTORY_VALUES
    this.#length = Math.min(this.#length + 1, HISTORY_VALUES)
  }

  /** Oldest first, NaN for a gap. */
  values(): number[] {
    const out: number[] = []
    for (let i = this.#length; i > 0; i--) out.push(this.#values[(this.#head - i + HISTORY_VALUES) % HISTORY_VALUES] as number)
    return out
  }
}

export class SentRecord {
  readonly #latest = new Map<string, SentFrame>()
  readonly #histories = new Map<string, SentHistory>()

  /** A metric frame went out; its value joins the metric's history when a screen of the device shows the metric. */
  frame(metric: string, frame: MetricFrame, at: number, onScreen: boolean): void {
    this.#latest.set(metric, { frame, at })
    if (!onScreen) return
    let history = this.#histories.get(metric)
    if (history === undefined) {
      history = new SentHistory()
      this.#histories.set(metric, history)
    }
    history.push(frame.value)
  }

  /** A history burst went out: the device's history of the metric is now exactly its values. */
  burst(metric: string, values: readonly (number | null)[]): void {
    const history = new SentHistory()
    for (const value of values) history.push(value)
    this.#histories.set(metric, history)
  }

  latest(metric: string): SentFrame | undefined {
    return this.#latest.get(metric)
  }

  /** The metric's history as the device holds it, oldest first, NaN for a gap; empty when none was sent. */
  history(metric: string): number[] {
    return this.#histories.get(metric)?.values() ?? []
  }
}
