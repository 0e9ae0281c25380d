// What the /proc sources share: whether this machine has /proc, and rates from two reads a tick apart.
import { describeError, unknown } from './figure.ts'
import type { Reading } from './source.ts'

/** /proc is Linux's; a test's fake tree stands in for it anywhere. */
export const hasProc = (procRoot: string | undefined): boolean => process.platform === 'linux' || procRoot !== undefined

/** The "unknown" of a /proc source on a system without it; `subject` is e.g. "CPU use is". */
export const noProc = (subject: string): Reading => unknown(`${subject} read from /proc, which ${process.platform} does not have`)

/** How old the baseline must be before the first read after opening reports a delta; under the sampler's read timeout. */
export const BASELINE_MS = 150

/** What two samples give: a reading, and how long a window it covers. */
export type Rate<T> = (before: T, current: T, windowMs: number) => Reading

/**
 * Pairs each new sample with the one before it. The baseline is taken when the source opens, and the first read waits
 * until it is BASELINE_MS old: read at once (a device just switched to the metric), the delta would cover microseconds,
 * no CPU tick or a packet's worth of bytes. A sample that throws is a reading of "unknown" with the reason.
 */
export const deltaReader = <T>(
  procRoot: string | undefined,
  sample: () => T,
  firstRead: string,
  rate: Rate<T>,
  baselineMs: number = BASELINE_MS,
): (() => Reading | Promise<Reading>) => {
  let previous: { sample: T; at: number } | undefined
  try {
    if (hasProc(procRoot)) previous = { sample: sample(), at: performance.now() }
  } catch {
    previous = undefined
  }
  let first = true
  const baselineDue = async (due: number): Promise<Reading> => {
    // A timer may fire a fraction of a millisecond early; the window is at least the baseline all the same.
    while (performance.now() < due) await Bun.sleep(due - performance.now())
    return readNow()
  }
  const readNow = (): Reading => {
    let current: { sample: T; at: number }
    try {
      current = { sample: sample(), at: performance.now() }
    } catch (error) {
      return unknown(describeError(error))
    }
    const before = previous
    previous = current
    return before === undefined ? unknown(firstRead) : rate(before.sample, current.sample, current.at - before.at)
  }
  // Only a first read that comes sooner than the baseline waits; every other read answers at once.
  return (): Reading | Promise<Reading> => {
    const due = first && previous !== undefined ? previous.at + baselineMs : 0
    first = false
    return performance.now() < due ? baselineDue(due) : readNow()
  }
}
