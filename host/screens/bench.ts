// The benchmark's hook (bench/ calls it): how long the host's WASM scenes module takes to draw each scene, with the
// sample figures and full histories, the state set once and only the drawing timed.
import { DEFAULT_SCENES, SCENES, type Scene } from './screen-config.ts'
import { type Depth, ScenesModule } from './scenes-module.ts'
import { sampleFigure } from './sample-figures.ts'
import type { ScreenView, ViewFigure } from './screen-view.ts'
import { renderView } from './render.ts'

export interface SceneBenchOptions {
  /** Draws timed per scene, after as many untimed to warm the JIT. */
  iterations?: number
  width?: number
  height?: number
  depth?: Depth
  /** The module's bytes; by default the one embedded in the host. */
  wasm?: ArrayBuffer | Uint8Array
}

const viewOf = (scene: Scene): ScreenView => {
  const metrics = scene === 'alert' ? ['gpu_temp'] : scene === 'state' ? [] : (DEFAULT_SCENES.find((s) => s.scene === scene)?.metrics ?? [])
  const figures = metrics.map(sampleFigure).filter((f): f is ViewFigure => f !== undefined)
  if (scene === 'state') return { scene, figures, link: { state: 'portal_open', ap: 'Sysboy-3A7F', address: 'http://192.168.4.1' } }
  return { scene, figures, link: { state: 'live' }, ...(scene === 'alert' ? { alert: { slot: 0, limit: 60 } } : {}) }
}

/** Microseconds per draw of each scene (hub, metric, network, alert, state) at the given size and depth. */
export const benchScenes = async (options: SceneBenchOptions = {}): Promise<Record<Scene, number>> => {
  const { iterations = 1_000, width = 128, height = 64, depth = 1 } = options
  const module = await ScenesModule.load(options.wasm)
  const result = {} as Record<Scene, number>
  for (const scene of SCENES) {
    const view = viewOf(scene)
    renderView(module, view, { width, height, depth })
    for (let i = 0; i < iterations; i++) module.draw(scene, view.figures.length, width, height, depth)
    const start = Bun.nanoseconds()
    for (let i = 0; i < iterations; i++) module.draw(scene, view.figures.length, width, height, depth)
    result[scene] = (Bun.nanoseconds() - start) / 1_000 / iterations
  }
  return result
}
