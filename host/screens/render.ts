// Draws a screen view with the scenes module and encodes it as PNG.
import { encode } from 'fast-png'
import type { Depth, ScenesModule } from './scenes-module.ts'
import { FIGURE_SLOTS } from './scenes-module.ts'
import type { ScreenView } from './screen-view.ts'

/** A screen's geometry: its size in pixels and its colour depth. */
export interface ScreenSize {
  width: number
  height: number
  depth: Depth
}

/** The frame buffer of `view` drawn on a screen of `size` (see ScenesModule.render for its layout). */
export const renderView = (module: ScenesModule, view: ScreenView, size: ScreenSize): Uint8Array => {
  module.clear()
  const figures = view.figures.slice(0, FIGURE_SLOTS)
  for (const [slot, figure] of figures.entries()) {
    module.setFigure(slot, figure)
    for (const value of figure.history) module.pushHistory(slot, value)
  }
  module.setAlert(view.alert)
  module.setLink(view.link)
  return module.render(view.scene, figures.length, size.width, size.height, size.depth)
}

/** 0..max → 0..255 as embedded-graphics converts a colour channel (rounded), so colours match the simulator's PNG. */
const widen = (value: number, max: number): number => Math.floor((value * 255 + Math.floor(max / 2)) / max)

/**
 * A frame buffer as PNG: a 1-bit screen as 8-bit greyscale (on 255, off 0, as embedded-graphics-simulator's default
 * theme writes white and black); an RGB565 screen as 8-bit RGB.
 */
export const framePng = (frame: Uint8Array, size: ScreenSize): Uint8Array => {
  const { width, height, depth } = size
  if (depth === 1) {
    const grey = new Uint8Array(width * height)
    for (let i = 0; i < grey.length; i++) grey[i] = frame[i] === 0 ? 0 : 255
    return encode({ width, height, data: grey, depth: 8, channels: 1 })
  }
  const rgb = new Uint8Array(width * height * 3)
  for (let i = 0; i < width * height; i++) {
    const pixel = (frame[2 * i] as number) | ((frame[2 * i + 1] as number) << 8)
    rgb[3 * i] = widen(pixel >> 11, 31)
    rgb[3 * i + 1] = widen((pixel >> 5) & 63, 63)
    rgb[3 * i + 2] = widen(pixel & 31, 31)
  }
  return encode({ width, height, data: rgb, depth: 8, channels: 3 })
}
