// The render adapter on the real scenes module (built by scripts/scenes-wasm.sh into host/screens/generated/).
import { beforeAll, describe, expect, it } from 'bun:test'
import { decode } from 'fast-png'
import { buildScenesWasm } from './build-scenes.ts'
import { framePng, renderView } from './render.ts'
import { sampleFigure } from './sample-figures.ts'
import { ScenesModule, ScreenUnsupported } from './scenes-module.ts'
import type { ScreenView, ViewFigure } from './screen-view.ts'

let module: ScenesModule

beforeAll(async () => {
  await buildScenesWasm()
  module = await ScenesModule.load()
}, 300_000)

const figures = (...metrics: string[]): ViewFigure[] => metrics.map((m) => sampleFigure(m) as ViewFigure)
const hub: ScreenView = { scene: 'hub', figures: figures('vram', 'cpu', 'gpu_temp', 'ram'), link: { state: 'live' } }
const OLED = { width: 128, height: 64, depth: 1 } as const

const lit = (frame: Uint8Array): number => frame.reduce((sum, pixel) => sum + (pixel === 0 ? 0 : 1), 0)

describe('the scenes module in the host', () => {
  it('draws every scene on a 128x64 OLED, one byte per pixel, 0 or 1', () => {
    const views: ScreenView[] = [
      hub,
      { scene: 'metric', figures: figures('vram'), link: { state: 'live' } },
      { scene: 'network', figures: figures('net_rx', 'net_tx'), link: { state: 'live' } },
      { scene: 'alert', figures: figures('gpu_temp'), alert: { slot: 0, limit: 60 }, link: { state: 'live' } },
      { scene: 'state', figures: [], link: { state: 'portal_open', ap: 'Sysboy-3A7F', address: 'http://192.168.4.1' } },
    ]
    for (const view of views) {
      const frame = renderView(module, view, OLED)
      expect(frame).toHaveLength(128 * 64)
      expect(frame.every((p) => p === 0 || p === 1)).toBe(true)
      expect(lit(frame)).toBeGreaterThan(50)
    }
  })

  it('draws the same pixels for the same state, whatever was drawn before', () => {
    const first = renderView(module, hub, OLED)
    renderView(module, { scene: 'state', figures: [], link: { state: 'token_refused' } }, OLED)
    expect(renderView(module, hub, OLED)).toEqual(first)
  })

  it('draws a figure that changed differently, and a missing one without its value', () => {
    const before = renderView(module, hub, OLED)
    const cpu = { ...(hub.figures[1] as ViewFigure), percent: 88, raw: 88 }
    expect(renderView(module, { ...hub, figures: [hub.figures[0] as ViewFigure, cpu, ...hub.figures.slice(2)] }, OLED)).not.toEqual(before)
    const stale = { ...(hub.figures[1] as ViewFigure), state: 'stale' as const }
    expect(renderView(module, { ...hub, figures: [hub.figures[0] as ViewFigure, stale, ...hub.figures.slice(2)] }, OLED)).not.toEqual(before)
  })

  it('draws RGB565 two bytes a pixel for a colour TFT', () => {
    const frame = renderView(module, hub, { width: 320, height: 240, depth: 16 })
    expect(frame).toHaveLength(320 * 240 * 2)
  })

  it('says plainly when it has no drawing for a size', () => {
    expect(() => renderView(module, hub, { width: 8, height: 8, depth: 1 })).toThrow(ScreenUnsupported)
  })
})

describe('framePng', () => {
  it('writes a 1-bit screen as 8-bit greyscale, on 255 and off 0, pixel for pixel', () => {
    const frame = renderView(module, hub, OLED)
    const png = decode(framePng(frame, OLED))
    expect([png.width, png.height, png.channels, png.depth]).toEqual([128, 64, 1, 8])
    expect([...png.data]).toEqual([...frame].map((p) => (p === 0 ? 0 : 255)))
  })

  it('widens RGB565 to 8-bit RGB as embedded-graphics does', () => {
    const size = { width: 32, height: 32, depth: 16 } as const
    const frame = new Uint8Array(32 * 32 * 2)
    // White, pure red, and the smallest step of green.
    frame.set([0xff, 0xff, 0x00, 0xf8, 0x20, 0x00])
    const png = decode(framePng(frame, size))
    expect(png.channels).toBe(3)
    expect([...png.data.slice(0, 9)]).toEqual([255, 255, 255, 255, 0, 0, 0, 4, 0])
  })
})
