import { describe, expect, it } from 'bun:test'
import { until } from '../../tests/fixtures/until.ts'
import { Housekeeper } from './housekeeper.ts'


describe('the housekeeping edge', () => {
  it('runs the work when it is due, then when the work says it is next due, and sleeps once nothing waits', async () => {
    const runs: number[] = []
    const dues = [40, 30, Number.POSITIVE_INFINITY]
    const keeper = new Housekeeper((now) => {
      runs.push(now)
      const after = dues[runs.length - 1] ?? Number.POSITIVE_INFINITY
      return now + after
    })
    try {
      const start = Date.now()
      keeper.due(start + 30)
      await until('three runs', () => runs.length === 3)
      // Never before it was due (timers fire late, never early).
      expect((runs[0] as number) - start).toBeGreaterThanOrEqual(30)
      expect((runs[1] as number) - (runs[0] as number)).toBeGreaterThanOrEqual(40)
      expect((runs[2] as number) - (runs[1] as number)).toBeGreaterThanOrEqual(30)
      await Bun.sleep(150)
      expect(runs.length).toBe(3)
    } finally {
      keeper.stop()
    }
  })

  it('runs sooner when told of something due sooner, and ignores a later time', async () => {
    const runs: number[] = []
    const keeper = new Housekeeper((now) => {
      runs.push(now)
      return Number.POSITIVE_INFINITY
    })
    try {
      const start = Date.now()
      keeper.due(start + 5_000)
      keeper.due(start + 20)
      keeper.due(start + 10_000)
      await until('a run', () => runs.length === 1)
      expect((runs[0] as number) - start).toBeLessThan(1_000)
      await Bun.sleep(100)
      expect(runs.length).toBe(1)
    } finally {
      keeper.stop()
    }
  })

  it('keeps what the work itself said was due while it ran, when that is sooner than its answer', async () => {
    let runs = 0
    let keeper: Housekeeper | undefined
    keeper = new Housekeeper((now) => {
      runs += 1
      if (runs === 1) keeper?.due(now + 10)
      return now + 60_000
    })
    try {
      keeper.due(Date.now())
      await until('a second run', () => runs === 2)
    } finally {
      keeper.stop()
    }
  })

  it('keeps housekeeping armed when the work throws: the error is told, never thrown out of the timer, and the work runs again later', () => {
    const armed: number[] = []
    const pending: (() => void)[] = []
    const realSetTimeout = globalThis.setTimeout
    // The timer itself is the test's, so the run happens here, where the timer would make it.
    globalThis.setTimeout = ((run: () => void, ms: number) => {
      armed.push(ms)
      pending.push(run)
      return 0 as unknown as ReturnType<typeof setTimeout>
    }) as typeof setTimeout
    try {
      const errors: unknown[] = []
      const keeper = new Housekeeper(
        () => {
          throw new Error('a bug in the gate')
        },
        () => 1_000,
        (error) => errors.push(error),
      )
      keeper.due(1_000)
      expect(() => pending.shift()?.()).not.toThrow()
      expect(errors.map((error) => (error as Error).message)).toEqual(['a bug in the gate'])
      // Armed again, at the longest sleep.
      expect(armed).toEqual([0, 60_000])
      keeper.stop()
    } finally {
      globalThis.setTimeout = realSetTimeout
    }
  })

  it('runs nothing once stopped', async () => {
    let runs = 0
    const keeper = new Housekeeper(() => {
      runs += 1
      return Number.POSITIVE_INFINITY
    })
    keeper.due(Date.now() + 10)
    keeper.stop()
    keeper.due(Date.now())
    await Bun.sleep(60)
    expect(runs).toBe(0)
  })
})
