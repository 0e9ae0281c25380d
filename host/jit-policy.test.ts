import { describe, expect, it } from 'bun:test'
import { IDLE_JIT_POLICY, JitPolicy } from './jit-policy.ts'

/** A policy with the given idle scale, and every scale it sets, in order. */
const recorded = (idle: number): { policy: JitPolicy; set: number[] } => {
  const set: number[] = []
  return { policy: new JitPolicy(idle, (scale) => set.push(scale)), set }
}

describe('JitPolicy', () => {
  it('sets the normal thresholds when the first busy thing begins and the idle scale when the last one ends', () => {
    const { policy, set } = recorded(16)
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
    const { policy, set } = recorded(16)
    policy.idle()
    policy.busy()
    expect(set).toEqual([1])
  })

  it('changes nothing when the idle scale is the normal one (from source)', () => {
    const { policy, set } = recorded(1)
    policy.busy()
    policy.idle()
    expect(set).toEqual([])
    expect(IDLE_JIT_POLICY).toBe(1)
  })
})
