// What the dashboard's event stream pushes, decided without any I/O: each kind of change coalesced to at most one
// push per interval, a keep-alive comment while a page listens, and no timer at all while none does.

export type EventKind = 'metrics' | 'devices' | 'pairing' | 'credentials'

/** One page listening: it is written whole events and comments. */
export interface Subscriber {
  event(kind: string, data: string): void
  comment(text: string): void
}

/** The timers the core needs; tests pass a fake clock. */
export interface Timers {
  now(): number
  setTimeout(run: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  setInterval(run: () => void, ms: number): unknown
  clearInterval(handle: unknown): void
}

export const REAL_TIMERS: Timers = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  setInterval: (run, ms) => setInterval(run, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
}

export interface LiveEventsOptions {
  /** The data of a kind now, as its GET endpoint gives it. */
  snapshot: (kind: EventKind) => unknown
  /** Fewest milliseconds between two pushes of one kind (100: at most 10 per second). */
  minGapMs?: number
  keepAliveMs?: number
  timers?: Timers
}

export const EVENT_KINDS: readonly EventKind[] = ['metrics', 'devices', 'pairing', 'credentials']

export class LiveEvents {
  readonly #subscribers = new Set<Subscriber>()
  readonly #snapshot: (kind: EventKind) => unknown
  readonly #minGapMs: number
  readonly #keepAliveMs: number
  readonly #timers: Timers
  readonly #lastPushAt = new Map<EventKind, number>()
  /** A push waiting for its kind's gap to pass; at most one per kind. */
  readonly #due = new Map<EventKind, unknown>()
  #keepAlive: unknown = undefined

  constructor(options: LiveEventsOptions) {
    this.#snapshot = options.snapshot
    this.#minGapMs = options.minGapMs ?? 100
    this.#keepAliveMs = options.keepAliveMs ?? 15_000
    this.#timers = options.timers ?? REAL_TIMERS
  }

  get subscribers(): number {
    return this.#subscribers.size
  }

  /** Whether any timer runs: none may while no page listens (the host's idle cost). */
  get ticking(): boolean {
    return this.#keepAlive !== undefined || this.#due.size > 0
  }

  /**
   * Adds a page: it is written `hello` once, then every kind as it is now; gives back the way to remove it, which
   * stops every timer when it was the last.
   */
  subscribe(subscriber: Subscriber, hello: unknown): () => void {
    this.#subscribers.add(subscriber)
    subscriber.event('hello', JSON.stringify(hello))
    for (const kind of EVENT_KINDS) subscriber.event(kind, JSON.stringify(this.#snapshot(kind)))
    if (this.#keepAlive === undefined) {
      this.#keepAlive = this.#timers.setInterval(() => this.#broadcastComment('keep-alive'), this.#keepAliveMs)
    }
    return () => this.#unsubscribe(subscriber)
  }

  /** Something of `kind` changed: pushed now, or once its gap has passed, never more often. */
  changed(kind: EventKind): void {
    if (this.#subscribers.size === 0 || this.#due.has(kind)) return
    const wait = (this.#lastPushAt.get(kind) ?? Number.NEGATIVE_INFINITY) + this.#minGapMs - this.#timers.now()
    if (wait <= 0) {
      this.#push(kind)
      return
    }
    this.#due.set(
      kind,
      this.#timers.setTimeout(() => {
        this.#due.delete(kind)
        this.#push(kind)
      }, wait),
    )
  }

  #push(kind: EventKind): void {
    if (this.#subscribers.size === 0) return
    this.#lastPushAt.set(kind, this.#timers.now())
    const data = JSON.stringify(this.#snapshot(kind))
    for (const subscriber of [...this.#subscribers]) {
      try {
        subscriber.event(kind, data)
      } catch {
        // A page whose stream broke is removed; the others go on.
        this.#unsubscribe(subscriber)
      }
    }
  }

  #broadcastComment(text: string): void {
    for (const subscriber of [...this.#subscribers]) {
      try {
        subscriber.comment(text)
      } catch {
        this.#unsubscribe(subscriber)
      }
    }
  }

  #unsubscribe(subscriber: Subscriber): void {
    if (!this.#subscribers.delete(subscriber) || this.#subscribers.size > 0) return
    this.#timers.clearInterval(this.#keepAlive)
    this.#keepAlive = undefined
    for (const handle of this.#due.values()) this.#timers.clearTimeout(handle)
    this.#due.clear()
  }
}
