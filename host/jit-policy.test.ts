import { describe, expect, it } from 'bun:test'
import { IDLE_JIT_POLICY, JitPolicy } from './jit-policy.ts'

describe('JitPolicy', () => {
  it('sets the normal thresholds when the first busy thing begins and the idle scale when the last one ends', () => {
    const set: number[] = []
    const policy = new JitPolicy(16, (scale) => set.push(scale))
    policy.busy()
    policy.busy()
    expect(set).toEqual([1])
    policy.idle()
    expect(set).toEqual([1])
    policy.idle()
    expect(set).toEqual([1, 16])
    policy.busy()
    expect(set).toEqual([1, 16, 1])
  })

  it('ignores an end with nothing begun, so a stray end cannot leave the count below zero', () => {
    const set: number[] = []
    const policy = new JitPolicy(16, (scale) => set.push(scale))
    policy.idle()
    policy.busy()
    expect(set).toEqual([1])
  })

  it('changes nothing when the idle scale is the normal one (from source)', () => {
    const set: number[] = []
    const policy = new JitPolicy(1, (scale) => set.push(scale))
    policy.busy()
    policy.idle()
    expect(set).toEqual([])
    expect(IDLE_JIT_POLICY).toBe(1)
  })
})
