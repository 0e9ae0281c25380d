import { describe, expect, it } from 'bun:test'
import { HISTORY_VALUES } from '../../schema/index.ts'
import { HISTORY_CAPACITY, MetricHistory } from './metric-history.ts'

const BOUND = 3_000

/** A history sampled every `every` ms from t=0, the values from `value(i)`. */
const sampled = (count: number, every: number, value: (i: number) => number | null = (i) => i): MetricHistory => {
  const history = new MetricHistory()
  for (let i = 0; i < count; i++) history.push(i * every, value(i), BOUND)
  return history
}

describe('MetricHistory bursts', () => {
  it('gives the last values oldest first, the newest last', () => {
    expect(sampled(5, 1_000).burst(4_000, { intervalMs: 1_000 })).toEqual([0, 1, 2, 3, 4])
  })

  it('leaves out the newest when the newest frame follows the burst and carries it', () => {
    expect(sampled(5, 1_000).burst(4_000, { intervalMs: 1_000, withoutNewest: true })).toEqual([0, 1, 2, 3])
  })

  it('gives at most HISTORY_VALUES values', () => {
    const burst = sampled(300, 1_000).burst(299_000, { intervalMs: 1_000 })
    expect(burst).toHaveLength(HISTORY_VALUES)
    expect(burst.at(-1)).toBe(299)
    expect(burst[0]).toBe(300 - HISTORY_VALUES)
  })

  it('sends nothing when the newest value is stale: a stale value is never sent as live', () => {
    const history = sampled(5, 1_000)
    expect(history.burst(4_000 + BOUND, { intervalMs: 1_000 })).toHaveLength(5)
    expect(history.burst(4_001 + BOUND, { intervalMs: 1_000 })).toEqual([])
    expect(new MetricHistory().burst(0, { intervalMs: 1_000 })).toEqual([])
  })

  it('takes one value per interval of the receiving device from a metric sampled faster', () => {
    expect(sampled(41, 100).burst(4_000, { intervalMs: 1_000 })).toEqual([0, 10, 20, 30, 40])
  })

  it('takes a jittery sampler at its nearest reading, never skipping or repeating one', () => {
    const history = new MetricHistory()
    for (const [i, at] of [0, 1_003, 1_998, 3_010, 4_001].entries()) history.push(at, i, BOUND)
    expect(history.burst(4_001, { intervalMs: 1_000 })).toEqual([0, 1, 2, 3, 4])
  })

  it('fills a silence longer than the staleness bound with gaps, not the last value, and keeps unknowns as gaps', () => {
    const history = new MetricHistory()
    history.push(0, 10, BOUND)
    history.push(1_000, null, BOUND)
    history.push(2_000, 30, BOUND)
    // Nothing from 2 s to 8 s: slots 3..5 s still show 30 (within 3 s), 6 and 7 s are gaps.
    history.push(8_000, 80, BOUND)
    expect(history.burst(8_000, { intervalMs: 1_000 })).toEqual([10, null, 30, 30, 30, 30, null, null, 80])
  })

  it('keeps HISTORY_CAPACITY values, forgetting the oldest', () => {
    const history = sampled(HISTORY_CAPACITY + 10, 100)
    expect(history.length).toBe(HISTORY_CAPACITY)
    const burst = history.burst((HISTORY_CAPACITY + 9) * 100, { intervalMs: 400 })
    expect(burst).toHaveLength(HISTORY_VALUES)
    expect(burst[0]).toBe(HISTORY_CAPACITY + 9 - 4 * (HISTORY_VALUES - 1))
  })
})
