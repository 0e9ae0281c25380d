import { describe, expect, it } from 'bun:test'
import { bearerToken, tokenMatches } from './pairing.ts'

describe('pairing token', () => {
  it('matches only the exact token', () => {
    expect(tokenMatches('abcdefgh123', 'abcdefgh123')).toBe(true)
    expect(tokenMatches('abcdefgh123', 'abcdefgh124')).toBe(false)
    expect(tokenMatches('abcdefgh123', 'abcdefgh1234')).toBe(false)
    expect(tokenMatches('abcdefgh123', '')).toBe(false)
    expect(tokenMatches('abcdefgh123', undefined)).toBe(false)
  })

  it('reads the token of a Bearer header and nothing else', () => {
    expect(bearerToken('Bearer abc-123')).toBe('abc-123')
    expect(bearerToken('bearer abc-123')).toBe('abc-123')
    expect(bearerToken('Basic YWJjOmRlZg==')).toBeUndefined()
    expect(bearerToken('Bearer')).toBeUndefined()
    expect(bearerToken(undefined)).toBeUndefined()
  })
})
