import { describe, expect, it } from 'bun:test'
import { AdaptiveThreshold, THRESHOLD_LOWER, THRESHOLD_RAISE, THRESHOLD_WINDOW_FRAMES } from './threshold.ts'

const frames = (threshold: AdaptiveThreshold, from: number, count: number, everyMs: number): number => {
  let at = from
  for (let i = 0; i < count; i++, at += everyMs) threshold.frameSent(at)
  return at
}

describe('adaptive threshold', () => {
  it('stays lossless when its maximum is 0, however slow the frames', () => {
    const threshold = new AdaptiveThreshold(0, 30)
    frames(threshold, 0, 100, 1_000)
    expect(threshold.value).toBe(0)
  })

  it('starts lossless and waits for a full window of frame times', () => {
    const threshold = new AdaptiveThreshold(20, 30)
    frames(threshold, 0, THRESHOLD_WINDOW_FRAMES, 100)
    expect(threshold.value).toBe(0)
    threshold.frameSent(THRESHOLD_WINDOW_FRAMES * 100)
    expect(threshold.value).toBe(THRESHOLD_RAISE)
  })

  it('rises while frames fall behind the target and stops at its maximum', () => {
    const threshold = new AdaptiveThreshold(7, 30)
    frames(threshold, 0, 40, 50) // 20 FPS against 30
    expect(threshold.value).toBe(7)
  })

  it('falls back to lossless once frames keep up again', () => {
    const threshold = new AdaptiveThreshold(20, 30)
    const at = frames(threshold, 0, 30, 50)
    expect(threshold.value).toBe(20)
    frames(threshold, at, 60, 1000 / 30)
    expect(threshold.value).toBe(0)
    expect(THRESHOLD_LOWER).toBeLessThan(THRESHOLD_RAISE)
  })

  it('holds between 90 % and 95 % of the target rate', () => {
    const threshold = new AdaptiveThreshold(20, 30)
    let at = frames(threshold, 0, 13, 50)
    const reached = threshold.value
    expect(reached).toBeGreaterThan(0)
    // 10 frames at 27.8 FPS flush the window of slow ones, then 20 more hold.
    at = frames(threshold, at, 10, 1000 / 27.8)
    const held = threshold.value
    frames(threshold, at, 20, 1000 / 27.8)
    expect(threshold.value).toBe(held)
  })

  it('counts a frame time with nothing to send as keeping up, so a still screen does not raise it', () => {
    const threshold = new AdaptiveThreshold(20, 30)
    for (let i = 0; i < 100; i++) {
      const at = i * (1000 / 30)
      if (i % 30 === 0) threshold.frameSent(at)
      else threshold.frameUnchanged(at)
    }
    expect(threshold.value).toBe(0)
  })

  it('steps down and forgets the frame times before a nap, so the long gaps of a nap never raise it', () => {
    const threshold = new AdaptiveThreshold(20, 30)
    const at = frames(threshold, 0, 30, 50)
    expect(threshold.value).toBe(20)
    threshold.still()
    expect(threshold.value).toBe(20 - THRESHOLD_LOWER)
    // The first frames after the nap, at the target rate, would count the nap's gap without the reset.
    frames(threshold, at + 5_000, THRESHOLD_WINDOW_FRAMES + 1, 1000 / 30)
    expect(threshold.value).toBe(20 - 2 * THRESHOLD_LOWER)
  })
})
