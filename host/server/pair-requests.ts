// Boards asking to pair, waiting for the user's yes or no: a bounded list, limited per address, each request expiring.
import type { Chip } from '../../schema/index.ts'
import { GuessLimiter } from './guess-limiter.ts'

export interface PairLimits {
  /** Requests listed at once; one more is refused while the list is full. */
  maxRequests: number
  /** New requests an address may make in a burst, and the time for that allowance to refill. */
  perAddress: number
  perAddressRefillMs: number
  /** A request nobody answered by then is dropped. */
  expireMs: number
}

export const DEFAULT_PAIR_LIMITS: PairLimits = { maxRequests: 16, perAddress: 3, perAddressRefillMs: 60_000, expireMs: 10 * 60_000 }

/** A request as the REST API and `sysboy pair` list it. */
export interface PairRequestInfo {
  device: string
  chip: Chip
  firmware: string
  address: string
  /** When the board asked, ISO 8601. */
  since: string
}

interface Entry<T> {
  info: PairRequestInfo
  at: number
  /** What the caller answers through: the board's socket. */
  waiter: T
}

/**
 * `unauthorized`: another address asked under an id that is already waiting (the board's request stays);
 * `rate_limited`: the list is full or the address asked too often.
 */
export type AskResult<T> = { ok: true; replaced: T | undefined } | { ok: false; code: 'unauthorized' | 'rate_limited'; reason: string }

/** The waiting requests, one per device id; `T` is whatever the caller answers a board through. */
export class PairRequests<T> {
  readonly #limits: PairLimits
  readonly #entries = new Map<string, Entry<T>>()
  readonly #perAddress: GuessLimiter

  constructor(limits: PairLimits = DEFAULT_PAIR_LIMITS, now: () => number = Date.now) {
    this.#limits = limits
    this.#perAddress = new GuessLimiter({ burst: limits.perAddress, refillMs: limits.perAddressRefillMs, maxAddresses: 10_000 }, now)
  }

  /**
   * Lists a board's request. The same device asking again from the same address replaces its request (the old waiter
   * comes back to be closed) and costs its address nothing. Asking under a waiting id from another address is refused
   * and counted against that address, so nobody on the LAN can take over a board's request and the approval meant for
   * it. A new request is refused when the list is full or its address asked too often.
   */
  ask(request: Omit<PairRequestInfo, 'since'>, waiter: T, now: number): AskResult<T> {
    const previous = this.#entries.get(request.device)
    if (previous !== undefined && previous.info.address !== request.address) {
      this.#perAddress.fail(request.address)
      return {
        ok: false,
        code: 'unauthorized',
        reason: `a board '${request.device}' is already waiting to pair from another address; deny it on the host first if this is the same board`,
      }
    }
    if (previous === undefined) {
      if (this.#entries.size >= this.#limits.maxRequests) {
        return { ok: false, code: 'rate_limited', reason: `${this.#limits.maxRequests} boards are waiting to pair already; approve or deny them first` }
      }
      if (!this.#perAddress.allows(request.address)) {
        const seconds = Math.ceil(this.#perAddress.retryAfterMs(request.address) / 1000)
        return { ok: false, code: 'rate_limited', reason: `too many pairing requests from this address; try again in ${seconds} s` }
      }
      this.#perAddress.fail(request.address)
    }
    this.#entries.delete(request.device)
    this.#entries.set(request.device, { info: { ...request, since: new Date(now).toISOString() }, at: now, waiter })
    return { ok: true, replaced: previous?.waiter }
  }

  /** The waiting requests, oldest first. */
  list(): PairRequestInfo[] {
    return [...this.#entries.values()].map((e) => e.info)
  }

  /** Removes and gives back the request of `device` (to approve or deny it), or undefined when none waits. */
  take(device: string): { info: PairRequestInfo; waiter: T } | undefined {
    const entry = this.#entries.get(device)
    if (entry === undefined) return undefined
    this.#entries.delete(device)
    return { info: entry.info, waiter: entry.waiter }
  }

  /** Forgets the request `waiter` made (its board went away); true when there was one. */
  drop(waiter: T): boolean {
    for (const [device, entry] of this.#entries) {
      if (entry.waiter !== waiter) continue
      this.#entries.delete(device)
      return true
    }
    return false
  }

  /** Removes and gives back the waiters of requests older than the expiry. */
  expire(now: number): T[] {
    const expired: T[] = []
    for (const [device, entry] of this.#entries) {
      if (now - entry.at < this.#limits.expireMs) continue
      this.#entries.delete(device)
      expired.push(entry.waiter)
    }
    return expired
  }

  /** When the oldest request expires; infinity with none waiting. */
  nextExpiry(): number {
    let next = Number.POSITIVE_INFINITY
    for (const entry of this.#entries.values()) next = Math.min(next, entry.at + this.#limits.expireMs)
    return next
  }

  get size(): number {
    return this.#entries.size
  }
}
