// The timer edge of the device gate's housekeeping: it sleeps until the work says it is next due, or until it is told
// of something that falls due sooner. A setInterval would wake the host every second for nothing: each wake-up of an
// idle Bun process costs about as much as the sampling it does (bench/idle.ts).

/** The longest single sleep: setTimeout takes at most 2^31 − 1 ms, and a far deadline is simply looked at again. */
const MAX_SLEEP_MS = 60_000

export class Housekeeper {
  readonly #work: (now: number) => number
  readonly #now: () => number
  readonly #onError: (error: unknown) => void
  #timer: ReturnType<typeof setTimeout> | undefined
  /** When the armed timer fires; infinity while none is armed. */
  #armedAt = Number.POSITIVE_INFINITY
  #stopped = false

  /**
   * `work(now)` does what is due by `now` and gives when it is next due (infinity: nothing waits). Work that throws is
   * told to `onError` and looked at again after the longest sleep: an error thrown out of a timer would end the host.
   */
  constructor(work: (now: number) => number, now: () => number = Date.now, onError: (error: unknown) => void = (error) => console.error(error)) {
    this.#work = work
    this.#now = now
    this.#onError = onError
  }

  /** Something falls due at `at`: the work runs by then. A later time than the one armed changes nothing. */
  due(at: number): void {
    if (this.#stopped || !(at < this.#armedAt)) return
    clearTimeout(this.#timer)
    this.#armedAt = at
    this.#timer = setTimeout(() => this.#run(), Math.min(MAX_SLEEP_MS, Math.max(0, at - this.#now())))
  }

  stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #run(): void {
    this.#timer = undefined
    this.#armedAt = Number.POSITIVE_INFINITY
    const now = this.#now()
    // The work may say `due` itself (a session it closes); the sooner of that and its answer is kept.
    let next: number
    try {
      next = this.#work(now)
    } catch (error) {
      this.#onError(error)
      next = now + MAX_SLEEP_MS
    }
    this.due(next)
  }
}
