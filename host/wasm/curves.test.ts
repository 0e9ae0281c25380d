// The board's curve maths through the module's TypeScript wrapper (MeterModule's codeAt, percentAtCode and
// curveProblem) against the native build of the same maths: the curve-table example (firmware-rs/wasm/examples/
// curve-table) prints what each call gives for a table of curves, refused ones among them; here the same calls go
// through the WebAssembly module and must give the same codes, the same f32 positions and the device's own words.
import { beforeAll, describe, expect, it } from 'bun:test'
import type { CalibrationPoint } from '../../schema/index.ts'
import { MeterError, MeterModule } from './virtual-meter.ts'
import { BUILD_TIMEOUT_MS, moduleAndNativeExample, refusal } from './native-example.ts'

type Outcome = { result: number | null; refused?: undefined } | { refused: string; result?: undefined }
type TableLine = (
  | { op: 'code_at'; percent: number }
  | { op: 'percent_at'; code: number }
  | { op: 'check' }
) & { points: CalibrationPoint[] | null; bits: number } & Outcome

let module: MeterModule
/** The native table: `cargo run --example curve-table`, one JSON object a line. */
let table: TableLine[]

beforeAll(async () => {
  const both = await moduleAndNativeExample<TableLine>('curve-table')
  table = both.lines
  module = await MeterModule.load(both.wasm)
}, BUILD_TIMEOUT_MS)

/** What the wrapper gives for a line: its value, or the refusal's reason. */
const ask = (line: TableLine): Outcome => {
  const points = line.points ?? undefined
  try {
    switch (line.op) {
      case 'code_at':
        return { result: module.codeAt(points, line.percent, line.bits) }
      case 'percent_at':
        return { result: module.percentAtCode(points, line.code, line.bits) }
      case 'check': {
        const problem = module.curveProblem(points ?? [], line.bits)
        return problem === undefined ? { result: null } : { refused: problem }
      }
    }
  } catch (error) {
    if (error instanceof MeterError) return { refused: error.message }
    throw error
  }
}

describe("the board's curve maths in the module", () => {
  it('gives the native codes, positions and refusals, call for call', () => {
    for (const [index, line] of table.entries()) {
      const where = `line ${index + 1}: ${JSON.stringify(line)}`
      const got = ask(line)
      expect(got.refused, where).toBe(line.refused)
      // The native table prints an f32 position in its shortest form; the module returns the f32 itself.
      if (line.refused === undefined) expect(got.result, where).toBe(line.op === 'percent_at' ? Math.fround(line.result as number) : line.result)
    }
    expect(table.length).toBeGreaterThan(250)
    const refusals = new Set(table.flatMap((line) => (line.refused === undefined ? [] : [line.refused])))
    expect(refusals).toEqual(
      new Set([
        'calibration point 2 does not increase in both percent and code',
        'a calibration needs 2 to 16 points, got 1',
        'a calibration needs 2 to 16 points, got 0',
        "calibration code 2000 is above the output's largest code (1023)",
        'a calibration percent is outside 0..100',
        'calibration point 1 has a code that is not a whole number in 0..=65535',
        'an output code must be a whole number in 0..=65535',
        'an output has 1 to 16 bits, got 17',
      ]),
    )
  })

  it("says why the board refuses a curve in the device's words, with the module's result code", () => {
    const flat = [{ percent: 0, code: 0 }, { percent: 50, code: 600 }, { percent: 100, code: 600 }]
    expect(module.curveProblem(flat, 10)).toBe('calibration point 2 does not increase in both percent and code')
    expect(module.curveProblem([{ percent: 0, code: 0 }, { percent: 100, code: 1023 }], 10)).toBeUndefined()
    expect(module.curveProblem([{ percent: 0, code: 0 }, { percent: 100, code: 1023 }], 8)).toBe("calibration code 1023 is above the output's largest code (255)")
    const tooMany = Array.from({ length: 40 }, (_, i) => ({ percent: i, code: i }))
    expect(module.curveProblem(tooMany, 10)).toBe('a calibration needs 2 to 16 points, got 40')
    const notIncreasing = { name: 'MeterError', code: 9, message: 'calibration point 2 does not increase in both percent and code' }
    expect(refusal(() => module.codeAt(flat, 50, 10))).toMatchObject(notIncreasing)
    expect(refusal(() => module.percentAtCode(flat, 300, 10))).toMatchObject(notIncreasing)
    expect(refusal(() => module.percentAtCode(undefined, 2.5, 10))).toMatchObject({ code: 10, message: 'an output code must be a whole number in 0..=65535' })
    expect(refusal(() => module.codeAt(undefined, 50, 0))).toMatchObject({ code: 3, message: 'an output has 1 to 16 bits, got 0' })
  })

  it('leaves the meter slots alone: a curve asked about is not a meter set up', () => {
    const slot = module.claim()
    module.create(slot, 10, 5_000)
    module.setCalibration(slot, [{ percent: 0, code: 100 }, { percent: 100, code: 900 }])
    expect(module.codeAt([{ percent: 0, code: 0 }, { percent: 100, code: 500 }], 100, 10)).toBe(500)
    expect(module.tick(slot, 0)).toMatchObject({ code: 100, state: 'waiting' })
    module.release(slot)
  })
})

describe('the curve maths the calibration wizard asks for, by example', () => {
  it('starts each mark where the current curve puts it, linear without one', () => {
    expect(module.codeAt(undefined, 50, 10)).toBe(512)
    expect(module.codeAt(undefined, 100, 10)).toBe(1023)
    const curve = [{ percent: 0, code: 10 }, { percent: 50, code: 400 }, { percent: 100, code: 1000 }]
    expect(module.codeAt(curve, 25, 10)).toBe(205)
    expect(module.codeAt(curve, 75, 10)).toBe(700)
    expect(module.codeAt(curve, 0, 10)).toBe(10)
  })

  it("says before sending, in the board's own words, when codes do not rise with percent", () => {
    expect(module.curveProblem([{ percent: 0, code: 0 }, { percent: 50, code: 600 }, { percent: 100, code: 1000 }], 10)).toBeUndefined()
    expect(module.curveProblem([{ percent: 0, code: 0 }, { percent: 50, code: 600 }, { percent: 100, code: 600 }], 10)).toBe(
      'calibration point 2 does not increase in both percent and code',
    )
  })

  it('reads a held code back through the curve to where the needle stands, as the board does', () => {
    expect(module.percentAtCode(undefined, 0, 10)).toBe(0)
    expect(module.percentAtCode(undefined, 1023, 10)).toBe(100)
    expect(module.percentAtCode(undefined, 341, 10)).toBeCloseTo(33.33, 2)
    const curve = [{ percent: 0, code: 10 }, { percent: 50, code: 400 }, { percent: 100, code: 1000 }]
    expect(module.percentAtCode(curve, 205, 10)).toBeCloseTo(25, 5)
    expect(module.percentAtCode(curve, 700, 10)).toBeCloseTo(75, 5)
    // Past the curve's ends the needle is at the end marks: the face is not marked beyond them.
    expect(module.percentAtCode(curve, 3, 10)).toBe(0)
    expect(module.percentAtCode(curve, 1023, 10)).toBe(100)
    // The wizard's codes and this are inverses at every mark.
    for (const p of [0, 10, 37.5, 50, 90, 100]) expect(module.percentAtCode(curve, module.codeAt(curve, p, 10), 10)).toBeCloseTo(p, 0)
  })
})
