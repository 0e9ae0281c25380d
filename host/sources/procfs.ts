// What the /proc sources share: whether this machine has /proc, and rates from two reads a tick apart.
import { describeError, unknown } from './figure.ts'
import type { Reading } from './source.ts'

/** /proc is Linux's; a test's fake tree stands in for it anywhere. */
export const hasProc = (procRoot: string | undefined): boolean => process.platform === 'linux' || procRoot !== undefined

/** The "unknown" of a /proc source on a system without it; `subject` is e.g. "CPU use is". */
export const noProc = (subject: string): Reading => unknown(`${subject} read from /proc, which ${process.platform} does not have`)

/**
 * Pairs each new sample with the one before it. The baseline is taken when the source opens, so the first read,
 * one interval later, already has a delta; a sample that throws is a reading of "unknown" with the reason.
 */
export const deltaReader = <T>(
  procRoot: string | undefined,
  sample: () => T,
  firstRead: string,
  rate: (before: T, current: T) => Reading,
): (() => Reading) => {
  let previous: T | undefined
  try {
    if (hasProc(procRoot)) previous = sample()
  } catch {
    previous = undefined
  }
  return (): Reading => {
    let current: T
    try {
      current = sample()
    } catch (error) {
      return unknown(describeError(error))
    }
    const before = previous
    previous = current
    return before === undefined ? unknown(firstRead) : rate(before, current)
  }
}
