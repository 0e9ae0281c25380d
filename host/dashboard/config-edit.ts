// The settings a user changed on the page, laid over the device's current config to make the full SessionConfig that
// PUT /api/devices/:id/config takes; and the host's `field` of a refusal turned into the key of the input it is about.
import type { Ballistics, ScreenConfig, SessionConfig } from '../../schema/index.ts'

/** Only what the user changed; everything else comes from the device's config as it is when the edit is applied. */
export interface SettingsEdit {
  /** Output id → the metric the user chose for it. */
  bindings: Record<string, string>
  intervalMs?: number
  ballistics?: Ballistics
  /** Output id → the screen layout as the user left it. */
  screens: Record<string, ScreenConfig>
}

export const emptyEdit = (): SettingsEdit => ({ bindings: {}, screens: {} })

export const isEmptyEdit = (edit: SettingsEdit): boolean =>
  Object.keys(edit.bindings).length === 0 && Object.keys(edit.screens).length === 0 && edit.intervalMs === undefined && edit.ballistics === undefined

/** The ballistics a device uses when its config names none (firmware-rs/device: about 300 ms to 99 %, no overshoot). */
export const DEFAULT_BALLISTICS: Ballistics = { settle_ms: 300, overshoot_pct: 0 }

/**
 * The full config to send: the device's `current` config with the user's changes, and without the host's
 * confirmation id (the host sets its own).
 */
export const applyEdit = (current: SessionConfig, edit: SettingsEdit): SessionConfig => {
  const { id: _id, ...rest } = current
  const bindings = current.bindings.map((b) => (edit.bindings[b.output] === undefined ? b : { output: b.output, metric: edit.bindings[b.output] as string }))
  for (const [output, metric] of Object.entries(edit.bindings)) {
    if (!bindings.some((b) => b.output === output)) bindings.push({ output, metric })
  }
  const config: SessionConfig = { ...rest, bindings }
  if (edit.intervalMs !== undefined) config.interval_ms = edit.intervalMs
  if (edit.ballistics !== undefined) config.ballistics = edit.ballistics
  const edited = Object.values(edit.screens)
  if (edited.length > 0) {
    const screens = (current.screens ?? []).map((s) => edit.screens[s.output] ?? s)
    for (const screen of edited) if (!screens.some((s) => s.output === screen.output)) screens.push(screen)
    config.screens = screens
  }
  // A curve is sent only by the calibration wizard; settings leave the stored curves as they are.
  delete config.calibration
  return config
}

/**
 * The key of the input a refusal's `field` names in the config that was `sent`: `bindings.0.metric` is the metric
 * of the output bound first (`binding.meter`), `screens.0.alerts.1.above` that of the first screen's output
 * (`screen.oled.alerts.1.above`). Fields outside a list keep their own path.
 */
export const inputKeyOf = (sent: SessionConfig, field: string): string => {
  const parts = field.split('.')
  const [head, index, ...rest] = parts
  if (head === 'bindings' && index !== undefined) {
    const binding = sent.bindings[Number(index)]
    return binding === undefined ? field : `binding.${binding.output}`
  }
  if (head === 'screens' && index !== undefined) {
    const screen = sent.screens?.[Number(index)]
    return screen === undefined ? field : ['screen', screen.output, ...rest].join('.')
  }
  return field
}

/** Whether an error keyed `errorKey` is about the input keyed `inputKey` (itself, or a part inside it). */
export const errorIsFor = (errorKey: string, inputKey: string): boolean => errorKey === inputKey || errorKey.startsWith(`${inputKey}.`)
