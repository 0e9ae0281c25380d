// Rate-limits pairing-token guesses per remote address with buckets that refill, so nobody is locked out for good.

export interface GuessLimits {
  /** Failed attempts an address may make in a burst. */
  burst: number
  /** Time for an empty bucket to refill completely, ms. */
  refillMs: number
  /** Most addresses tracked at once; the fullest buckets are forgotten first. */
  maxAddresses: number
}

export const DEFAULT_GUESS_LIMITS: GuessLimits = { burst: 5, refillMs: 60_000, maxAddresses: 10_000 }

interface Bucket {
  tokens: number
  at: number
}

/** One bucket of failure allowance per remote address. */
export class GuessLimiter {
  readonly #limits: GuessLimits
  readonly #now: () => number
  readonly #buckets = new Map<string, Bucket>()

  constructor(limits: GuessLimits = DEFAULT_GUESS_LIMITS, now: () => number = Date.now) {
    this.#limits = limits
    this.#now = now
  }

  #refilled(address: string): Bucket {
    const now = this.#now()
    const bucket = this.#buckets.get(address) ?? { tokens: this.#limits.burst, at: now }
    const gained = ((now - bucket.at) / this.#limits.refillMs) * this.#limits.burst
    bucket.tokens = Math.min(this.#limits.burst, bucket.tokens + gained)
    bucket.at = now
    return bucket
  }

  /** Whether this address may try a token now; an address that guessed too often must wait for its bucket. */
  allows(address: string): boolean {
    return this.#refilled(address).tokens >= 1
  }

  /** Records a wrong or missing token from this address. */
  fail(address: string): void {
    const bucket = this.#refilled(address)
    bucket.tokens = Math.max(0, bucket.tokens - 1)
    this.#buckets.set(address, bucket)
    if (this.#buckets.size > this.#limits.maxAddresses) this.#forgetFull()
  }

  /** Milliseconds until this address may try again (0 when it may now). */
  retryAfterMs(address: string): number {
    const bucket = this.#refilled(address)
    if (bucket.tokens >= 1) return 0
    return Math.ceil(((1 - bucket.tokens) * this.#limits.refillMs) / this.#limits.burst)
  }

  /** How many addresses are tracked (bounded by maxAddresses). */
  get size(): number {
    return this.#buckets.size
  }

  #forgetFull(): void {
    for (const [address] of this.#buckets) {
      if (this.#refilled(address).tokens >= this.#limits.burst) this.#buckets.delete(address)
    }
    // Still too many: forget the oldest; an attacker with many addresses gets fresh buckets, never a lockout of others.
    for (const [address] of this.#buckets) {
      if (this.#buckets.size <= this.#limits.maxAddresses) break
      this.#buckets.delete(address)
    }
  }
}
