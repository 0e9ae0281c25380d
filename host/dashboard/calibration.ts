// The calibration wizard's page logic: the default marks, the user's own marks, and nudging a code within the
// output's codes. The curve maths (a mark's code through the current curve, where a held code puts the needle, why the
// board would refuse a curve) is the board's own, from the WebAssembly module: MeterModule in host/wasm/virtual-meter.ts.

/** The marks the wizard offers first, percent. */
export const DEFAULT_MARKS = [0, 25, 50, 75, 100]

/** The largest code of an output with `bits` of resolution. */
export const maxCode = (bits: number): number => 2 ** bits - 1

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
