import { describe, expect, it } from 'bun:test'
import { buildColourLut, convertBgrx, rgb565 } from './colour.ts'

// RGB565 by the usual truncation, written out here rather than taken from the module.
const truncated = (r: number, g: number, b: number): number => ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3)

describe('colour correction', () => {
  it('turns 8-bit channels into RGB565 by truncation when nothing is corrected', () => {
    const lut = buildColourLut()
    for (let v = 0; v < 256; v++) {
      expect(rgb565(lut, v, 0, 0)).toBe(truncated(v, 0, 0))
      expect(rgb565(lut, 0, v, 0)).toBe(truncated(0, v, 0))
      expect(rgb565(lut, 0, 0, v)).toBe(truncated(0, 0, v))
    }
    expect(rgb565(lut, 255, 255, 255)).toBe(0xffff)
  })

  it('gives every RGB565 value back from its 8-bit expansion', () => {
    const lut = buildColourLut()
    for (let pixel = 0; pixel < 0x10000; pixel += 7) {
      const r = pixel >> 11
      const g = (pixel >> 5) & 63
      const b = pixel & 31
      expect(rgb565(lut, (r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2))).toBe(pixel)
    }
  })

  it('applies gamma as the seed does, out = 255·(in/255)^γ, darkening the midtones for γ > 1', () => {
    const lut = buildColourLut({ gamma: 2.2 })
    // 255·(128/255)^2.2 = 56.0: red 7 of 31, green 14 of 63.
    expect(rgb565(lut, 128, 128, 128)).toBe(truncated(56, 56, 56))
    expect(rgb565(lut, 0, 0, 0)).toBe(0)
    expect(rgb565(lut, 255, 255, 255)).toBe(0xffff)
    const brighter = buildColourLut({ gamma: 0.5 })
    // 255·(64/255)^0.5 = 127.7 → 128.
    expect(rgb565(brighter, 64, 64, 64)).toBe(truncated(128, 128, 128))
  })

  it('applies white balance gains after gamma and clips at full scale', () => {
    const lut = buildColourLut({ gamma: 2.2, whiteBalance: { red: 0.5, green: 1, blue: 2 } })
    expect(rgb565(lut, 128, 128, 128)).toBe(truncated(28, 56, 112))
    expect(rgb565(lut, 255, 255, 255)).toBe(truncated(128, 255, 255))
  })

  it('refuses a gamma that is not positive', () => {
    expect(() => buildColourLut({ gamma: 0 })).toThrow(/gamma 0/)
  })

  it('converts BGRX rows with a padded stride', () => {
    const lut = buildColourLut()
    // Two rows of two pixels in rows of three (the third is padding that must not be read).
    const source = new Uint32Array([0x00ff0000, 0x0000ff00, 0xdeadbeef, 0x000000ff, 0x00808080, 0xdeadbeef])
    const target = new Uint16Array(4)
    convertBgrx(lut, source, 3, 2, 2, target)
    expect([...target]).toEqual([0xf800, 0x07e0, 0x001f, truncated(0x80, 0x80, 0x80)])
  })
})
