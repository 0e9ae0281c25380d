// `sysboy preview --scene hub --size 128x64 --out hub.png`: draws a scene as PNG with the board's own scene code, from
// sample figures or (--live) this PC's figures now; for docs, and for laying out a screen before soldering one.
import { existsSync, statSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { Settings } from '../config/resolve.ts'
import { metricFrame } from '../hub/metric-frame.ts'
import { sampleFigure } from '../screens/sample-figures.ts'
import type { ScreenSize } from '../screens/render.ts'
import type { Depth } from '../screens/scenes-module.ts'
import { type ConfigScene, DEFAULT_SCENES, SCENE_METRICS, SCENES, type Scene } from '../screens/screen-config.ts'
import type { ScreenView, ViewFigure } from '../screens/screen-view.ts'
import { figureOfFrame } from '../screens/screen-view.ts'
import { METRICS, type MetricSource, type Reading, openSource } from '../sources/index.ts'
import type { Invocation } from './args.ts'
import type { Console } from './console.ts'
import { CliError, EXIT, type ExitCode } from './exit-codes.ts'
import { sourceOptionsFor } from './source-options.ts'

const MAX_SIDE = 1_024

/** What to draw, from the flags, each already checked. */
export interface PreviewRequest {
  scene: Scene
  size: ScreenSize
  metrics: string[]
  live: boolean
  out: string
}

const usage = (message: string): CliError => new CliError(`${message}; see sysboy --help`, EXIT.usage)

const flag = (flags: Invocation['flags'], name: 'scene' | 'size' | 'depth' | 'metrics' | 'out'): string | undefined => {
  const value = flags[name]
  return typeof value === 'string' ? value : undefined
}

/** The alert scene's metric when --metrics does not name one. */
const DEFAULT_ALERT_METRIC = 'gpu_temp'

const defaultMetrics = (scene: Scene): string[] => {
  if (scene === 'alert') return [DEFAULT_ALERT_METRIC]
  if (scene === 'state') return []
  return [...(DEFAULT_SCENES.find((s) => s.scene === scene)?.metrics ?? [])]
}

const metricBounds = (scene: Scene): { min: number; max: number } =>
  scene === 'alert' ? { min: 1, max: 1 } : scene === 'state' ? { min: 0, max: 0 } : SCENE_METRICS[scene as ConfigScene]

/** Checks the preview flags; a bad one is refused in one line, exit 2. `named`: the config file's named metrics. */
export const previewRequest = (flags: Invocation['flags'], named: readonly string[] = []): PreviewRequest => {
  const sceneText = flag(flags, 'scene') ?? 'hub'
  if (!(SCENES as readonly string[]).includes(sceneText)) throw usage(`--scene: unknown scene '${sceneText}'; scenes: ${SCENES.join(', ')}`)
  const scene = sceneText as Scene
  const sizeText = flag(flags, 'size') ?? '128x64'
  const size = /^(\d{1,4})x(\d{1,4})$/.exec(sizeText.trim())
  const width = Number(size?.[1])
  const height = Number(size?.[2])
  if (size === null || width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
    throw usage(`--size: must be WIDTHxHEIGHT in pixels, each 1 to ${MAX_SIDE}, such as 128x64; got '${sizeText}'`)
  }
  const depthText = flag(flags, 'depth') ?? '1'
  if (depthText !== '1' && depthText !== '16') throw usage(`--depth: must be 1 (monochrome OLED) or 16 (RGB565 TFT); got '${depthText}'`)
  const depth = Number(depthText) as Depth
  const metricsText = flag(flags, 'metrics')
  const metrics = metricsText === undefined ? defaultMetrics(scene) : metricsText.split(',').map((m) => m.trim()).filter((m) => m !== '')
  const known = [...METRICS, ...named]
  for (const metric of metrics) {
    if (!known.includes(metric)) throw usage(`--metrics: unknown metric '${metric}'; metrics: ${known.join(', ')}`)
  }
  const { min, max } = metricBounds(scene)
  if (metrics.length < min || metrics.length > max) {
    const wants = max === 0 ? 'no metrics' : min === max ? `exactly ${min} metric${min === 1 ? '' : 's'}` : `${min} to ${max} metrics`
    throw usage(`--metrics: the ${scene} scene shows ${wants}, not ${metrics.length}`)
  }
  const out = flag(flags, 'out') ?? `${scene}.png`
  if (out.trim() === '') throw usage('--out: must name a file')
  return { scene, size: { width, height, depth }, metrics, live: flags.live === true, out }
}

/** Reads each metric twice, one interval apart, so rate sources (CPU, network) have a delta; both reads form the history. */
const liveFigures = async (metrics: readonly string[], settings: Settings): Promise<ViewFigure[]> => {
  const sources = new Map<string, MetricSource | string>()
  for (const metric of metrics) {
    try {
      sources.set(metric, openSource({ ...sourceOptionsFor(settings, metric), source: undefined, prometheus: undefined }))
    } catch (error) {
      sources.set(metric, `cannot read ${metric}: ${(error as Error).message}`)
    }
  }
  const readAll = async (): Promise<Map<string, Reading>> => {
    const readings = new Map<string, Reading>()
    await Promise.all(
      [...sources].map(async ([metric, source]) => {
        if (typeof source === 'string') readings.set(metric, { known: false, reason: source })
        else readings.set(metric, await Promise.resolve().then(() => source.read()).catch((error: unknown) => ({ known: false, reason: String((error as Error).message) }) as Reading))
      }),
    )
    return readings
  }
  try {
    const first = await readAll()
    await Bun.sleep(settings.intervalMs)
    const second = await readAll()
    return metrics.map((metric, i) => {
      const name = (source: MetricSource | string | undefined): string => (typeof source === 'object' ? source.name : 'none')
      const frames = [first, second].map((readings, seq) =>
        metricFrame(metric, name(sources.get(metric)), readings.get(metric) ?? { known: false, reason: 'not read' }, seq + i, Date.now()),
      )
      const newest = frames[1]
      return { ...figureOfFrame(metric, newest), history: frames.map((f) => f.value ?? Number.NaN) }
    })
  } finally {
    for (const source of sources.values()) if (typeof source === 'object') source.close()
  }
}

/** The view a preview draws: the scene with its figures, an alert past a round limit below its value, a portal open. */
export const previewView = (request: PreviewRequest, figures: ViewFigure[]): ScreenView => {
  if (request.scene === 'state') return { scene: 'state', figures: [], link: { state: 'portal_open', ap: 'Sysboy-3A7F', address: 'http://192.168.4.1' } }
  const view: ScreenView = { scene: request.scene, figures, link: { state: 'live' } }
  const alerted = figures[0]
  if (request.scene === 'alert' && alerted !== undefined) view.alert = { slot: 0, limit: Math.max(0, Math.floor(alerted.percent / 10) * 10) }
  return view
}

const checkOut = (out: string): string => {
  const path = resolve(out)
  const dir = dirname(path)
  if (!existsSync(dir)) throw usage(`--out: no directory ${dir}; create it first or write elsewhere`)
  if (!statSync(dir).isDirectory()) throw usage(`--out: ${dir} is not a directory`)
  if (existsSync(path) && statSync(path).isDirectory()) throw usage(`--out: ${path} is a directory; name a .png file`)
  return path
}

export const runPreview = async (invocation: Invocation, settings: Settings, console: Console): Promise<ExitCode> => {
  const request = previewRequest(invocation.flags, settings.namedMetrics.map((m) => m.name))
  const path = checkOut(request.out)
  const figures = request.live
    ? await liveFigures(request.metrics, settings)
    : request.metrics.map((metric) => sampleFigure(metric) ?? { metric, state: 'no_data' as const, percent: 0, history: [] })
  const { screenPng } = await import('../screens/screen-png.ts')
  let png: Uint8Array
  try {
    png = await screenPng(previewView(request, figures), request.size)
  } catch (error) {
    // Checked by name: importing the class would load the scenes module before the flags are checked.
    if ((error as Error).name !== 'ScreenUnsupported') throw error
    throw usage(`--size: ${(error as Error).message}`)
  }
  try {
    writeFileSync(path, png)
  } catch (error) {
    throw new CliError(`--out: cannot write ${path}: ${(error as Error).message}`, EXIT.usage)
  }
  const what = request.metrics.length > 0 ? ` of ${request.metrics.join(', ')}` : ''
  console.out(`wrote ${path}: the ${request.scene} scene${what} at ${request.size.width}x${request.size.height}, depth ${request.size.depth}${request.live ? ', live figures' : ', sample figures'}`)
  return EXIT.ok
}
