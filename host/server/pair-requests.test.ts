import { describe, expect, it } from 'bun:test'
import { DEFAULT_PAIR_LIMITS, PairRequests } from './pair-requests.ts'

const LIMITS = { maxRequests: 2, perAddress: 2, perAddressRefillMs: 60_000, expireMs: 1_000 }
const board = (device: string, address = '10.0.0.1') => ({ device, chip: 'sim' as const, firmware: '1.0', address })

describe('PairRequests', () => {
  it('lists requests oldest first and replaces a board that asks again, giving back its old waiter', () => {
    const clock = { t: 0 }
    const requests = new PairRequests<string>(LIMITS, () => clock.t)
    expect(requests.ask(board('a'), 'socket-1', 0)).toEqual({ ok: true, replaced: undefined })
    expect(requests.ask(board('b', '10.0.0.2'), 'socket-2', 10)).toEqual({ ok: true, replaced: undefined })
    expect(requests.ask(board('a'), 'socket-3', 20)).toEqual({ ok: true, replaced: 'socket-1' })
    expect(requests.list()).toEqual([
      { ...board('b', '10.0.0.2'), since: new Date(10).toISOString() },
      { ...board('a'), since: new Date(20).toISOString() },
    ])
  })

  it('refuses a request under a waiting id from another address, counts it against that address, and keeps the first', () => {
    const requests = new PairRequests<string>(LIMITS, () => 0)
    requests.ask(board('a'), 'socket-1', 0)
    expect(requests.ask(board('a', '10.0.0.66'), 'impostor', 5)).toEqual({
      ok: false,
      code: 'unauthorized',
      reason: "a board 'a' is already waiting to pair from another address; deny it on the host first if this is the same board",
    })
    expect(requests.list()).toEqual([{ ...board('a'), since: new Date(0).toISOString() }])
    expect(requests.take('a')?.waiter).toBe('socket-1')
    // The refusal used one of that address's two new requests: one more, and it is out of allowance.
    requests.ask(board('a'), 'socket-1', 10)
    expect(requests.ask(board('a', '10.0.0.66'), 'impostor', 10)).toMatchObject({ ok: false, code: 'unauthorized' })
    expect(requests.ask(board('z', '10.0.0.66'), 'impostor', 10)).toMatchObject({ ok: false, code: 'rate_limited' })
  })

  it('waits ten minutes for an answer by default', () => {
    expect(DEFAULT_PAIR_LIMITS.expireMs).toBe(600_000)
  })

  it('refuses a new request while the list is full, and more new requests from one address than its allowance', () => {
    const clock = { t: 0 }
    const requests = new PairRequests<string>(LIMITS, () => clock.t)
    requests.ask(board('a'), 'x', 0)
    requests.ask(board('b'), 'y', 0)
    expect(requests.ask(board('c', '10.0.0.9'), 'z', 0)).toMatchObject({ ok: false, code: 'rate_limited', reason: expect.stringContaining('2 boards are waiting') })
    requests.take('a')
    requests.take('b')
    expect(requests.ask(board('c'), 'z', 0)).toMatchObject({ ok: false, code: 'rate_limited', reason: 'too many pairing requests from this address; try again in 30 s' })
    clock.t = 30_000
    expect(requests.ask(board('c'), 'z', 30_000).ok).toBe(true)
  })

  it('expires requests, takes one for an answer, and drops one whose board went away', () => {
    const requests = new PairRequests<string>(LIMITS, () => 0)
    requests.ask(board('a'), 'x', 0)
    requests.ask(board('b', '10.0.0.2'), 'y', 500)
    expect(requests.expire(999)).toEqual([])
    expect(requests.expire(1_000)).toEqual(['x'])
    expect(requests.drop('nobody')).toBe(false)
    expect(requests.drop('y')).toBe(true)
    expect(requests.size).toBe(0)
    expect(requests.take('b')).toBeUndefined()
  })
})
