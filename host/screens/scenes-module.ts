// The scenes module: the scene calls of the host's WebAssembly module (firmware-rs/wasm over firmware-rs/scenes,
// built by scripts/scenes-wasm.sh), embedded in the executable and instantiated on the first render, so a host nobody
// asks for a picture never loads it. The same scene code draws the board's screen, so a picture from here is the
// board's. (The module's meter calls are host/wasm/virtual-meter.ts's.)
import wasmPath from './generated/scenes.wasm' with { type: 'file' }
import type { Scene } from './screen-config.ts'
import { SCENES } from './screen-config.ts'

/** The module's exports (its ABI: plain numbers and a scratch buffer for strings; no wasm-bindgen, no imports). */
interface SceneExports {
  memory: WebAssembly.Memory
  scratch(): number
  clear(): void
  set_figure(slot: number, metricLen: number, unitLen: number, state: number, percent: number, raw: number, used: number, total: number): number
  push_history(slot: number, percent: number): number
  set_link(code: number, aLen: number, bLen: number): number
  set_alert(slot: number, limit: number): number
  render(scene: number, figures: number, width: number, height: number, depth: number): number
  framebuffer_len(): number
}

/** Bytes of the module's string buffer, and the longest string of each kind it takes (firmware-rs/scenes/src/abi.rs). */
const SCRATCH_BYTES = 256
const METRIC_MAX = 32
const UNIT_MAX = 16
const LINK_TEXT_MAX = 64

/** Figure slots the module holds. */
export const FIGURE_SLOTS = 8

/** A figure's state in the module's numbering. */
export const FIGURE_STATES = { live: 0, unreadable: 1, stale: 2, no_data: 3 } as const
export type FigureState = keyof typeof FIGURE_STATES

/** The link's state in the module's numbering, with the strings each takes. */
export type LinkInput =
  | { state: 'live' }
  | { state: 'portal_open'; ap: string; address: string }
  | { state: 'joining'; ssid: string }
  | { state: 'no_host' }
  | { state: 'token_refused' }
  | { state: 'no_data' }
  | { state: 'awaiting_approval'; device: string }
const LINK_CODES = { live: 0, portal_open: 1, joining: 2, no_host: 3, token_refused: 4, no_data: 5, awaiting_approval: 6 } as const

/** One figure as the module takes it. `raw`, `used` and `total` are absent when the frame had none. */
export interface FigureInput {
  metric: string
  state: FigureState
  /** Percent of full scale; ignored unless live. */
  percent: number
  raw?: number
  unit?: string
  used?: number
  total?: number
}

/** Colour depths the module draws: 1 (a byte per pixel, 0 or 1) and 16 (RGB565, little-endian, 2 bytes a pixel). */
export type Depth = 1 | 16

export class ScenesError extends Error {
  override readonly name: string = 'ScenesError'
}

/** The module has no drawing of this scene at this size and depth (a screen too small for it, say). */
export class ScreenUnsupported extends ScenesError {
  override readonly name = 'ScreenUnsupported'
}

const encoder = new TextEncoder()

export class ScenesModule {
  readonly #exports: SceneExports

  private constructor(exports: SceneExports) {
    this.#exports = exports
  }

  /** Instantiates the module from `bytes`, by default the one embedded in this executable. */
  static async load(bytes?: ArrayBuffer | Uint8Array): Promise<ScenesModule> {
    const code = bytes ?? (await Bun.file(wasmPath).arrayBuffer())
    const { instance } = await WebAssembly.instantiate(code, {})
    const exports = instance.exports as unknown as SceneExports
    for (const name of ['memory', 'scratch', 'clear', 'set_figure', 'push_history', 'set_link', 'set_alert', 'render', 'framebuffer_len'] as const) {
      if (!(name in exports)) throw new ScenesError(`the scenes module has no '${name}' export`)
    }
    return new ScenesModule(exports)
  }

  /** Forgets every figure, history, alert and link state. */
  clear(): void {
    this.#exports.clear()
  }

  /** Sets the figure in `slot` (0..7). */
  setFigure(slot: number, figure: FigureInput): void {
    const [metricLen, unitLen] = this.#strings(figure.metric, METRIC_MAX, figure.unit ?? '', UNIT_MAX)
    const result = this.#exports.set_figure(
      slot,
      metricLen,
      unitLen,
      FIGURE_STATES[figure.state],
      figure.percent,
      figure.raw ?? Number.NaN,
      figure.used ?? -1,
      figure.total ?? -1,
    )
    if (result !== 0) throw new ScenesError(`the scenes module refused figure ${slot} (${figure.metric}): code ${result}`)
  }

  /** Appends one value (percent, NaN for a gap) to the history of `slot`; the module keeps the newest 128. */
  pushHistory(slot: number, percent: number): void {
    const result = this.#exports.push_history(slot, percent)
    if (result !== 0) throw new ScenesError(`the scenes module refused a history value for slot ${slot}: code ${result}`)
  }

  setLink(link: LinkInput): void {
    const a = link.state === 'portal_open' ? link.ap : link.state === 'joining' ? link.ssid : link.state === 'awaiting_approval' ? link.device : ''
    const b = link.state === 'portal_open' ? link.address : ''
    const [aLen, bLen] = this.#strings(a, LINK_TEXT_MAX, b, LINK_TEXT_MAX)
    const result = this.#exports.set_link(LINK_CODES[link.state], aLen, bLen)
    if (result !== 0) throw new ScenesError(`the scenes module refused link state ${link.state}: code ${result}`)
  }

  /** Puts the figure in `slot` past `limit` (percent); undefined clears the alert. */
  setAlert(alert: { slot: number; limit: number } | undefined): void {
    const result = alert === undefined ? this.#exports.set_alert(-1, 0) : this.#exports.set_alert(alert.slot, alert.limit)
    if (result !== 0) throw new ScenesError(`the scenes module refused an alert on slot ${alert?.slot}: code ${result}`)
  }

  /**
   * Draws `scene` with figure slots 0..figures-1 and returns the frame buffer, copied: depth 1 a byte per pixel (0 or
   * 1), depth 16 RGB565 little-endian.
   */
  render(scene: Scene, figures: number, width: number, height: number, depth: Depth): Uint8Array {
    const pointer = this.draw(scene, figures, width, height, depth)
    const length = this.#exports.framebuffer_len()
    const expected = width * height * (depth === 1 ? 1 : 2)
    if (length !== expected) throw new ScenesError(`the scenes module gave ${length} bytes for a ${width}x${height}x${depth} frame; expected ${expected}`)
    return new Uint8Array(this.#exports.memory.buffer, pointer, length).slice()
  }

  /** Draws into the module's frame buffer and gives its address, without copying it out (for the benchmark). */
  draw(scene: Scene, figures: number, width: number, height: number, depth: Depth): number {
    const pointer = this.#exports.render(SCENES.indexOf(scene), figures, width, height, depth)
    if (pointer === 0) throw new ScreenUnsupported(`the scenes module cannot draw ${scene} on a ${width}x${height} screen of depth ${depth}`)
    return pointer
  }

  /** Writes `a` then `b` into the scratch buffer and returns their byte lengths, each cut to its most bytes on a character boundary. */
  #strings(a: string, aMax: number, b: string, bMax: number): [number, number] {
    const scratch = new Uint8Array(this.#exports.memory.buffer, this.#exports.scratch(), SCRATCH_BYTES)
    const first = encoder.encodeInto(a, scratch.subarray(0, aMax))
    const second = encoder.encodeInto(b, scratch.subarray(first.written, first.written + bMax))
    return [first.written, second.written]
  }
}

let loading: Promise<ScenesModule> | undefined

/** The embedded module, instantiated once, on the first call. */
export const scenesModule = (): Promise<ScenesModule> => {
  loading ??= ScenesModule.load().catch((error: unknown) => {
    loading = undefined
    throw error
  })
  return loading
}
