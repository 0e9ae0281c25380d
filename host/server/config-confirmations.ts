// The configs the host sent with an id and waits to hear about: the device answers errors with that id for the
// parts it refused, then `configured {id, ok}`; a device that never answers (older firmware) times out.
import type { ErrorCode } from '../../schema/index.ts'

export interface DeviceRefusal {
  code: ErrorCode
  reason: string
}

export type ConfigOutcome =
  | { kind: 'confirmed' }
  /** The device refused part of it; its errors with the config's id, in the order it sent them. */
  | { kind: 'refused'; errors: DeviceRefusal[] }
  /** No answer in time: the device may not confirm configs at all. */
  | { kind: 'unanswered' }
  /** The session ended before the device answered. */
  | { kind: 'closed' }

interface Waiting {
  errors: DeviceRefusal[]
  settle: (outcome: ConfigOutcome) => void
}

/** Ids are per host, so an answer for one session's config is never taken for another's. */
export class ConfigConfirmations<S> {
  readonly #waiting = new Map<S, Map<number, Waiting>>()
  #nextId = 1

  /** A new id for a config about to go to `session`, and the promise of what the device says within `timeoutMs`. */
  start(session: S, timeoutMs: number): { id: number; outcome: Promise<ConfigOutcome> } {
    const id = this.#nextId
    this.#nextId = this.#nextId >= 0xffff_ffff ? 1 : this.#nextId + 1
    let byId = this.#waiting.get(session)
    if (byId === undefined) {
      byId = new Map()
      this.#waiting.set(session, byId)
    }
    const waiting = byId
    const outcome = new Promise<ConfigOutcome>((resolve) => {
      const timer = setTimeout(() => this.#settle(session, id, { kind: 'unanswered' }), timeoutMs)
      waiting.set(id, {
        errors: [],
        settle: (result) => {
          clearTimeout(timer)
          resolve(result)
        },
      })
    })
    return { id, outcome }
  }

  /** An error frame from `session` with `id`; true when it answers a config waiting here. */
  error(session: S, id: number, refusal: DeviceRefusal): boolean {
    const waiting = this.#waiting.get(session)?.get(id)
    if (waiting === undefined) return false
    waiting.errors.push(refusal)
    return true
  }

  /** `configured {id, ok}` from `session`. */
  configured(session: S, id: number, ok: boolean): void {
    const waiting = this.#waiting.get(session)?.get(id)
    if (waiting === undefined) return
    // A device that says ok after refusing a part has still refused it.
    this.#settle(session, id, ok && waiting.errors.length === 0 ? { kind: 'confirmed' } : { kind: 'refused', errors: waiting.errors })
  }

  /** The session ended: nothing it was sent will be confirmed now. */
  closed(session: S): void {
    for (const id of [...(this.#waiting.get(session)?.keys() ?? [])]) this.#settle(session, id, { kind: 'closed' })
  }

  /** Configs waiting for an answer, over every session. */
  get size(): number {
    let size = 0
    for (const byId of this.#waiting.values()) size += byId.size
    return size
  }

  #settle(session: S, id: number, outcome: ConfigOutcome): void {
    const byId = this.#waiting.get(session)
    const waiting = byId?.get(id)
    if (byId === undefined || waiting === undefined) return
    byId.delete(id)
    if (byId.size === 0) this.#waiting.delete(session)
    waiting.settle(outcome)
  }
}

/**
 * The field a device's refusal names, as the REST API names fields (`screens.1.output`): the firmware starts its
 * reasons with the path it refused, `screens[1].output: ...`.
 */
export const fieldOfRefusal = (reason: string): string | undefined => {
  const match = /^([a-z_]+(?:\[\d+\]|\.[a-z_]+)*):\s/.exec(reason)
  return match?.[1]?.replace(/\[(\d+)\]/g, '.$1')
}
