// The calibration wizard's arithmetic: where to start each mark from the current curve, the user's own marks, and
// the check a curve must pass before it is sent (points rise in both percent and code, as the device requires).
import type { CalibrationPoint } from '../../schema/index.ts'

export const DEFAULT_MARKS = [0, 25, 50, 75, 100]

/** The largest code of an output with `bits` of resolution. */
export const maxCode = (bits: number): number => 2 ** bits - 1

/** The code the curve gives for `percent` (linear from 0 to the largest code when there is no curve), as the device interpolates. */
export const codeAt = (points: readonly CalibrationPoint[] | undefined, percent: number, bits: number): number => {
  const top = maxCode(bits)
  const curve = points !== undefined && points.length >= 2 ? points : [{ percent: 0, code: 0 }, { percent: 100, code: top }]
  const first = curve[0] as CalibrationPoint
  const last = curve[curve.length - 1] as CalibrationPoint
  if (percent <= first.percent) return first.code
  if (percent >= last.percent) return last.code
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1] as CalibrationPoint
    const b = curve[i] as CalibrationPoint
    if (percent <= b.percent) {
      const t = b.percent === a.percent ? 0 : (percent - a.percent) / (b.percent - a.percent)
      return Math.min(top, Math.max(0, Math.round(a.code + t * (b.code - a.code))))
    }
  }
  return last.code
}

/** Where a needle driven at `code` stands on the scale, percent: the curve read backwards (linear from 0 to the
 * largest code when there is no curve), codes beyond its ends at the end positions, as the board's
 * `Calibration::percent_for` (firmware-rs/device/src/meter/calibration.rs) reads it. */
export const percentAtCode = (points: readonly CalibrationPoint[] | undefined, code: number, bits: number): number => {
  const curve = points !== undefined && points.length >= 2 ? points : [{ percent: 0, code: 0 }, { percent: 100, code: maxCode(bits) }]
  const first = curve[0] as CalibrationPoint
  const last = curve[curve.length - 1] as CalibrationPoint
  if (code <= first.code) return first.percent
  if (code >= last.code) return last.percent
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1] as CalibrationPoint
    const b = curve[i] as CalibrationPoint
    if (code <= b.code) return b.code === a.code ? b.percent : a.percent + ((code - a.code) / (b.code - a.code)) * (b.percent - a.percent)
  }
  return last.percent
}

/** The code moved by `delta`, kept within the output's codes. */
export const nudge = (code: number, delta: number, bits: number): number => Math.min(maxCode(bits), Math.max(0, code + delta))

/** The user's marks ("0, 20, 50, 80, 100"): at least two, each 0–100, in rising order; or why not. */
export const parseMarks = (text: string): { marks: number[] } | { error: string } => {
  const words = text.split(/[\s,;]+/).filter((w) => w !== '')
  const marks = words.map(Number)
  const bad = words.find((w, i) => !Number.isFinite(marks[i]) || (marks[i] as number) < 0 || (marks[i] as number) > 100)
  if (bad !== undefined) return { error: `'${bad}' is not a percent from 0 to 100` }
  if (marks.length < 2) return { error: 'give at least two marks' }
  if (marks.length > 16) return { error: 'at most 16 marks' }
  for (let i = 1; i < marks.length; i++) {
    if ((marks[i] as number) <= (marks[i - 1] as number)) return { error: `marks must rise: ${marks[i]} % comes after ${marks[i - 1]} %` }
  }
  return { marks }
}

/** Why the device would refuse these points, said before they are sent; undefined when they rise in both. */
export const curveProblem = (points: readonly CalibrationPoint[]): string | undefined => {
  if (points.length < 2) return 'a curve needs at least two points'
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as CalibrationPoint
    const b = points[i] as CalibrationPoint
    if (b.percent <= a.percent) return `percent must rise: ${b.percent} % comes after ${a.percent} %`
    if (b.code <= a.code) return `codes must rise with percent: the code at ${b.percent} % (${b.code}) is not above the code at ${a.percent} % (${a.code})`
  }
  return undefined
}
