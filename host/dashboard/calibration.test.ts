// The wizard's page logic: nudging a code and reading the user's marks. The board's curve maths it asks the
// WebAssembly module for are tested in host/wasm/curves.test.ts.
import { describe, expect, it } from 'bun:test'
import { nudge, parseMarks } from './calibration.ts'

describe('the calibration wizard arithmetic', () => {

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


})
