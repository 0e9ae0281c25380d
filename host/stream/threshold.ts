// The adaptive change threshold, the seed's state machine in RGB565 units: lossless (0) unless a maximum is set;
// then, over the last 10 frame times, it rises while the stream runs more than 10 % below its target rate and
// falls while it keeps up, within 0..max.

/** Frame times the rate is taken over, as the seed's history of 10. */
export const THRESHOLD_WINDOW_FRAMES = 10
/** Behind: under 90 % of the target rate, as the seed's 10 % hysteresis. */
export const THRESHOLD_BEHIND = 0.9
// Keeping up: at 95 % of the target or more. The seed lowers only above target + 10 %, but it measures its
// processing time, which runs faster than its target; this host sends at most once a frame time, so a stream that
// keeps up measures the target itself, give or take timer jitter, and 90..95 % is the band where the value holds.
export const THRESHOLD_KEEPING_UP = 0.95
// The seed steps +8 / −4 on a sum of three 8-bit channel differences (10..200); per 5- or 6-bit channel that is a
// third of a unit, so steps here are whole units and keep the seed's 2:1 (up fast, down slowly).
export const THRESHOLD_RAISE = 2
export const THRESHOLD_LOWER = 1

export class AdaptiveThreshold {
  readonly #max: number
  readonly #targetFps: number
  // Times of the last window + 1 frames, oldest first.
  readonly #times: number[] = []
  #value = 0

  /** `max`: the largest per-channel difference that may be ignored (0: always lossless); `targetFps`: the rate to hold. */
  constructor(max: number, targetFps: number) {
    if (!(max >= 0) || !(targetFps > 0)) throw new RangeError(`threshold max ${max} and target ${targetFps} FPS must be ≥ 0 and > 0`)
    this.#max = Math.floor(max)
    this.#targetFps = targetFps
  }

  /** The per-channel difference (5/6/5-bit units) at or under which a pixel counts as unchanged. */
  get value(): number {
    return this.#value
  }

  /** A frame went out at `atMs`. */
  frameSent(atMs: number): void {
    this.#tick(atMs)
  }

  /**
   * A frame time passed at `atMs` with nothing to send (the picture did not change). It counts as keeping up: only
   * frames held back (by the link, the window, or the host's own time) should raise the threshold, not a still screen.
   */
  frameUnchanged(atMs: number): void {
    this.#tick(atMs)
  }

  /**
   * The stream napped through a still picture: it keeps up, so the threshold steps down, and the frame times before
   * the nap are forgotten (its long gaps are no measure of the rate the stream keeps once the picture moves again).
   */
  still(): void {
    this.#times.length = 0
    this.#value = Math.max(0, this.#value - THRESHOLD_LOWER)
  }

  #tick(atMs: number): void {
    if (this.#max === 0) return
    this.#times.push(atMs)
    if (this.#times.length > THRESHOLD_WINDOW_FRAMES + 1) this.#times.shift()
    if (this.#times.length <= THRESHOLD_WINDOW_FRAMES) return
    const spanMs = atMs - (this.#times[0] as number)
    const fps = spanMs > 0 ? (THRESHOLD_WINDOW_FRAMES * 1000) / spanMs : Number.POSITIVE_INFINITY
    if (fps < this.#targetFps * THRESHOLD_BEHIND) {
      this.#value = Math.min(this.#max, this.#value + THRESHOLD_RAISE)
    } else if (fps >= this.#targetFps * THRESHOLD_KEEPING_UP) {
      this.#value = Math.max(0, this.#value - THRESHOLD_LOWER)
    }
  }
}
