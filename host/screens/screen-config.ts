// What a device's screens show: the host's default layout for a screen, and the checks a screens config must pass
// against the device's hello before it is sent (the device checks again and refuses with an error frame).
import type { ErrorCode, Hello, Output, ScreenConfig, SessionConfig } from '../../schema/index.ts'

/**
 * The scenes a config may name, and how many metrics each shows; `alert` and `state` take the screen over by
 * themselves. `stream` shows the pixels the host streams (a TFT whose device announced stream encodings).
 */
export const SCENE_METRICS = { hub: { min: 1, max: 4 }, metric: { min: 1, max: 1 }, network: { min: 2, max: 2 }, stream: { min: 0, max: 0 } } as const
export type ConfigScene = keyof typeof SCENE_METRICS

/** The layout of a screen that shows the host's stream. */
export const STREAM_SCENES: ScreenConfig['scenes'] = [{ scene: 'stream', metrics: [] }]

/** Every scene a screen may show, in the scenes module's numbering. */
export const SCENES = ['hub', 'metric', 'network', 'alert', 'state'] as const
export type Scene = (typeof SCENES)[number]

/**
 * The default layout, made for a 128×64 OLED and fitting any screen: the hub of the figures people watch most, the
 * VRAM graph, and the network. With a button on the device the button steps through them (no carousel); a device
 * without one turns them every 10 s.
 */
export const DEFAULT_SCENES: ScreenConfig['scenes'] = [
  { scene: 'hub', metrics: ['vram', 'cpu', 'gpu_temp', 'ram'] },
  { scene: 'metric', metrics: ['vram'] },
  { scene: 'network', metrics: ['net_rx', 'net_tx'] },
]
export const DEFAULT_CAROUSEL_MS = 10_000

/** The most screens a session config lays out (schema: `screens` maxItems). */
export const MAX_SCREENS = 4

/** The most different metrics a device's screens show together, alert limits included (each keeps a history there). */
export const MAX_SCREEN_METRICS = 16

/** Whether an output is a screen a device draws: an OLED or TFT with its size in the hello (the device's rule too). */
export const isScreen = (output: Output): boolean =>
  (output.kind === 'oled' || output.kind === 'tft') && output.width !== undefined && output.height !== undefined

/** A screen config refused before it is sent: the protocol's code, the field (`screens.0.scenes.1.metrics`) and why. */
export interface ScreenRefusal {
  error: ErrorCode
  field: string
  reason: string
}

/** Whether a device can show the host's stream on `output`: a TFT screen, and stream encodings in its hello. */
export const canStream = (output: Output, encodings: Hello['encodings']): boolean =>
  output.kind === 'tft' && isScreen(output) && (encodings?.length ?? 0) > 0

/**
 * The default config of one screen, with only the metrics this host offers (a scene left with too few is dropped);
 * a screen the host streams to (`streamed`) shows the stream alone.
 */
export const defaultScreen = (output: Output, hasButton: boolean, offered: readonly string[], streamed = false): ScreenConfig => {
  if (streamed) {
    return { output: output.id, scenes: STREAM_SCENES, ...(output.width !== undefined ? { width: output.width, height: output.height } : {}) }
  }
  const scenes = DEFAULT_SCENES.map((s) => ({ scene: s.scene, metrics: s.metrics.filter((m) => offered.includes(m)) })).filter(
    (s) => s.metrics.length >= SCENE_METRICS[s.scene as ConfigScene].min,
  )
  return {
    output: output.id,
    scenes: scenes.length > 0 ? scenes : [{ scene: 'metric', metrics: [offered[0] ?? 'vram'] }],
    ...(hasButton ? {} : { carousel_ms: DEFAULT_CAROUSEL_MS }),
    ...(output.width !== undefined ? { width: output.width } : {}),
    ...(output.height !== undefined ? { height: output.height } : {}),
  }
}

/**
 * `config` with a screens entry for every screen of the device: a screen the config leaves out (or a config with no
 * `screens` at all) shows the default (the stream, for a TFT the config streams to and the device can stream to), so
 * the host always knows what each screen shows. A device without screens keeps its config as it is.
 */
export const withScreens = (config: SessionConfig, hello: Hello, offered: readonly string[]): SessionConfig => {
  const screens = hello.outputs.filter(isScreen)
  if (screens.length === 0) return config
  const given = config.screens ?? []
  // One default per output id, and no more layouts than a session config holds (schema: screens maxItems 4), so
  // a hello that names a screen twice or has more screens than that still gets a welcome it can decode.
  const missing = screens
    .filter((o, i) => !given.some((s) => s.output === o.id) && screens.findIndex((other) => other.id === o.id) === i)
    .slice(0, Math.max(0, MAX_SCREENS - given.length))
  if (missing.length === 0) return config
  const hasButton = hello.buttons.length > 0
  const streamed = (o: Output): boolean => canStream(o, hello.encodings) && (config.streams ?? []).some((s) => s.output === o.id)
  return { ...config, screens: [...given, ...missing.map((o) => defaultScreen(o, hasButton, offered, streamed(o)))] }
}

const listOf = (outputs: readonly Output[]): string => outputs.map((o) => o.id).join(', ') || 'none'

/**
 * The first reason a device could not show `screens`, or undefined when it can. `encodings` are the stream encodings
 * of the device's hello: the `stream` scene needs some, and a TFT.
 */
export const checkScreens = (
  screens: readonly ScreenConfig[],
  outputs: readonly Output[],
  offered: readonly string[],
  encodings?: Hello['encodings'],
): ScreenRefusal | undefined => {
  const seen = new Set<string>()
  for (const [i, screen] of screens.entries()) {
    const at = `screens.${i}`
    const output = outputs.find((o) => o.id === screen.output)
    if (output === undefined) {
      return { error: 'unknown_output', field: `${at}.output`, reason: `unknown output '${screen.output}'; the device has ${listOf(outputs)}` }
    }
    if (!isScreen(output)) {
      const what = output.kind === 'oled' || output.kind === 'tft' ? `a ${output.kind} without a size in the hello` : `a ${output.kind} output`
      return { error: 'bad_config', field: `${at}.output`, reason: `output '${output.id}' is ${what}, not a screen; the device's screens: ${listOf(outputs.filter(isScreen))}` }
    }
    if (seen.has(output.id)) return { error: 'bad_config', field: `${at}.output`, reason: `screen '${output.id}' is configured twice` }
    seen.add(output.id)
    for (const side of ['width', 'height'] as const) {
      const wanted = screen[side]
      const has = output[side]
      if (wanted !== undefined && has !== undefined && wanted !== has) {
        return { error: 'bad_config', field: `${at}.${side}`, reason: `${side} ${wanted} does not match the screen '${output.id}', which is ${output.width ?? '?'}x${output.height ?? '?'}` }
      }
    }
    if (screen.rotation === 1 || screen.rotation === 3) {
      return { error: 'bad_config', field: `${at}.rotation`, reason: `${screen.rotation} quarter turns would stand the screen on its side, which its scenes are not laid out for; use 0 or 2` }
    }
    for (const [j, spec] of screen.scenes.entries()) {
      const where = `${at}.scenes.${j}`
      const bounds = Object.hasOwn(SCENE_METRICS, spec.scene) ? SCENE_METRICS[spec.scene as ConfigScene] : undefined
      if (bounds === undefined) {
        return { error: 'bad_config', field: `${where}.scene`, reason: `unknown scene '${spec.scene}'; a screen shows ${Object.keys(SCENE_METRICS).join(', ')}` }
      }
      if (spec.scene === 'stream' && !canStream(output, encodings)) {
        const why = output.kind !== 'tft' ? `'${output.id}' is a ${output.kind}, and only a tft shows a stream` : "the device's hello announced no stream encodings"
        return { error: 'bad_config', field: `${where}.scene`, reason: `screen '${output.id}' cannot show the stream scene: ${why}` }
      }
      const n = spec.metrics.length
      if (n < bounds.min || n > bounds.max) {
        const wants = bounds.min === bounds.max ? `exactly ${bounds.min}` : `${bounds.min} to ${bounds.max}`
        return { error: 'bad_config', field: `${where}.metrics`, reason: `the ${spec.scene} scene shows ${wants} metric${bounds.max === 1 ? '' : 's'}, not ${n}` }
      }
      for (const [k, metric] of spec.metrics.entries()) {
        if (!offered.includes(metric)) {
          return { error: 'unknown_metric', field: `${where}.metrics.${k}`, reason: `unknown metric '${metric}'; this host offers ${offered.join(', ')}` }
        }
      }
    }
    for (const [j, alert] of (screen.alerts ?? []).entries()) {
      const where = `${at}.alerts.${j}`
      if (!offered.includes(alert.metric)) {
        return { error: 'unknown_metric', field: `${where}.metric`, reason: `unknown metric '${alert.metric}'; this host offers ${offered.join(', ')}` }
      }
      if (alert.clear_below > alert.above) {
        return { error: 'bad_config', field: `${where}.clear_below`, reason: `clear_below ${alert.clear_below} is above the limit ${alert.above}; the alert would never clear` }
      }
    }
  }
  const shown = metricsOfScreens(screens).size
  if (shown > MAX_SCREEN_METRICS) {
    return { error: 'bad_config', field: 'screens', reason: `the screens show at most ${MAX_SCREEN_METRICS} different metrics in all, not ${shown}` }
  }
  return undefined
}

/** The metrics a config's screens need: every scene's, and every alert's (an alert watches its metric on any scene). */
export const screenMetrics = (config: SessionConfig): Set<string> => metricsOfScreens(config.screens ?? [])

const metricsOfScreens = (screens: readonly ScreenConfig[]): Set<string> => {
  const metrics = new Set<string>()
  for (const screen of screens) {
    for (const spec of screen.scenes) for (const metric of spec.metrics) metrics.add(metric)
    for (const alert of screen.alerts ?? []) metrics.add(alert.metric)
  }
  return metrics
}
