import { describe, expect, it } from 'bun:test'
import { tokenMatches } from './pairing.ts'

describe('pairing token', () => {
  it('matches only the exact token', () => {
    expect(tokenMatches('abcdefgh123', 'abcdefgh123')).toBe(true)
    expect(tokenMatches('abcdefgh123', 'abcdefgh124')).toBe(false)
    expect(tokenMatches('abcdefgh123', 'abcdefgh1234')).toBe(false)
    expect(tokenMatches('abcdefgh123', '')).toBe(false)
    expect(tokenMatches('abcdefgh123', undefined)).toBe(false)
  })
})
