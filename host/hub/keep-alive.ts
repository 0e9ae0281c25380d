// The host's side of a device's liveness: a heartbeat once the device has been sent nothing for a period.
//
// Its deadline moves with every frame sent, so it is one timer refreshed by each send (Timeout.refresh, as Node keeps
// HTTP keep-alive timers) rather than a deadline the housekeeper computes from the last send. Computed, it woke an
// idle host about once a second to find that a frame had just gone out (a 1.5 s heartbeat period and a frame every
// second): one wake-up in three for nothing (bench/idle.ts).

/** A timer that a touch moves to a full period from now without waking anything (Bun's and Node's Timeout). */
export interface RefreshableTimer {
  refresh(): unknown
}

export interface KeepAliveTimers {
  setTimeout(run: () => void, ms: number): RefreshableTimer
  clearTimeout(timer: RefreshableTimer): void
}

export const REAL_TIMERS: KeepAliveTimers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
}

export class KeepAlive {
  readonly #beat: () => void
  readonly #timers: KeepAliveTimers
  readonly #onError: (error: unknown) => void
  #periodMs: number
  #timer: RefreshableTimer | undefined

  /**
   * Calls `beat` once `periodMs` pass without a `sent()`, and each period after that while nothing else is sent. A beat
   * that throws is told to `onError`: an error thrown out of a timer would end the host.
   */
  constructor(periodMs: number, beat: () => void, timers: KeepAliveTimers = REAL_TIMERS, onError: (error: unknown) => void = (error) => console.error(`sysboy: a heartbeat failed: ${String(error)}`)) {
    this.#beat = beat
    this.#timers = timers
    this.#onError = onError
    this.#periodMs = periodMs
    this.#timer = this.#arm()
  }

  get periodMs(): number {
    return this.#periodMs
  }

  /** Something was sent: the next beat falls due a full period from now. */
  sent(): void {
    this.#timer?.refresh()
  }

  /** A new period, counted from now (a config that shortened the device's stale timeout). */
  setPeriod(periodMs: number): void {
    if (this.#timer === undefined || periodMs === this.#periodMs) return
    this.#periodMs = periodMs
    this.#timers.clearTimeout(this.#timer)
    this.#timer = this.#arm()
  }

  stop(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #arm(): RefreshableTimer {
    const timer = this.#timers.setTimeout(() => {
      // Armed again before the beat, so that a beat that sends nothing (a closing socket) still leaves one armed.
      timer.refresh()
      try {
        this.#beat()
      } catch (error) {
        this.#onError(error)
      }
    }, this.#periodMs)
    return timer
  }
}
