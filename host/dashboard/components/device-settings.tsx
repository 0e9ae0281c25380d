// A device's settings from the page: the metric of each meter, each screen's scenes, their figures, the carousel
// and alert limits, the update interval and the needle's ballistics. Only what the user changes is laid over the
// device's config when it is sent; a refusal is shown beside the field it names.
import { useState } from 'preact/hooks'
import type { ComponentChildren } from 'preact'
import type { AlertLimit, Ballistics, Output, SceneSpec, ScreenConfig } from '../../../schema/index.ts'
import { INTERVAL_MS } from '../../../schema/constants.ts'
import { SCENE_METRICS } from '../../screens/screen-config.ts'
import { DEFAULT_BALLISTICS, applyEdit, emptyEdit, errorIsFor, inputKeyOf, isEmptyEdit } from '../config-edit.ts'
import type { SettingsEdit } from '../config-edit.ts'
import { outcomeWords, sendConfig } from '../config-send.ts'
import type { Outcome } from '../config-send.ts'
import { isAnalog, isScreenOutput } from '../device-words.ts'
import type { ListedDevice } from '../host-state.ts'

type SceneName = keyof typeof SCENE_METRICS

interface FieldError {
  key: string
  reason: string
}

/** An input's label, its control, and the refusal about it (announced with the control). */
const Field = (props: { id: string; label: string; errors: FieldError[]; inputKey: string; children: (describedBy: string | undefined, invalid: boolean) => ComponentChildren }) => {
  // An error about a whole list (`…metrics`) is shown at its first item.
  const error = props.errors.find((e) => errorIsFor(e.key, props.inputKey) || (props.inputKey === `${e.key}.0`))
  const errorId = `${props.id}-error`
  return (
    <div class={`field${error === undefined ? '' : ' invalid'}`} data-key={props.inputKey}>
      <label for={props.id}>{props.label}</label>
      {props.children(error === undefined ? undefined : errorId, error !== undefined)}
      {error === undefined ? null : (
        <p id={errorId} class="field-error">
          {error.reason}
        </p>
      )}
    </div>
  )
}

const MetricSelect = (props: { id: string; value: string; metrics: readonly string[]; onChange: (metric: string) => void; optional?: boolean; describedBy: string | undefined; invalid: boolean }) => {
  const options = props.metrics.includes(props.value) || props.value === '' ? props.metrics : [props.value, ...props.metrics]
  return (
    <select
      id={props.id}
      value={props.value}
      aria-describedby={props.describedBy}
      aria-invalid={props.invalid}
      onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}
    >
      {props.optional === true ? <option value="">(none)</option> : null}
      {options.map((m) => (
        <option value={m}>{m}</option>
      ))}
    </select>
  )
}

const sceneWith = (scene: SceneName, before: SceneSpec, metrics: readonly string[]): SceneSpec => {
  const { min, max } = SCENE_METRICS[scene]
  const chosen = before.metrics.slice(0, max)
  for (const m of scene === 'network' ? ['net_rx', 'net_tx'] : metrics) {
    if (chosen.length >= min) break
    if (!chosen.includes(m) && metrics.includes(m)) chosen.push(m)
  }
  return { scene, metrics: chosen }
}

const ScreenSettings = (props: { prefix: string; output: Output; screen: ScreenConfig; metrics: readonly string[]; errors: FieldError[]; onChange: (screen: ScreenConfig) => void }) => {
  const { screen, metrics, errors, prefix } = props
  const key = `screen.${props.output.id}`
  const setScene = (i: number, scene: SceneSpec): void => props.onChange({ ...screen, scenes: screen.scenes.map((s, j) => (j === i ? scene : s)) })
  const alerts = screen.alerts ?? []
  const setAlerts = (next: AlertLimit[]): void => {
    const { alerts: _old, ...rest } = screen
    props.onChange(next.length === 0 ? rest : { ...rest, alerts: next })
  }
  const sceneNames = (Object.keys(SCENE_METRICS) as SceneName[]).filter((s) => s !== 'stream' || screen.scenes.some((x) => x.scene === 'stream'))
  return (
    <fieldset class="screen-settings">
      <legend>
        Screen {props.output.id} ({props.output.kind.toUpperCase()} {props.output.width}×{props.output.height})
      </legend>
      <ol class="scenes">
        {screen.scenes.map((scene, i) => {
          const limits = SCENE_METRICS[scene.scene as SceneName] ?? { min: 0, max: 0 }
          return (
            <li class="scene-row">
              <Field id={`${prefix}-scene-${i}`} label={`Scene ${i + 1}`} errors={errors} inputKey={`${key}.scenes.${i}.scene`}>
                {(describedBy, invalid) => (
                  <select
                    id={`${prefix}-scene-${i}`}
                    value={scene.scene}
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                    onChange={(e) => setScene(i, sceneWith((e.currentTarget as HTMLSelectElement).value as SceneName, scene, metrics))}
                  >
                    {sceneNames.map((s) => (
                      <option value={s}>{s}</option>
                    ))}
                  </select>
                )}
              </Field>
              {Array.from({ length: limits.max }, (_, m) => (
                <Field
                  id={`${prefix}-scene-${i}-metric-${m}`}
                  label={scene.scene === 'network' ? (m === 0 ? 'Received' : 'Sent') : limits.max === 1 ? 'Figure' : `Figure ${m + 1}`}
                  errors={errors}
                  inputKey={`${key}.scenes.${i}.metrics.${m}`}
                >
                  {(describedBy, invalid) => (
                    <MetricSelect
                      id={`${prefix}-scene-${i}-metric-${m}`}
                      value={scene.metrics[m] ?? ''}
                      metrics={metrics}
                      optional={m >= limits.min}
                      describedBy={describedBy}
                      invalid={invalid}
                      onChange={(metric) => {
                        const next = [...scene.metrics]
                        next[m] = metric
                        setScene(i, { ...scene, metrics: next.filter((x) => x !== '' && x !== undefined) })
                      }}
                    />
                  )}
                </Field>
              ))}
              <button
                type="button"
                class="small"
                disabled={screen.scenes.length <= 1}
                aria-label={`Remove scene ${i + 1} of screen ${props.output.id}`}
                onClick={() => props.onChange({ ...screen, scenes: screen.scenes.filter((_, j) => j !== i) })}
              >
                Remove
              </button>
            </li>
          )
        })}
      </ol>
      <button
        type="button"
        class="small"
        disabled={screen.scenes.length >= 8}
        onClick={() => props.onChange({ ...screen, scenes: [...screen.scenes, sceneWith('metric', { scene: 'metric', metrics: [] }, metrics)] })}
      >
        Add a scene
      </button>
      <Field id={`${prefix}-carousel`} label="Turn scenes every (seconds; empty: the button steps)" errors={errors} inputKey={`${key}.carousel_ms`}>
        {(describedBy, invalid) => (
          <input
            id={`${prefix}-carousel`}
            type="number"
            min={1}
            max={3600}
            step={1}
            value={screen.carousel_ms === undefined ? '' : screen.carousel_ms / 1000}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onInput={(e) => {
              const text = (e.currentTarget as HTMLInputElement).value
              const { carousel_ms: _old, ...rest } = screen
              props.onChange(text === '' ? rest : { ...rest, carousel_ms: Math.round(Number(text) * 1000) })
            }}
          />
        )}
      </Field>
      <h4>Alert limits</h4>
      {alerts.length === 0 ? <p class="empty">None.</p> : null}
      <ol class="alerts">
        {alerts.map((alert, i) => (
          <li class="alert-row">
            <Field id={`${prefix}-alert-${i}-metric`} label="Figure" errors={errors} inputKey={`${key}.alerts.${i}.metric`}>
              {(describedBy, invalid) => (
                <MetricSelect
                  id={`${prefix}-alert-${i}-metric`}
                  value={alert.metric}
                  metrics={metrics}
                  describedBy={describedBy}
                  invalid={invalid}
                  onChange={(metric) => setAlerts(alerts.map((a, j) => (j === i ? { ...a, metric } : a)))}
                />
              )}
            </Field>
            {(['above', 'clear_below'] as const).map((which) => (
              <Field id={`${prefix}-alert-${i}-${which}`} label={which === 'above' ? 'Alert above %' : 'Clear below %'} errors={errors} inputKey={`${key}.alerts.${i}.${which}`}>
                {(describedBy, invalid) => (
                  <input
                    id={`${prefix}-alert-${i}-${which}`}
                    type="number"
                    min={0}
                    max={100}
                    step="any"
                    value={alert[which]}
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                    onInput={(e) => setAlerts(alerts.map((a, j) => (j === i ? { ...a, [which]: Number((e.currentTarget as HTMLInputElement).value) } : a)))}
                  />
                )}
              </Field>
            ))}
            <button type="button" class="small" aria-label={`Remove alert limit ${i + 1} of screen ${props.output.id}`} onClick={() => setAlerts(alerts.filter((_, j) => j !== i))}>
              Remove
            </button>
          </li>
        ))}
      </ol>
      <button
        type="button"
        class="small"
        disabled={alerts.length >= 8}
        onClick={() => setAlerts([...alerts, { metric: metrics.includes('gpu_temp') ? 'gpu_temp' : (metrics[0] ?? 'vram'), above: 90, clear_below: 85 }])}
      >
        Add an alert limit
      </button>
    </fieldset>
  )
}

export const DeviceSettings = ({ device, metrics, token }: { device: ListedDevice; metrics: readonly string[]; token: string }) => {
  const [edit, setEdit] = useState<SettingsEdit>(emptyEdit)
  const [errors, setErrors] = useState<FieldError[]>([])
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const [busy, setBusy] = useState(false)
  const config = device.config
  const prefix = `settings-${device.id.replace(/[^A-Za-z0-9_-]/g, '_')}`
  const ballistics: Ballistics = edit.ballistics ?? config.ballistics ?? DEFAULT_BALLISTICS
  const change = (next: Partial<SettingsEdit>): void => {
    setEdit({ ...edit, ...next })
    setOutcome(null)
  }

  const apply = async (event: Event): Promise<void> => {
    event.preventDefault()
    const sent = applyEdit(config, edit)
    setBusy(true)
    setErrors([])
    setOutcome(null)
    const result = await sendConfig(token, device.id, sent)
    setBusy(false)
    setOutcome(result)
    if (result.kind === 'refused') setErrors(result.field === undefined ? [] : [{ key: inputKeyOf(sent, result.field), reason: result.reason }])
    else if (result.kind !== 'failed') setEdit(emptyEdit())
  }

  return (
    <form class="settings-form" onSubmit={(e) => void apply(e)} aria-label={`settings of ${device.id}`}>
      {device.outputs.filter(isAnalog).map((output) => {
        const bound = edit.bindings[output.id] ?? config.bindings.find((b) => b.output === output.id)?.metric ?? ''
        return (
          <Field id={`${prefix}-binding-${output.id}`} label={`Metric on meter ${output.id}`} errors={errors} inputKey={`binding.${output.id}`}>
            {(describedBy, invalid) => (
              <MetricSelect
                id={`${prefix}-binding-${output.id}`}
                value={bound}
                metrics={metrics}
                describedBy={describedBy}
                invalid={invalid}
                onChange={(metric) => change({ bindings: { ...edit.bindings, [output.id]: metric } })}
              />
            )}
          </Field>
        )
      })}
      <div class="row">
        <Field id={`${prefix}-interval`} label="Update interval (ms)" errors={errors} inputKey="interval_ms">
          {(describedBy, invalid) => (
            <input
              id={`${prefix}-interval`}
              type="number"
              min={INTERVAL_MS.minimum}
              max={INTERVAL_MS.maximum}
              step={10}
              value={edit.intervalMs ?? config.interval_ms}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onInput={(e) => change({ intervalMs: Math.round(Number((e.currentTarget as HTMLInputElement).value)) })}
            />
          )}
        </Field>
        <Field id={`${prefix}-settle`} label="Needle settles in (ms, 50–5000)" errors={errors} inputKey="ballistics.settle_ms">
          {(describedBy, invalid) => (
            <input
              id={`${prefix}-settle`}
              type="number"
              min={50}
              max={5000}
              step={10}
              value={ballistics.settle_ms}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onInput={(e) => change({ ballistics: { ...ballistics, settle_ms: Math.round(Number((e.currentTarget as HTMLInputElement).value)) } })}
            />
          )}
        </Field>
        <Field id={`${prefix}-overshoot`} label="Overshoot (% of the step, 0–1.5)" errors={errors} inputKey="ballistics.overshoot_pct">
          {(describedBy, invalid) => (
            <input
              id={`${prefix}-overshoot`}
              type="number"
              min={0}
              max={1.5}
              step={0.1}
              value={ballistics.overshoot_pct}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onInput={(e) => change({ ballistics: { ...ballistics, overshoot_pct: Number((e.currentTarget as HTMLInputElement).value) } })}
            />
          )}
        </Field>
      </div>
      {device.outputs.filter(isScreenOutput).map((output) => {
        const screen = edit.screens[output.id] ?? config.screens?.find((s) => s.output === output.id)
        if (screen === undefined) return null
        return (
          <ScreenSettings
            prefix={`${prefix}-${output.id}`}
            output={output}
            screen={screen}
            metrics={metrics}
            errors={errors}
            onChange={(next) => change({ screens: { ...edit.screens, [output.id]: next } })}
          />
        )
      })}
      <div class="actions">
        <button type="submit" disabled={busy || isEmptyEdit(edit)}>
          {busy ? 'Applying…' : 'Apply'}
        </button>
        <button type="button" disabled={busy || isEmptyEdit(edit)} onClick={() => (setEdit(emptyEdit()), setErrors([]), setOutcome(null))}>
          Discard changes
        </button>
      </div>
      <p class={`outcome ${outcome?.kind ?? ''}`} role="status">
        {outcome === null ? '' : outcomeWords(outcome)}
      </p>
    </form>
  )
}
