import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { holds, PROPERTY_TIMEOUT_MS } from '../../schema/fuzz/property.ts'
import { anyText } from '../../schema/fuzz/shaped.ts'
import { clip } from './clip.ts'

const codePoints = (text: string): number => [...text].length

describe('clip under fuzzing', () => {
  it(
    'never gives more code points than the limit nor a lone surrogate, and keeps what fits as it was',
    () => {
      holds(
        'clip: any text, any limit',
        fc.property(anyText(300), fc.integer({ min: 0, max: 260 }), (text, max) => {
          const clipped = clip(text, max)
          expect(codePoints(clipped)).toBeLessThanOrEqual(max)
          expect(clipped.isWellFormed()).toBe(true)
          const whole = text.toWellFormed()
          if (codePoints(whole) <= max) expect(clipped).toBe(whole)
          else expect(whole.startsWith(clipped.slice(0, -1))).toBe(true)
        }),
      )
    },
    PROPERTY_TIMEOUT_MS,
  )
})
