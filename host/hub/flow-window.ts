// Flow control for one stream to one device: at most `size` frames unacknowledged, the newest of each key waiting.

/** What an offer did: the item to send now, if the window had room, and whether an older waiting item was replaced. */
export interface Offered<T> {
  send: T | undefined
  superseded: boolean
}

/** A frame sent and not yet acknowledged, or one waiting for the window to open. */
interface Entry<T> {
  key: string
  seq: number
  item: T
}

/**
 * A credit window, sans-IO: the caller offers numbered items and sends what comes back; the device's `applied`
 * acknowledges by seq. An acknowledgement covers the frame with that seq and every frame sent before it (the device
 * applies in the order it receives), so a device may batch them. While the window is full only the newest item of
 * each key waits, so a stalled device costs one item per key, never a backlog.
 */
export class FlowWindow<T> {
  readonly size: number
  /** In the order sent, which is the order the device receives them. */
  readonly #inFlight: Entry<T>[] = []
  readonly #waiting = new Map<string, Entry<T>>()

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a flow window holds at least one frame, not ${size}`)
    this.size = size
  }

  /** Frames sent and not yet acknowledged. */
  get inFlight(): number {
    return this.#inFlight.length
  }

  /** Keys with an item waiting for the window to open. */
  get waiting(): number {
    return this.#waiting.size
  }

  /** Offers the newest item of `key`: sent now if the window has room, else it waits in place of any older one. */
  offer(key: string, seq: number, item: T): Offered<T> {
    if (this.#inFlight.length < this.size && this.#waiting.size === 0) {
      this.#inFlight.push({ key, seq, item })
      return { send: item, superseded: false }
    }
    const superseded = this.#waiting.delete(key)
    this.#waiting.set(key, { key, seq, item })
    return { send: undefined, superseded }
  }

  /**
   * The device applied the frame numbered `seq`: it and every frame sent before it leave the window, and the
   * waiting items that now fit are returned, oldest offer first, to be sent. A seq not in flight (late or repeated)
   * changes nothing.
   */
  applied(seq: number): T[] {
    // The earliest match: a seq sent twice (a re-seed) is acknowledged no further than the device can have read.
    const index = this.#inFlight.findIndex((entry) => entry.seq === seq)
    if (index < 0) return []
    this.#inFlight.splice(0, index + 1)
    const send: T[] = []
    for (const [key, entry] of this.#waiting) {
      if (this.#inFlight.length >= this.size) break
      this.#waiting.delete(key)
      this.#inFlight.push(entry)
      send.push(entry.item)
    }
    return send
  }
}
