// The checks a session config's `streams` must pass against the device's hello and screens before the host starts
// them, each refusal naming its field as the screens checks do (`streams.0.region`).
import type { Hello, SessionConfig } from '../../schema/index.ts'
import type { ConfigScene, ScreenRefusal } from '../screens/screen-config.ts'
import { SCENE_METRICS, canStream, isScreen } from '../screens/screen-config.ts'

export type StreamConfig = NonNullable<SessionConfig['streams']>[number]
export type StreamEncoding = NonNullable<Hello['encodings']>[number]

/** Frames per second a stream aims for when its config names none. */
export const DEFAULT_STREAM_FPS = 30

/** The buffer a device that takes streams but announced none is assumed to have: the smallest the protocol allows. */
export const MIN_STREAM_BUFFER = 1_024

/** The scenes the host may draw for a stream: the config scenes but the stream itself. */
const DRAWN_SCENES = (Object.keys(SCENE_METRICS) as ConfigScene[]).filter((scene) => scene !== 'stream')

/** The stream's target rate. */
export const streamFps = (stream: StreamConfig): number => stream.fps ?? DEFAULT_STREAM_FPS

/** The largest binary frame the device takes. */
export const streamBuffer = (hello: Hello): number => hello.stream_buffer ?? MIN_STREAM_BUFFER

/** The metrics the streams' scenes show; the host samples them though the device may not be sent them. */
export const streamMetrics = (config: SessionConfig): Set<string> => {
  const metrics = new Set<string>()
  for (const stream of config.streams ?? []) if (stream.source === 'scene') for (const metric of stream.metrics ?? []) metrics.add(metric)
  return metrics
}

/**
 * The first reason the host could not stream `config.streams` to the device of `hello`, or undefined. A screen the
 * config leaves out shows the stream by default when it is streamed to; a screen that shows the stream scene needs a
 * stream. Whether a region lies inside the PC's screen is known only when the capture opens.
 */
export const checkStreams = (config: SessionConfig, hello: Hello, offered: readonly string[]): ScreenRefusal | undefined => {
  const streams = config.streams ?? []
  const tfts = hello.outputs.filter((o) => o.kind === 'tft' && isScreen(o))
  const seen = new Set<string>()
  for (const [i, stream] of streams.entries()) {
    const at = `streams.${i}`
    const output = hello.outputs.find((o) => o.id === stream.output)
    if (output === undefined) {
      const has = hello.outputs.map((o) => o.id).join(', ')
      return { error: 'unknown_output', field: `${at}.output`, reason: `unknown output '${stream.output}'; the device has ${has}` }
    }
    if (output.kind !== 'tft' || !isScreen(output)) {
      const screens = tfts.map((o) => o.id).join(', ') || 'none'
      return { error: 'bad_config', field: `${at}.output`, reason: `output '${output.id}' is not a tft screen, and only a tft shows a stream; the device's tft screens: ${screens}` }
    }
    if (!canStream(output, hello.encodings)) {
      return { error: 'bad_config', field: `${at}.output`, reason: `device '${hello.device}' announced no stream encodings in its hello, so it takes no stream` }
    }
    if (seen.has(output.id)) return { error: 'bad_config', field: `${at}.output`, reason: `screen '${output.id}' is streamed to twice` }
    seen.add(output.id)
    const screen = (config.screens ?? []).findIndex((s) => s.output === output.id)
    if (screen >= 0 && !(config.screens?.[screen]?.scenes ?? []).some((s) => s.scene === 'stream')) {
      return {
        error: 'bad_config',
        field: `${at}.output`,
        reason: `screen '${output.id}' does not show the stream; add {"scene": "stream", "metrics": []} to screens.${screen}.scenes`,
      }
    }
    const refused = stream.source === 'region' ? checkRegion(stream, at) : checkScene(stream, at, offered)
    if (refused !== undefined) return refused
  }
  for (const [i, screen] of (config.screens ?? []).entries()) {
    const j = screen.scenes.findIndex((s) => s.scene === 'stream')
    if (j >= 0 && !seen.has(screen.output)) {
      return { error: 'bad_config', field: `screens.${i}.scenes.${j}.scene`, reason: `screen '${screen.output}' shows the stream, but streams names no stream for it` }
    }
  }
  return undefined
}

const checkRegion = (stream: StreamConfig, at: string): ScreenRefusal | undefined =>
  stream.region === undefined
    ? { error: 'bad_config', field: `${at}.region`, reason: "a region stream needs region {x, y}: the top left corner on the PC's screen; its size is the tft's" }
    : undefined

/**
 * The first reason `stream` (at field `at`) is wrong for any device: a region stream without its region, a scene
 * stream whose scene the host does not draw or with the wrong number of metrics. Whether the metrics exist is left to
 * the check against a device (the host's offered metrics), as it is for screens.
 */
export const checkStreamSource = (stream: StreamConfig, at: string): ScreenRefusal | undefined =>
  stream.source === 'region' ? checkRegion(stream, at) : checkScene(stream, at, undefined)

const checkScene = (stream: StreamConfig, at: string, offered: readonly string[] | undefined): ScreenRefusal | undefined => {
  const scene = stream.scene
  if (scene === undefined || !(DRAWN_SCENES as string[]).includes(scene)) {
    const named = scene === undefined ? 'no scene' : `unknown scene '${scene}'`
    return { error: 'bad_config', field: `${at}.scene`, reason: `${named}; a scene stream draws one of ${DRAWN_SCENES.join(', ')}` }
  }
  const bounds = SCENE_METRICS[scene as ConfigScene]
  const metrics = stream.metrics ?? []
  if (metrics.length < bounds.min || metrics.length > bounds.max) {
    const wants = bounds.min === bounds.max ? `exactly ${bounds.min}` : `${bounds.min} to ${bounds.max}`
    return { error: 'bad_config', field: `${at}.metrics`, reason: `the ${scene} scene shows ${wants} metric${bounds.max === 1 ? '' : 's'}, not ${metrics.length}` }
  }
  for (const [k, metric] of metrics.entries()) {
    if (offered !== undefined && !offered.includes(metric)) {
      return { error: 'unknown_metric', field: `${at}.metrics.${k}`, reason: `unknown metric '${metric}'; this host offers ${offered.join(', ')}` }
    }
  }
  return undefined
}

/** A capture that would not open, as the refusal of the stream's field that caused it. */
export const captureRefusal = (i: number, reason: string): ScreenRefusal => ({ error: 'bad_config', field: `streams.${i}.region`, reason })
