import { describe, expect, it } from 'bun:test'
import { hostReducer, initialState } from './host-state.ts'

describe('what the page knows of the host', () => {
  it('appends each new frame to its sparkline once, after the seeded history', () => {
    const now = 1_000_000
    let state = hostReducer(initialState, { type: 'link', state: { kind: 'live', since: now } })
    state = hostReducer(state, { type: 'history', data: { vram: { interval_ms: 1000, values: [10, null, 30], ts: now - 1000 } }, now })
    expect(state.history.vram).toEqual({ times: [(now - 3000) / 1000, (now - 2000) / 1000, (now - 1000) / 1000], values: [10, null, 30] })
    const frame = { type: 'vram', value: 40, seq: 5, ts: now }
    state = hostReducer(state, { type: 'event', name: 'metrics', data: { vram: frame }, now })
    state = hostReducer(state, { type: 'event', name: 'metrics', data: { vram: frame }, now: now + 100 })
    expect(state.history.vram?.values).toEqual([10, null, 30, 40])
    expect(state.metrics.vram?.value).toBe(40)
  })

  it('keeps only the last minutes', () => {
    let state = initialState
    for (let i = 0; i < 400; i++) state = hostReducer(state, { type: 'event', name: 'metrics', data: { cpu: { type: 'cpu', value: i % 100, seq: i, ts: i * 1000 } }, now: i * 1000 })
    expect(state.history.cpu?.times.length).toBe(301)
  })

  it('forgets the figures when the stream drops, so none pass for live', () => {
    let state = hostReducer(initialState, { type: 'event', name: 'metrics', data: { vram: { type: 'vram', value: 40, seq: 1 } }, now: 0 })
    state = hostReducer(state, { type: 'link', state: { kind: 'reconnecting', attempt: 1, reason: 'closed' } })
    expect(state.metrics).toEqual({})
  })
})
