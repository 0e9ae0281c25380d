import { describe, expect, it } from 'bun:test'
import { ManualTimers } from '../../tests/fixtures/manual-timers.ts'
import { until } from '../../tests/fixtures/until.ts'
import { KeepAlive } from './keep-alive.ts'

describe('KeepAlive', () => {
  it('beats a period after it starts and each period after, while nothing is sent', () => {
    const timers = new ManualTimers()
    const beats: number[] = []
    new KeepAlive(1_500, () => beats.push(timers.now), timers)
    timers.advance(5_000)
    expect(beats).toEqual([1_500, 3_000, 4_500])
  })

  it('is put off a full period by every send, without a wake-up', () => {
    const timers = new ManualTimers()
    const beats: number[] = []
    const keepAlive = new KeepAlive(1_500, () => beats.push(timers.now), timers)
    for (let i = 0; i < 100; i++) {
      timers.advance(1_000)
      keepAlive.sent()
    }
    expect(beats).toEqual([])
    expect(timers.fired).toBe(0)
    timers.advance(1_500)
    expect(beats).toEqual([101_500])
  })

  it('counts a new period from when it was set, and keeps the period it has when told the same', () => {
    const timers = new ManualTimers()
    const beats: number[] = []
    const keepAlive = new KeepAlive(10_000, () => beats.push(timers.now), timers)
    timers.advance(4_000)
    keepAlive.setPeriod(1_000)
    expect(keepAlive.periodMs).toBe(1_000)
    timers.advance(1_500)
    expect(beats).toEqual([5_000])
    keepAlive.setPeriod(1_000)
    timers.advance(500)
    expect(beats).toEqual([5_000, 6_000])
  })

  it('beats no more once stopped, whatever is sent or set after', () => {
    const timers = new ManualTimers()
    let beats = 0
    const keepAlive = new KeepAlive(1_000, () => beats++, timers)
    keepAlive.stop()
    keepAlive.sent()
    keepAlive.setPeriod(500)
    timers.advance(10_000)
    expect(beats).toBe(0)
    expect(timers.armed).toBe(0)
  })

  it('stays armed through a beat that sends nothing', () => {
    const timers = new ManualTimers()
    let beats = 0
    new KeepAlive(1_000, () => beats++, timers)
    timers.advance(3_000)
    expect(beats).toBe(3)
    expect(timers.armed).toBe(1)
  })

  it('tells a beat that throws to its error handler and beats again a period later', () => {
    const timers = new ManualTimers()
    const errors: string[] = []
    let beats = 0
    new KeepAlive(
      1_000,
      () => {
        beats += 1
        throw new Error('the socket is gone')
      },
      timers,
      (error) => errors.push((error as Error).message),
    )
    timers.advance(2_000)
    expect(beats).toBe(2)
    expect(errors).toEqual(['the socket is gone', 'the socket is gone'])
  })

  it("behaves so on Bun's own timers: every beat comes a full period after the newest send before it, and again after it", async () => {
    const periodMs = 80
    const sends: number[] = []
    const beats: number[] = []
    const keepAlive = new KeepAlive(periodMs, () => beats.push(performance.now()))
    try {
      sends.push(performance.now())
      for (const end = performance.now() + 4 * periodMs; performance.now() < end; ) {
        await Bun.sleep(periodMs / 4)
        keepAlive.sent()
        sends.push(performance.now())
      }
      const lastSent = sends.at(-1) as number
      await until('two beats after the sends', () => beats.filter((at) => at > lastSent).length >= 2, 5_000)
      // Bun never fires a timer early; a stall of the test may let a beat come between sends, never sooner.
      for (const beat of beats) {
        const before = sends.filter((at) => at < beat).at(-1) as number
        expect(beat - before).toBeGreaterThanOrEqual(periodMs - 1)
      }
      // The beat re-armed itself: the second comes a period after the first.
      const [first, second] = beats.filter((at) => at > lastSent) as [number, number]
      expect(second - first).toBeGreaterThanOrEqual(periodMs - 1)
    } finally {
      keepAlive.stop()
    }
  })
})
