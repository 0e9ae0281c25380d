import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { openRegionCapture } from './capture.ts'
import type { CaptureSource } from './frame.ts'
import type { Xvfb } from '../../tests/fixtures/xvfb.ts'
import { RootPainter, startXvfb } from '../../tests/fixtures/xvfb.ts'

const SCREEN_WIDTH = 640
const SCREEN_HEIGHT = 480

// What the root window holds, as 0xRRGGBB, kept beside the painting so expectations come from the scene itself.
const canvas = new Uint32Array(SCREEN_WIDTH * SCREEN_HEIGHT)
let xvfb: Xvfb
let painter: RootPainter

const fill = (x: number, y: number, width: number, height: number, rgb: number): void => {
  painter.fill(x, y, width, height, rgb)
  for (let row = y; row < y + height; row++) canvas.fill(rgb, row * SCREEN_WIDTH + x, row * SCREEN_WIDTH + x + width)
}

// Written out from RGB565's definition, not taken from colour.ts.
const to565 = (r: number, g: number, b: number): number => ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3)
const expected = (x: number, y: number, correct: (v: number, channel: number) => number): number => {
  const rgb = canvas[y * SCREEN_WIDTH + x] as number
  return to565(correct((rgb >> 16) & 255, 0), correct((rgb >> 8) & 255, 1), correct(rgb & 255, 2))
}

const openCapture = (options: Parameters<typeof openRegionCapture>[0]): CaptureSource => {
  const result = openRegionCapture(options)
  if (!result.ok) throw new Error(result.reason)
  return result.source
}

beforeAll(async () => {
  xvfb = await startXvfb(SCREEN_WIDTH, SCREEN_HEIGHT)
  painter = new RootPainter(xvfb.display)
  // Every 8-bit value of each channel in 1-pixel columns, then solid blocks.
  for (let v = 0; v < 256; v++) {
    fill(10 + v, 20, 1, 30, (v << 16) | ((255 - v) << 8) | ((v * 7) & 255))
    fill(10 + v, 50, 1, 30, (((v * 3) & 255) << 16) | (v << 8) | (255 - v))
  }
  fill(300, 100, 120, 80, 0xff8000)
  fill(40, 150, 200, 60, 0x123456)
  fill(0, 0, 2, 2, 0xffffff)
  painter.sync()
})

afterAll(async () => {
  painter?.close()
  await xvfb?.stop()
})

describe('X11 capture (MIT-SHM) against Xvfb', () => {
  it('reads a region of the root window pixel for pixel as RGB565', () => {
    const capture = openCapture({ display: xvfb.display, x: 5, y: 10, width: 320, height: 240 })
    try {
      const frame = capture.capture()
      expect([frame.width, frame.height]).toEqual([320, 240])
      let mismatches = 0
      for (let y = 0; y < 240; y++) {
        for (let x = 0; x < 320; x++) if (frame.pixels[y * 320 + x] !== expected(x + 5, y + 10, (v) => v)) mismatches++
      }
      expect(mismatches).toBe(0)
      expect(frame.pixels[(100 - 10) * 320 + (300 - 5)]).toBe(to565(0xff, 0x80, 0x00))
    } finally {
      capture.close()
    }
  })

  it('sees new content on the next capture', () => {
    const capture = openCapture({ display: xvfb.display, x: 0, y: 0, width: 64, height: 64 })
    try {
      expect(capture.capture().pixels[0]).toBe(0xffff)
      fill(0, 0, 2, 2, 0x00ff00)
      painter.sync()
      expect(capture.capture().pixels[0]).toBe(0x07e0)
    } finally {
      capture.close()
    }
  })

  it('applies gamma and white balance through its tables', () => {
    const gains = [0.8, 1, 1.25]
    const capture = openCapture({ display: xvfb.display, x: 10, y: 20, width: 256, height: 60, gamma: 2.2, whiteBalance: { red: 0.8, green: 1, blue: 1.25 } })
    try {
      const frame = capture.capture()
      const correct = (v: number, channel: number): number => Math.min(255, Math.round(255 * (v / 255) ** 2.2 * (gains[channel] as number)))
      let mismatches = 0
      for (let y = 0; y < 60; y++) for (let x = 0; x < 256; x++) if (frame.pixels[y * 256 + x] !== expected(x + 10, y + 20, correct)) mismatches++
      expect(mismatches).toBe(0)
    } finally {
      capture.close()
    }
  })

  it('captures a 320x240 region well under a millisecond, and a still one for next to nothing', () => {
    const capture = openCapture({ display: xvfb.display, x: 100, y: 100, width: 320, height: 240 })
    try {
      for (let i = 0; i < 20; i++) capture.capture()
      const runs = 200
      // Drawn on before each capture (the drawing untimed): the read and the conversion every time.
      let changing = 0
      for (let i = 0; i < runs; i++) {
        painter.fill(101, 101, 1, 1, i & 1 ? 0x0000ff : 0x00ff00)
        painter.sync()
        const started = performance.now()
        capture.capture()
        changing += performance.now() - started
      }
      const started = performance.now()
      for (let i = 0; i < runs; i++) capture.capture()
      const still = (performance.now() - started) / runs
      console.log(
        `X11 capture: ${(changing / runs).toFixed(3)} ms per changing 320x240 region (XShmGetImage + RGB565 conversion), ${still.toFixed(4)} ms per still one (DAMAGE says so), mean of ${runs}`,
      )
      // Generous for a busy CI machine; the bench reports the figure.
      expect(changing / runs).toBeLessThan(5)
      expect(still).toBeLessThan(0.5)
    } finally {
      fill(101, 101, 1, 1, canvas[101 * SCREEN_WIDTH + 101] as number)
      painter.sync()
      capture.close()
    }
  })

  it('says when a capture gave the pixels of the one before: nothing drawn, or drawn only outside the region', () => {
    const capture = openCapture({ display: xvfb.display, x: 300, y: 100, width: 64, height: 64 })
    try {
      expect(capture.capture().pixels[0]).toBe(to565(0xff, 0x80, 0x00))
      for (let i = 0; i < 3; i++) {
        capture.capture()
        expect(capture.unchanged).toBe(true)
      }
      fill(500, 400, 10, 10, 0x00ffff)
      painter.sync()
      capture.capture()
      expect(capture.unchanged).toBe(true)
      fill(310, 110, 1, 1, 0x0000ff)
      painter.sync()
      const frame = capture.capture()
      expect(capture.unchanged).toBe(false)
      expect(frame.pixels[10 * 64 + 10]).toBe(0x001f)
      capture.capture()
      expect(capture.unchanged).toBe(true)
    } finally {
      capture.close()
    }
  })

  it('refuses a region outside the screen, naming the screen size', () => {
    const result = openRegionCapture({ display: xvfb.display, x: 400, y: 300, width: 320, height: 240 })
    expect(result).toEqual({ ok: false, reason: `the region 320x240 at 400,300 is not inside the 640x480 screen of X display "${xvfb.display}"; move or shrink it` })
  })

  it('says what to do without an X display', () => {
    const saved = { display: process.env.DISPLAY, wayland: process.env.WAYLAND_DISPLAY }
    try {
      delete process.env.DISPLAY
      delete process.env.WAYLAND_DISPLAY
      const none = openRegionCapture({ x: 0, y: 0, width: 10, height: 10 })
      expect(none).toEqual({ ok: false, reason: 'no X display: set DISPLAY (":0", say) or the stream\'s `display`' })
      process.env.WAYLAND_DISPLAY = 'wayland-0'
      const wayland = openRegionCapture({ x: 0, y: 0, width: 10, height: 10 })
      expect(wayland.ok).toBe(false)
      if (!wayland.ok) expect(wayland.reason).toStartWith('no X display: this is a Wayland session')
    } finally {
      if (saved.display === undefined) delete process.env.DISPLAY
      else process.env.DISPLAY = saved.display
      if (saved.wayland === undefined) delete process.env.WAYLAND_DISPLAY
      else process.env.WAYLAND_DISPLAY = saved.wayland
    }
  })

  it('says when the X server cannot be reached', () => {
    const result = openRegionCapture({ display: ':4242', x: 0, y: 0, width: 10, height: 10 })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.reason).toStartWith('cannot open X display ":4242"')
  })

  it('stops, and leaves the process running, when its X server goes away mid-stream', async () => {
    // Xlib's default answer to a lost connection is exit(1): without the capture's own exit handler this test
    // process would end here.
    const doomed = await startXvfb(320, 240)
    const capture = openCapture({ display: doomed.display, x: 0, y: 0, width: 320, height: 240 })
    expect(capture.capture().pixels.length).toBe(320 * 240)
    await doomed.stop()
    expect(() => capture.capture()).toThrow('the X display went away')
    expect(() => capture.capture()).toThrow('closed')
    capture.close()
  })
})
