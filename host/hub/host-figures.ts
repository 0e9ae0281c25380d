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
  readonly #costs = new Map<string, CostHistogram>()

  /** Counts one error frame sent, or one refusal, by its code. */
  error(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1)
  }

  /** Records how long one read of `metric` by `source` took. */
  sampleCost(metric: string, source: string, seconds: number): void {
    const key = `${metric}\u0000${source}`
    let histogram = this.#costs.get(key)
    if (histogram === undefined) {
      histogram = { metric, source, buckets: SAMPLE_COST_BUCKETS.map(() => 0), count: 0, sumSeconds: 0 }
      this.#costs.set(key, histogram)
    }
    const slot = SAMPLE_COST_BUCKETS.findIndex((bound) => seconds <= bound)
    if (slot >= 0) histogram.buckets[slot] = (histogram.buckets[slot] ?? 0) + 1
    histogram.count += 1
    histogram.sumSeconds += seconds
  }

  costs(): CostHistogram[] {
    return [...this.#costs.values()]
  }
}
