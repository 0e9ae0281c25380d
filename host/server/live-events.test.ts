import { describe, expect, it } from 'bun:test'
import type { EventKind, Subscriber, Timers } from './live-events.ts'
import { LiveEvents } from './live-events.ts'

/** A clock the test moves: timers fire when it passes them. */
class FakeTimers implements Timers {
  t = 0
  #next = 1
  readonly #timeouts = new Map<number, { at: number; run: () => void }>()
  readonly #intervals = new Map<number, { every: number; at: number; run: () => void }>()
  now = (): number => this.t
  setTimeout = (run: () => void, ms: number): unknown => {
    const id = this.#next++
    this.#timeouts.set(id, { at: this.t + ms, run })
    return id
  }
  clearTimeout = (handle: unknown): void => void this.#timeouts.delete(handle as number)
  setInterval = (run: () => void, ms: number): unknown => {
    const id = this.#next++
    this.#intervals.set(id, { every: ms, at: this.t + ms, run })
    return id
  }
  clearInterval = (handle: unknown): void => void this.#intervals.delete(handle as number)
  get pending(): number {
    return this.#timeouts.size + this.#intervals.size
  }
  advance(ms: number): void {
    const end = this.t + ms
    for (;;) {
      const due = [...this.#timeouts.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0]
      const tick = [...this.#intervals.values()].filter((i) => i.at <= end).sort((a, b) => a.at - b.at)[0]
      if (due === undefined && tick === undefined) break
      if (due !== undefined && (tick === undefined || due[1].at <= tick.at)) {
        this.t = due[1].at
        this.#timeouts.delete(due[0])
        due[1].run()
      } else if (tick !== undefined) {
        this.t = tick.at
        tick.at += tick.every
        tick.run()
      }
    }
    this.t = end
  }
}

const page = (): Subscriber & { got: string[] } => {
  const got: string[] = []
  return { got, event: (kind, data) => got.push(`${kind} ${data}`), comment: (text) => got.push(`: ${text}`) }
}

const setUp = () => {
  const timers = new FakeTimers()
  const counts: Record<EventKind, number> = { metrics: 0, devices: 0, pairing: 0, credentials: 0 }
  const events = new LiveEvents({ snapshot: (kind) => ({ kind, n: counts[kind]++ }), timers })
  return { timers, events }
}

describe('LiveEvents', () => {
  it('sends hello and every kind at once to a new page', () => {
    const { events } = setUp()
    const a = page()
    events.subscribe(a, { version: 'x' })
    expect(a.got).toEqual(['hello {"version":"x"}', 'metrics {"kind":"metrics","n":0}', 'devices {"kind":"devices","n":0}', 'pairing {"kind":"pairing","n":0}', 'credentials {"kind":"credentials","n":0}'])
  })

  it('pushes a change at once, then at most one per 100 ms per kind, the newest state', () => {
    const { events, timers } = setUp()
    const a = page()
    events.subscribe(a, {})
    a.got.length = 0
    events.changed('metrics')
    expect(a.got).toEqual(['metrics {"kind":"metrics","n":1}'])
    for (let i = 0; i < 50; i++) events.changed('metrics')
    events.changed('devices')
    expect(a.got).toHaveLength(2)
    timers.advance(99)
    expect(a.got).toHaveLength(2)
    timers.advance(1)
    expect(a.got).toEqual(['metrics {"kind":"metrics","n":1}', 'devices {"kind":"devices","n":1}', 'metrics {"kind":"metrics","n":2}'])
  })

  it('writes a keep-alive comment every 15 s while a page listens, and runs no timer once none does', () => {
    const { events, timers } = setUp()
    expect(events.ticking).toBe(false)
    events.changed('metrics')
    expect(timers.pending).toBe(0)
    const a = page()
    const b = page()
    const leaveA = events.subscribe(a, {})
    const leaveB = events.subscribe(b, {})
    timers.advance(15_000)
    expect(a.got.at(-1)).toBe(': keep-alive')
    events.changed('metrics')
    events.changed('metrics')
    leaveA()
    expect(events.ticking).toBe(true)
    leaveB()
    expect(events.ticking).toBe(false)
    expect(timers.pending).toBe(0)
    expect(events.subscribers).toBe(0)
  })

  it('drops a page whose writes fail and keeps serving the others', () => {
    const { events } = setUp()
    const a = page()
    events.subscribe(a, {})
    // Its first writes pass; the push after fails and removes it.
    let failing = false
    const flaky: Subscriber = {
      event: () => {
        if (failing) throw new Error('gone')
      },
      comment: () => {},
    }
    events.subscribe(flaky, {})
    failing = true
    events.changed('devices')
    expect(events.subscribers).toBe(1)
    expect(a.got.at(-1)).toStartWith('devices')
  })
})
