// The host's own figures (frames sent and dropped, errors by code, sample cost per source) for /metrics.

/** Upper bounds of the sample-cost histogram, seconds. */
export const SAMPLE_COST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const

export interface CostHistogram {
  metric: string
  source: string
  /** Counts per bucket of SAMPLE_COST_BUCKETS (not cumulative). */
  buckets: number[]
  count: number
  sumSeconds: number
}

export class HostFigures {
  framesSent = 0
  framesDropped = 0
  readonly errors = new Map<string, number>()
  /** By metric, then by source: no key is built per read. */
  readonly #costs = new Map<string, Map<string, CostHistogram>>()

  /** Counts one error frame sent, or one refusal, by its code. */
  error(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1)
  }

  /** Records how long one read of `metric` by `source` took. */
  sampleCost(metric: string, source: string, seconds: number): void {
    let bySource = this.#costs.get(metric)
    if (bySource === undefined) {
      bySource = new Map()
      this.#costs.set(metric, bySource)
    }
    let histogram = bySource.get(source)
    if (histogram === undefined) {
      histogram = { metric, source, buckets: SAMPLE_COST_BUCKETS.map(() => 0), count: 0, sumSeconds: 0 }
      bySource.set(source, histogram)
    }
    let slot = 0
    // The first bucket the time fits in; none for a time past the last bound (or not a number).
    while (slot < SAMPLE_COST_BUCKETS.length && !(seconds <= (SAMPLE_COST_BUCKETS[slot] as number))) slot++
    if (slot < SAMPLE_COST_BUCKETS.length) histogram.buckets[slot] = (histogram.buckets[slot] ?? 0) + 1
    histogram.count += 1
    histogram.sumSeconds += seconds
  }

  costs(): CostHistogram[] {
    return [...this.#costs.values()].flatMap((bySource) => [...bySource.values()])
  }
}
