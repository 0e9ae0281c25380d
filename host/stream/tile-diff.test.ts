import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { holds } from '../../schema/fuzz/property.ts'
import type { Frame565, Rect } from './frame.ts'
import { applyRects, createFrame } from './frame.ts'
import { anyFrame, changedFrame } from './test-frames.ts'
import { COMPRESSED_PIXEL_BYTES, RAW_PIXEL_BYTES, RECT_OVERHEAD_BYTES, diffRects, differsBeyond, pixelBytesFor } from './tile-diff.ts'

const covered = (rects: readonly Rect[], x: number, y: number): boolean =>
  rects.some((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height)

const inside = (frame: Frame565, r: Rect): boolean =>
  r.width >= 1 && r.height >= 1 && r.x >= 0 && r.y >= 0 && r.x + r.width <= frame.width && r.y + r.height <= frame.height

const pair = fc.record({ threshold: fc.integer({ min: 0, max: 3 }), pixelBytes: fc.constantFrom(0.1, 0.5, 2) }).chain(({ threshold, pixelBytes }) =>
  anyFrame().chain((shown) => changedFrame(shown).map((next) => ({ shown, next, threshold, pixelBytes }))),
)

describe('tile diff', () => {
  it('sends the whole frame when the device shows nothing yet, or another size', () => {
    const next = createFrame(320, 240)
    expect(diffRects(undefined, next)).toEqual([{ x: 0, y: 0, width: 320, height: 240 }])
    expect(diffRects(createFrame(240, 240), next)).toEqual([{ x: 0, y: 0, width: 320, height: 240 }])
  })

  it('sends nothing when nothing changed', () => {
    expect(diffRects(createFrame(320, 240), createFrame(320, 240))).toEqual([])
  })

  it('sends one small change as one small rectangle, not a bounding box of the frame', () => {
    const shown = createFrame(320, 240)
    const next = createFrame(320, 240)
    for (let y = 100; y < 112; y++) for (let x = 250; x < 258; x++) next.pixels[y * 320 + x] = 0xffff
    expect(diffRects(shown, next)).toEqual([{ x: 250, y: 100, width: 8, height: 12 }])
  })

  it('keeps two distant changes apart and joins a change that straddles tiles', () => {
    const shown = createFrame(320, 240)
    const next = createFrame(320, 240)
    next.pixels[5 * 320 + 5] = 1
    next.pixels[230 * 320 + 310] = 1
    for (let x = 10; x < 40; x++) next.pixels[120 * 320 + x] = 2
    const rects = diffRects(shown, next)
    expect(rects).toHaveLength(3)
    expect(rects).toContainEqual({ x: 5, y: 5, width: 1, height: 1 })
    expect(rects).toContainEqual({ x: 310, y: 230, width: 1, height: 1 })
    expect(rects).toContainEqual({ x: 10, y: 120, width: 30, height: 1 })
  })

  it('merges nearby changes when one rectangle costs less than two headers', () => {
    const shown = createFrame(64, 64)
    const next = createFrame(64, 64)
    next.pixels[0] = 1
    next.pixels[20] = 1 // 20 pixels apart: 40 bytes of filler against a header of RECT_OVERHEAD_BYTES
    expect(RECT_OVERHEAD_BYTES).toBeGreaterThan(40)
    expect(diffRects(shown, next)).toEqual([{ x: 0, y: 0, width: 21, height: 1 }])
  })

  it('merges further where the device decodes a compressed encoding', () => {
    const shown = createFrame(64, 64)
    const next = createFrame(64, 64)
    next.pixels[0] = 1
    next.pixels[64 + 36] = 1 // at 36,1: a 37x2 union, 148 bytes raw or 37 compressed, against one more header
    expect(diffRects(shown, next, 0, pixelBytesFor(['raw565']))).toHaveLength(2)
    expect(diffRects(shown, next, 0, pixelBytesFor(['raw565', 'lz4_565']))).toEqual([{ x: 0, y: 0, width: 37, height: 2 }])
    expect(pixelBytesFor(['raw565', 'rle565'])).toBe(COMPRESSED_PIXEL_BYTES)
    expect(pixelBytesFor(['raw565'])).toBe(RAW_PIXEL_BYTES)
  })

  it('ignores per-channel changes up to the threshold', () => {
    const shown = createFrame(32, 32)
    const next = createFrame(32, 32)
    next.pixels[0] = (2 << 11) | (2 << 5) | 2
    expect(differsBeyond(0, next.pixels[0] as number, 2)).toBe(false)
    expect(diffRects(shown, next, 2)).toEqual([])
    expect(diffRects(shown, next, 1)).toEqual([{ x: 0, y: 0, width: 1, height: 1 }])
  })

  it('covers every changed pixel with rectangles inside the frame, and at threshold 0 applying them gives the new frame', () => {
    holds(
      'diffRects covers changes',
      fc.property(pair, ({ shown, next, threshold, pixelBytes }) => {
        const rects = diffRects(shown, next, threshold, pixelBytes)
        for (const rect of rects) if (!inside(next, rect)) return false
        for (let y = 0; y < next.height; y++) {
          for (let x = 0; x < next.width; x++) {
            const at = y * next.width + x
            if (differsBeyond(shown.pixels[at] as number, next.pixels[at] as number, threshold) && !covered(rects, x, y)) return false
          }
        }
        if (threshold > 0) return true
        const applied = { ...shown, pixels: shown.pixels.slice() }
        applyRects(applied, next, rects)
        return applied.pixels.every((pixel, i) => pixel === next.pixels[i])
      }),
    )
  })
})
