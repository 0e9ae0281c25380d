// The wizard's page logic, and the board's curve maths it asks the WebAssembly module for (MeterModule: codeAt,
// percentAtCode, curveProblem), on the real module that scripts/scenes-wasm.sh builds.
import { beforeAll, describe, expect, it } from 'bun:test'
import { readFileSync } from 'node:fs'
import { SCENES_WASM, buildScenesWasm } from '../screens/build-scenes.ts'
import { MeterModule } from '../wasm/virtual-meter.ts'
import { nudge, parseMarks } from './calibration.ts'

let module: MeterModule

beforeAll(async () => {
  await buildScenesWasm()
  module = await MeterModule.load(readFileSync(SCENES_WASM))
}, 600_000)

describe('the calibration wizard arithmetic', () => {
  it('starts each mark where the current curve puts it, linear without one', () => {
    expect(module.codeAt(undefined, 50, 10)).toBe(512)
    expect(module.codeAt(undefined, 100, 10)).toBe(1023)
    const curve = [{ percent: 0, code: 10 }, { percent: 50, code: 400 }, { percent: 100, code: 1000 }]
    expect(module.codeAt(curve, 25, 10)).toBe(205)
    expect(module.codeAt(curve, 75, 10)).toBe(700)
    expect(module.codeAt(curve, 0, 10)).toBe(10)
  })

  it('nudges within the output codes', () => {
    expect(nudge(1020, 10, 10)).toBe(1023)
    expect(nudge(3, -10, 10)).toBe(0)
    expect(nudge(500, -1, 10)).toBe(499)
  })

  it('takes the user own marks, rising, from 0 to 100', () => {
    expect(parseMarks('0, 20 50;80 100')).toEqual({ marks: [0, 20, 50, 80, 100] })
    expect(parseMarks('0, 50, 40')).toEqual({ error: 'marks must rise: 40 % comes after 50 %' })
    expect(parseMarks('0, 120')).toEqual({ error: "'120' is not a percent from 0 to 100" })
    expect(parseMarks('50')).toEqual({ error: 'give at least two marks' })
  })

  it('says before sending, in the board own words, when codes do not rise with percent', () => {
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
