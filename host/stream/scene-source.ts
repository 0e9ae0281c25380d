// A stream source that draws a scene of the scenes crate at the TFT's size, in RGB565, with the host's scenes module,
// from the figures the hub has for the device: a host-only figure needs no firmware change.
import type { SessionConfig } from '../../schema/index.ts'
import type { SentRecord } from '../hub/sent-record.ts'
import { renderView } from '../screens/render.ts'
import type { ScenesModule } from '../screens/scenes-module.ts'
import { scenesModule } from '../screens/scenes-module.ts'
import type { ScreenView } from '../screens/screen-view.ts'
import { deviceScreenView } from '../screens/screen-view.ts'
import type { CaptureResult } from './capture.ts'
import type { ColourCorrection, ColourLut } from './colour.ts'
import { buildColourLut, rgb565 } from './colour.ts'
import type { CaptureSource, Frame565 } from './frame.ts'

export interface SceneSourceOptions {
  width: number
  height: number
  /** The scene's view now; the source draws again only when it changes. */
  view: () => ScreenView
  correction?: ColourCorrection
  /** The module to draw with; by default the embedded one, loaded on first use. */
  module?: ScenesModule
}

/** The output id the stream's scene is drawn under; no device screen has it (ids are plain identifiers). */
const STREAM_SCENE = '(stream)'

/**
 * The view of a stream's `scene` with `metrics` on a device, drawn as its screens draw: figures from the newest frames
 * the host has for the device (stale ones without data) and the histories it keeps of them.
 */
export const streamSceneView = (config: SessionConfig, sent: SentRecord, scene: string, metrics: readonly string[], now: number): ScreenView => {
  const screens = [{ output: STREAM_SCENE, scenes: [{ scene, metrics: [...metrics] }] }]
  const view = deviceScreenView({ config: { ...config, screens }, shown: undefined, sent }, STREAM_SCENE, now)
  return view ?? { scene: 'hub', figures: [], link: { state: 'live' } }
}

/** Widens RGB565 to 8-bit channels by bit replication, corrects them through `lut`, and packs them again. */
const correct = (pixels: Uint16Array, lut: ColourLut): void => {
  for (let i = 0; i < pixels.length; i++) {
    const p = pixels[i] as number
    const r = (p >> 11) & 31
    const g = (p >> 5) & 63
    const b = p & 31
    pixels[i] = rgb565(lut, (r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2))
  }
}

class SceneSource implements CaptureSource {
  readonly width: number
  readonly height: number
  readonly #module: ScenesModule
  readonly #view: () => ScreenView
  readonly #lut: ColourLut | undefined
  #drawn: string | undefined
  #frame: Frame565
  /** Whether the last capture drew nothing new: the view was the one drawn before. */
  unchanged = false

  constructor(module: ScenesModule, options: SceneSourceOptions, first: Frame565, drawn: string, lut: ColourLut | undefined) {
    this.width = options.width
    this.height = options.height
    this.#module = module
    this.#view = options.view
    this.#lut = lut
    this.#frame = first
    this.#drawn = drawn
  }

  capture(): Frame565 {
    const view = this.#view()
    const key = JSON.stringify(view)
    this.unchanged = key === this.#drawn
    if (!this.unchanged) {
      this.#frame = draw(this.#module, view, this.width, this.height, this.#lut)
      this.#drawn = key
    }
    return this.#frame
  }

  close(): void {
    this.#drawn = undefined
  }
}

const draw = (module: ScenesModule, view: ScreenView, width: number, height: number, lut: ColourLut | undefined): Frame565 => {
  const bytes = renderView(module, view, { width, height, depth: 16 })
  // The module's frame is RGB565 little-endian, as this host's typed arrays are.
  const pixels = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2)
  if (lut !== undefined) correct(pixels, lut)
  return { width, height, pixels }
}

const needsCorrection = (correction: ColourCorrection | undefined): boolean => {
  const gains = correction?.whiteBalance
  return (correction?.gamma ?? 1) !== 1 || (gains !== undefined && (gains.red !== 1 || gains.green !== 1 || gains.blue !== 1))
}

/** Opens a scene source: loads the module and draws the scene once, so a size it cannot draw is refused here. */
export const openSceneSource = async (options: SceneSourceOptions): Promise<CaptureResult> => {
  let module: ScenesModule
  try {
    module = options.module ?? (await scenesModule())
  } catch (error) {
    return { ok: false, reason: `cannot load the scenes module: ${(error as Error).message}` }
  }
  const lut = needsCorrection(options.correction) ? buildColourLut(options.correction) : undefined
  try {
    const view = options.view()
    const first = draw(module, view, options.width, options.height, lut)
    return { ok: true, source: new SceneSource(module, options, first, JSON.stringify(view), lut) }
  } catch (error) {
    return { ok: false, reason: (error as Error).message }
  }
}
