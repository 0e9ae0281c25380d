// Recorded frames for the stream benchmarks: a 320x240 region of a desktop at 20 Hz, drawn here with anti-aliased
// edges (fractional coverage) so they hold the in-between colours real screens do. The same frames for every scheme.
import { buildColourLut, rgb565 } from '../host/stream/colour.ts'
import type { Frame565 } from '../host/stream/frame.ts'

export const REGION_WIDTH = 320
export const REGION_HEIGHT = 240
/** The capture rate of the seed, whose figures these are set beside. */
export const CAPTURE_HZ = 20

export interface StreamScenario {
  name: string
  /** What the frames show, for the table. */
  about: string
  frames: Frame565[]
}

// 5x7 digits and a colon, one row per string.
const FONT: Record<string, string[]> = {
  '0': ['01110', '10001', '10011', '10101', '11001', '10001', '01110'],
  '1': ['00100', '01100', '00100', '00100', '00100', '00100', '01110'],
  '2': ['01110', '10001', '00001', '00010', '00100', '01000', '11111'],
  '3': ['11111', '00010', '00100', '00010', '00001', '10001', '01110'],
  '4': ['00010', '00110', '01010', '10010', '11111', '00010', '00010'],
  '5': ['11111', '10000', '11110', '00001', '00001', '10001', '01110'],
  '6': ['00110', '01000', '10000', '11110', '10001', '10001', '01110'],
  '7': ['11111', '00001', '00010', '00100', '01000', '01000', '01000'],
  '8': ['01110', '10001', '10001', '01110', '10001', '10001', '01110'],
  '9': ['01110', '10001', '10001', '01111', '00001', '00010', '01100'],
  ':': ['00000', '01100', '01100', '00000', '01100', '01100', '00000'],
}

/** An RGB888 canvas with coverage-blended drawing. */
class Canvas {
  readonly rgb = new Uint32Array(REGION_WIDTH * REGION_HEIGHT)

  fill(x: number, y: number, width: number, height: number, colour: number): void {
    for (let row = y; row < y + height; row++) this.rgb.fill(colour, row * REGION_WIDTH + x, row * REGION_WIDTH + x + width)
  }

  blend(x: number, y: number, coverage: number, colour: number): void {
    if (x < 0 || y < 0 || x >= REGION_WIDTH || y >= REGION_HEIGHT || coverage <= 0) return
    const at = y * REGION_WIDTH + x
    const under = this.rgb[at] as number
    const c = Math.min(1, coverage)
    const mix = (shift: number): number => Math.round(((under >> shift) & 255) * (1 - c) + ((colour >> shift) & 255) * c)
    this.rgb[at] = (mix(16) << 16) | (mix(8) << 8) | mix(0)
  }

  /** A rectangle with fractional edges: each pixel blended by the area it covers. */
  cover(x0: number, y0: number, x1: number, y1: number, colour: number): void {
    for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
      const dy = Math.min(y + 1, y1) - Math.max(y, y0)
      for (let x = Math.floor(x0); x < Math.ceil(x1); x++) this.blend(x, y, dy * (Math.min(x + 1, x1) - Math.max(x, x0)), colour)
    }
  }

  text(text: string, x: number, y: number, scale: number, colour: number): void {
    let left = x
    for (const char of text) {
      const glyph = FONT[char]
      if (glyph !== undefined) {
        glyph.forEach((bits, row) => {
          for (let col = 0; col < 5; col++) if (bits[col] === '1') this.cover(left + col * scale, y + row * scale, left + (col + 1) * scale, y + (row + 1) * scale, colour)
        })
      }
      left += 6 * scale
    }
  }

  /** An anti-aliased polyline of the given width through (x, ys[x - x0]). */
  line(x0: number, ys: readonly number[], width: number, colour: number): void {
    const half = width / 2
    const coverage = new Float32Array(REGION_WIDTH * REGION_HEIGHT)
    for (let i = 0; i + 1 < ys.length; i++) {
      const ax = x0 + i
      const ay = ys[i] as number
      const by = ys[i + 1] as number
      for (let y = Math.floor(Math.min(ay, by) - 2); y <= Math.ceil(Math.max(ay, by) + 2); y++) {
        for (let x = ax - 1; x <= ax + 2; x++) {
          // Distance from the pixel's centre to the segment (ax, ay)-(ax + 1, by).
          const px = x + 0.5 - ax
          const py = y + 0.5 - ay
          const dy = by - ay
          const t = Math.max(0, Math.min(1, (px + py * dy) / (1 + dy * dy)))
          const distance = Math.hypot(px - t, py - t * dy)
          const at = y * REGION_WIDTH + x
          if (x >= 0 && y >= 0 && x < REGION_WIDTH && y < REGION_HEIGHT) coverage[at] = Math.max(coverage[at] as number, Math.min(1, half + 0.5 - distance))
        }
      }
    }
    coverage.forEach((c, at) => this.blend(at % REGION_WIDTH, Math.floor(at / REGION_WIDTH), c, colour))
  }

  frame(): Frame565 {
    const lut = buildColourLut()
    const pixels = new Uint16Array(this.rgb.length)
    this.rgb.forEach((v, i) => (pixels[i] = rgb565(lut, (v >> 16) & 255, (v >> 8) & 255, v & 255)))
    return { width: REGION_WIDTH, height: REGION_HEIGHT, pixels }
  }
}

// A deterministic generator, so every run and every scheme sees the same frames.
const random = (seed: number): (() => number) => {
  let state = seed >>> 0 || 1
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 4_294_967_296
  }
}

// A desktop: a panel bar, a window with lines of small text, and a wallpaper of two colours.
const desktop = (canvas: Canvas, next: () => number): void => {
  canvas.fill(0, 0, REGION_WIDTH, REGION_HEIGHT, 0x2d3e50)
  canvas.fill(0, 0, REGION_WIDTH, 18, 0x1b1b1b)
  canvas.text('09:41', 270, 5, 1.4, 0xeeeeee)
  canvas.fill(8, 26, 180, 120, 0xf4f4f4)
  canvas.fill(8, 26, 180, 14, 0x3873b8)
  for (let row = 0; row < 9; row++) {
    let text = ''
    for (let i = 0; i < 24; i++) text += next() < 0.2 ? ' ' : String(Math.floor(next() * 10))
    canvas.text(text, 12, 46 + row * 11, 1.21, 0x202020)
  }
}

const staticScreen = (frames: number): StreamScenario => {
  const canvas = new Canvas()
  desktop(canvas, random(7))
  canvas.fill(200, 60, 110, 170, 0xdddddd)
  const frame = canvas.frame()
  return { name: 'static', about: 'a desktop where nothing changes', frames: Array.from({ length: frames }, () => frame) }
}

const clock = (frames: number): StreamScenario => {
  const background = new Canvas()
  desktop(background, random(11))
  const out: Frame565[] = []
  for (let i = 0; i < frames; i++) {
    const seconds = 12 * 3600 + 34 * 60 + 50 + Math.floor(i / CAPTURE_HZ)
    const time = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60].map((n) => String(n).padStart(2, '0')).join(':')
    const canvas = new Canvas()
    canvas.rgb.set(background.rgb)
    canvas.fill(20, 160, 280, 60, 0x101820)
    canvas.text(time, 30.4, 170.3, 5.3, 0x7fffd4)
    out.push(canvas.frame())
  }
  return { name: 'clock', about: `a ticking HH:MM:SS clock (one change a second, frames at ${CAPTURE_HZ} Hz)`, frames: out }
}

// The seed's graph case: a 300x140 window whose line graph scrolls one sample a frame.
const graph = (frames: number): StreamScenario => {
  const background = new Canvas()
  desktop(background, random(13))
  const next = random(17)
  const samples: number[] = []
  let level = 0.5
  for (let i = 0; i < 300 + frames; i++) {
    level = Math.max(0.05, Math.min(0.95, level + (next() - 0.5) * 0.12 + Math.sin(i / 23) * 0.02))
    samples.push(level)
  }
  const out: Frame565[] = []
  for (let i = 0; i < frames; i++) {
    const canvas = new Canvas()
    canvas.rgb.set(background.rgb)
    canvas.fill(10, 60, 300, 140, 0xffffff)
    for (let y = 60; y < 200; y += 20) canvas.fill(10, y, 300, 1, 0xe0e0e0)
    for (let x = 10; x < 310; x += 50) canvas.fill(x, 60, 1, 140, 0xe0e0e0)
    canvas.line(10, samples.slice(i, i + 300).map((v) => 60 + 10 + (1 - v) * 120), 1.6, 0x1f77b4)
    out.push(canvas.frame())
  }
  return { name: 'graph', about: 'a 300x140 line graph scrolling one sample a frame', frames: out }
}

const noise = (frames: number): StreamScenario => {
  const next = random(19)
  const out: Frame565[] = []
  for (let i = 0; i < frames; i++) {
    const pixels = new Uint16Array(REGION_WIDTH * REGION_HEIGHT)
    for (let p = 0; p < pixels.length; p++) pixels[p] = Math.floor(next() * 65_536)
    out.push({ width: REGION_WIDTH, height: REGION_HEIGHT, pixels })
  }
  return { name: 'noise', about: 'full-frame noise, every pixel new each frame', frames: out }
}

/** The four cases of the figures, the same frames on every call. */
export const streamScenarios = (): StreamScenario[] => [staticScreen(41), clock(201), graph(101), noise(31)]
