import { describe, expect, it } from 'bun:test'
import { GuessLimiter } from './guess-limiter.ts'

describe('GuessLimiter', () => {
  it('refuses an address after its burst of wrong guesses, and lets it in again as the bucket refills', () => {
    let now = 0
    const limiter = new GuessLimiter({ burst: 5, refillMs: 60_000, maxAddresses: 100 }, () => now)
    for (let i = 0; i < 5; i++) {
      expect(limiter.allows('10.0.0.1')).toBe(true)
      limiter.fail('10.0.0.1')
    }
    expect(limiter.allows('10.0.0.1')).toBe(false)
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(12_000)
    now = 11_999
    expect(limiter.allows('10.0.0.1')).toBe(false)
    now = 12_000
    expect(limiter.allows('10.0.0.1')).toBe(true)
    now = 1_000_000
    for (let i = 0; i < 5; i++) limiter.fail('10.0.0.1')
    expect(limiter.allows('10.0.0.1')).toBe(false)
  })

  it('never locks out another address', () => {
    const limiter = new GuessLimiter({ burst: 5, refillMs: 60_000, maxAddresses: 100 }, () => 0)
    for (let i = 0; i < 50; i++) limiter.fail('attacker')
    expect(limiter.allows('attacker')).toBe(false)
    expect(limiter.allows('neighbour')).toBe(true)
  })

  it('tracks a bounded number of addresses', () => {
    const limiter = new GuessLimiter({ burst: 5, refillMs: 60_000, maxAddresses: 10 }, () => 0)
    for (let i = 0; i < 1000; i++) limiter.fail(`a${i}`)
    expect(limiter.size).toBeLessThanOrEqual(10)
  })
})
