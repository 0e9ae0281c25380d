// A screen's picture as PNG from the embedded scenes module; imported only when a picture is asked for, so the module
// and the PNG encoder stay unloaded in a host that never draws.
import { framePng, renderView, type ScreenSize } from './render.ts'
import { scenesModule } from './scenes-module.ts'
import type { ScreenView } from './screen-view.ts'

export type { ScreenSize } from './render.ts'

export const screenPng = async (view: ScreenView, size: ScreenSize): Promise<Uint8Array> =>
  framePng(renderView(await scenesModule(), view, size), size)
