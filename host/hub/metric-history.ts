// One metric's recent values as the hub published them (numbers only), and the history burst a device gets from them.
import { HISTORY_VALUES } from '../../schema/index.ts'
import { isStale } from './staleness.ts'

/**
 * Values kept per metric: enough for a full burst to a device whose interval is four times the sampling interval (a
 * metric is sampled at the shortest interval of the devices showing it). 8 KiB per metric.
 */
export const HISTORY_CAPACITY = 4 * HISTORY_VALUES

export interface BurstOptions {
  /** The receiving session's interval: one value per this many ms. */
  intervalMs: number
  /** Leave out the newest value, because the newest frame follows the burst at once and carries it. */
  withoutNewest?: boolean
}

/** A ring of (time, percent) pairs, null kept as NaN; the newest last. */
export class MetricHistory {
  readonly #at = new Float64Array(HISTORY_CAPACITY)
  readonly #value = new Float64Array(HISTORY_CAPACITY)
  #head = 0
  #length = 0
  /** The staleness bound of the newest value, from the interval its metric was sampled at. */
  #boundMs = 0

  get length(): number {
    return this.#length
  }

  /** Adds the value published at `at` (null: the host could not read it), fresh for `boundMs`. */
  push(at: number, value: number | null, boundMs: number): void {
    this.#at[this.#head] = at
    this.#value[this.#head] = value ?? Number.NaN
    this.#head = (this.#head + 1) % HISTORY_CAPACITY
    this.#length = Math.min(this.#length + 1, HISTORY_CAPACITY)
    this.#boundMs = boundMs
  }

  /** The i-th value from the newest (0 is the newest). */
  #entry(i: number): { at: number; value: number } {
    const slot = (this.#head - 1 - i + 2 * HISTORY_CAPACITY) % HISTORY_CAPACITY
    return { at: this.#at[slot] as number, value: this.#value[slot] as number }
  }

  /**
   * The values of a history burst, oldest first: one per `intervalMs` going back from the newest value, at most
   * HISTORY_VALUES. Each slot holds the reading nearest its time (one up to half an interval after it wins over an
   * older one, for a sampler's jitter) if that reading was fresh at the slot's time, else null: a gap is never filled
   * with a stale value. When the newest value is itself stale there is no burst at all (an empty one).
   */
  burst(now: number, options: BurstOptions): (number | null)[] {
    if (this.#length === 0) return []
    const newest = this.#entry(0)
    if (isStale(now - newest.at, this.#boundMs)) return []
    const { intervalMs } = options
    const oldestAt = this.#entry(this.#length - 1).at
    const slack = intervalMs / 2
    const values: (number | null)[] = []
    let i = 0
    for (let k = options.withoutNewest === true ? 1 : 0; values.length < HISTORY_VALUES; k++) {
      const slotAt = newest.at - k * intervalMs
      if (slotAt < oldestAt - slack) break
      while (i < this.#length && this.#entry(i).at > slotAt) i++
      const after = i > 0 ? this.#entry(i - 1) : undefined
      const before = i < this.#length ? this.#entry(i) : undefined
      const read =
        after !== undefined && after.at - slotAt <= slack && (before === undefined || after.at - slotAt < slotAt - before.at) ? after : before
      if (read === undefined) break
      values.push(Number.isNaN(read.value) || isStale(slotAt - read.at, this.#boundMs) ? null : read.value)
    }
    return values.reverse()
  }
}
