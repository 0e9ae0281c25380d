// What one device's screen shows now, as plain data for the scenes module: the scene its status names, the figures of
// that scene from the newest frames the host sent the device, and the histories the device holds (sans-IO).
import type { MetricFrame, ScreenShown, SessionConfig } from '../../schema/index.ts'
import type { SentRecord } from '../hub/sent-record.ts'
import type { FigureInput, LinkInput } from './scenes-module.ts'
import type { Scene } from './screen-config.ts'
import { SCENES } from './screen-config.ts'

/** A figure with its history (percent, oldest first, NaN for a gap). */
export interface ViewFigure extends FigureInput {
  history: readonly number[]
}

/** Everything one render takes. */
export interface ScreenView {
  scene: Scene
  figures: ViewFigure[]
  /** The figure slot past its limit, and the limit, while an alert has the screen. */
  alert?: { slot: number; limit: number }
  link: LinkInput
}

/** A figure from the newest frame of its metric, as the device shows it: a stale or null value is never live. */
export const figureOfFrame = (metric: string, frame: MetricFrame | undefined): FigureInput => {
  if (frame === undefined) return { metric, state: 'no_data', percent: 0 }
  if (frame.value === null) return { metric, state: frame.reason?.startsWith('stale') === true ? 'stale' : 'unreadable', percent: 0 }
  return {
    metric,
    state: 'live',
    percent: frame.value,
    ...(frame.raw !== undefined ? { raw: frame.raw } : {}),
    ...(frame.unit !== undefined ? { unit: frame.unit } : {}),
    ...(frame.used !== undefined ? { used: frame.used } : {}),
    ...(frame.total !== undefined ? { total: frame.total } : {}),
  }
}

export interface DeviceScreen {
  config: SessionConfig
  /** What the device says this screen shows; undefined before it said. */
  shown: ScreenShown | undefined
  sent: SentRecord
}

/**
 * The view of `output` on a device at `now`. The scene is the one the device's status names (its first scene before
 * it said); a figure whose newest frame is older than the session's stale timeout has no data, as on the device.
 * Undefined when the device has no such screen in its config.
 */
export const deviceScreenView = (device: DeviceScreen, output: string, now: number): ScreenView | undefined => {
  const screen = device.config.screens?.find((s) => s.output === output)
  if (screen === undefined) return undefined
  const figure = (metric: string): ViewFigure => {
    const sent = device.sent.latest(metric)
    const fresh = sent !== undefined && now - sent.at < device.config.stale_after_ms ? sent.frame : undefined
    return { ...figureOfFrame(metric, fresh), history: device.sent.history(metric) }
  }
  const live: LinkInput = { state: 'live' }
  const { shown } = device
  if (shown?.scene === 'state') return { scene: 'state', figures: [], link: { state: 'no_data' } }
  if (shown?.scene === 'alert' && shown.alert !== undefined) {
    const limit = screen.alerts?.find((a) => a.metric === shown.alert)?.above ?? 100
    return { scene: 'alert', figures: [figure(shown.alert)], alert: { slot: 0, limit }, link: live }
  }
  const named = shown === undefined ? -1 : screen.scenes.findIndex((s) => s.scene === shown.scene)
  const index = shown?.index !== undefined && screen.scenes[shown.index] !== undefined ? shown.index : Math.max(0, named)
  const spec = screen.scenes[index] ?? screen.scenes[0]
  const scene = (SCENES as readonly string[]).includes(spec?.scene ?? '') ? (spec?.scene as Scene) : 'hub'
  return { scene, figures: (spec?.metrics ?? []).map(figure), link: live }
}
