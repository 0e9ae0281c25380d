// The calibration wizard's hold on one analog output: the newest code PUT to …/outputs/:output/hold and renewed
// before the host's 5 s lease lapses, then one DELETE when let go. One request at a time and only the newest wish
// sent, so nudges cannot arrive out of order and a release never overtakes a hold still on its way (which would keep
// the needle held for another lease after the wizard closed).
import { callHost, reasonOf } from './host-link.ts'

/** How often the hold is renewed; the host gives each hold a 5 s lease. */
export const RENEW_MS = 2_000

/** What the page wants of the output: a code held, or the output let go. */
type Wish = { code: number } | 'release'

export class OutputHold {
  readonly #token: string
  readonly #path: string
  readonly #onProblem: (problem: string) => void
  #wish: Wish | null = null
  #pending = false
  #sending = false
  #released = false
  #renew: ReturnType<typeof setInterval> | undefined

  /** `onProblem` hears why the output is not held ('' once it is), never after `release`. */
  constructor(token: string, device: string, output: string, onProblem: (problem: string) => void) {
    this.#token = token
    this.#path = `/api/devices/${encodeURIComponent(device)}/outputs/${encodeURIComponent(output)}/hold`
    this.#onProblem = onProblem
  }

  /** Holds the output at `code` now and keeps renewing it. */
  hold(code: number): void {
    if (this.#released) return
    this.#wish = { code }
    if (this.#renew === undefined) this.#renew = setInterval(() => this.#send(), RENEW_MS)
    this.#send()
  }

  /** Lets the output go back to live figures, after any hold still on its way; the hold is spent afterwards. */
  release(): void {
    if (this.#released) return
    this.#released = true
    clearInterval(this.#renew)
    this.#renew = undefined
    if (this.#wish === null) return
    this.#wish = 'release'
    this.#send()
  }

  #send(): void {
    this.#pending = true
    if (!this.#sending) void this.#drain()
  }

  async #drain(): Promise<void> {
    this.#sending = true
    while (this.#pending) {
      this.#pending = false
      const wish = this.#wish
      if (wish === null) break
      try {
        const answer = wish === 'release' ? await callHost(this.#token, 'DELETE', this.#path) : await callHost(this.#token, 'PUT', this.#path, wish)
        if (!this.#released) this.#onProblem(answer.status >= 200 && answer.status < 300 ? '' : `The needle is not held: ${reasonOf(answer)}`)
      } catch (error) {
        if (!this.#released) this.#onProblem(`The needle is not held: ${(error as Error).message}`)
      }
    }
    this.#sending = false
  }
}
