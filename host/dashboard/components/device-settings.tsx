// A device's settings from the page: the metric of each meter, each screen's scenes, their figures, the carousel
// and alert limits, the update interval and the needle's ballistics. Only what the user changes is laid over the
// device's config when it is sent; a refusal is shown beside the field it names.
import { useState } from 'preact/hooks'
import type { ComponentChildren } from 'preact'
import type { AlertLimit, Ballistics, Output, SceneSpec, ScreenConfig } from '../../../schema/index.ts'
import { ALERTS_PER_SCREEN, CAROUSEL_MS, INTERVAL_MS, OVERSHOOT_PCT, PERCENT, SCENES_PER_SCREEN, SETTLE_MS } from '../../../schema/constants.ts'
import { SCENE_METRICS } from '../../screens/screen-config.ts'
import { DEFAULT_BALLISTICS, applyEdit, emptyEdit, errorIsFor, inputKeyOf, isEmptyEdit } from '../config-edit.ts'
import type { SettingsEdit } from '../config-edit.ts'
import { outcomeWords, sendConfig } from '../config-send.ts'
import type { Outcome } from '../config-send.ts'
import { isAnalog, isScreenOutput } from '../device-words.ts'
import type { ListedDevice } from '../host-state.ts'

type SceneName = keyof typeof SCENE_METRICS

/** The carousel's bounds in seconds, as the page asks for them. */
const CAROUSEL_SECONDS = { minimum: CAROUSEL_MS.minimum / 1_000, maximum: CAROUSEL_MS.maximum / 1_000 }

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

/** A number input in a Field; `value` '' leaves it empty, and `onValue` gets what was typed, as the input's text. */
const NumberField = (props: {
  id: string
  label: string
  errors: FieldError[]
  inputKey: string
  range: { minimum: number; maximum: number }
  step: number | 'any'
  value: number | ''
  onValue: (text: string) => void
}) => (
  <Field id={props.id} label={props.label} errors={props.errors} inputKey={props.inputKey}>
    {(describedBy, invalid) => (
      <input
        id={props.id}
        type="number"
        min={props.range.minimum}
        max={props.range.maximum}
        step={props.step}
        value={props.value}
        aria-describedby={describedBy}
        aria-invalid={invalid}
        onInput={(e) => props.onValue((e.currentTarget as HTMLInputElement).value)}
      />
    )}
  </Field>
)

/** A list the user edits: each item's fields and its Remove button, then an Add button until the list is full. */
const EditableList = <Item,>(props: {
  class: string
  rowClass: string
  items: readonly Item[]
  minItems: number
  maxItems: number
  removeLabel: (index: number) => string
  addLabel: string
  newItem: () => Item
  onChange: (items: Item[]) => void
  children: (item: Item, index: number) => ComponentChildren
}) => (
  <>
    <ol class={props.class}>
      {props.items.map((item, i) => (
        <li class={props.rowClass}>
          {props.children(item, i)}
          <button
            type="button"
            class="small"
            disabled={props.items.length <= props.minItems}
            aria-label={props.removeLabel(i)}
            onClick={() => props.onChange(props.items.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </li>
      ))}
    </ol>
    <button type="button" class="small" disabled={props.items.length >= props.maxItems} onClick={() => props.onChange([...props.items, props.newItem()])}>
      {props.addLabel}
    </button>
  </>
)

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
      <EditableList
        class="scenes"
        rowClass="scene-row"
        items={screen.scenes}
        minItems={SCENES_PER_SCREEN.minimum}
        maxItems={SCENES_PER_SCREEN.maximum}
        removeLabel={(i) => `Remove scene ${i + 1} of screen ${props.output.id}`}
        addLabel="Add a scene"
        newItem={() => sceneWith('metric', { scene: 'metric', metrics: [] }, metrics)}
        onChange={(scenes) => props.onChange({ ...screen, scenes })}
      >
        {(scene, i) => {
          const limits = SCENE_METRICS[scene.scene as SceneName] ?? { min: 0, max: 0 }
          return (
            <>
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
            </>
          )
        }}
      </EditableList>
      <NumberField
        id={`${prefix}-carousel`}
        label="Turn scenes every (seconds; empty: the button steps)"
        errors={errors}
        inputKey={`${key}.carousel_ms`}
        range={CAROUSEL_SECONDS}
        step={1}
        value={screen.carousel_ms === undefined ? '' : screen.carousel_ms / 1000}
        onValue={(text) => {
          const { carousel_ms: _old, ...rest } = screen
          props.onChange(text === '' ? rest : { ...rest, carousel_ms: Math.round(Number(text) * 1000) })
        }}
      />
      <h4>Alert limits</h4>
      {alerts.length === 0 ? <p class="empty">None.</p> : null}
      <EditableList
        class="alerts"
        rowClass="alert-row"
        items={alerts}
        minItems={0}
        maxItems={ALERTS_PER_SCREEN}
        removeLabel={(i) => `Remove alert limit ${i + 1} of screen ${props.output.id}`}
        addLabel="Add an alert limit"
        newItem={() => ({ metric: metrics.includes('gpu_temp') ? 'gpu_temp' : (metrics[0] ?? 'vram'), above: 90, clear_below: 85 })}
        onChange={setAlerts}
      >
        {(alert, i) => (
          <>
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
              <NumberField
                id={`${prefix}-alert-${i}-${which}`}
                label={which === 'above' ? 'Alert above %' : 'Clear below %'}
                errors={errors}
                inputKey={`${key}.alerts.${i}.${which}`}
                range={PERCENT}
                step="any"
                value={alert[which]}
                onValue={(text) => setAlerts(alerts.map((a, j) => (j === i ? { ...a, [which]: Number(text) } : a)))}
              />
            ))}
          </>
        )}
      </EditableList>
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
        <NumberField
          id={`${prefix}-interval`}
          label="Update interval (ms)"
          errors={errors}
          inputKey="interval_ms"
          range={INTERVAL_MS}
          step={10}
          value={edit.intervalMs ?? config.interval_ms}
          onValue={(text) => change({ intervalMs: Math.round(Number(text)) })}
        />
        <NumberField
          id={`${prefix}-settle`}
          label={`Needle settles in (ms, ${SETTLE_MS.minimum}–${SETTLE_MS.maximum})`}
          errors={errors}
          inputKey="ballistics.settle_ms"
          range={SETTLE_MS}
          step={10}
          value={ballistics.settle_ms}
          onValue={(text) => change({ ballistics: { ...ballistics, settle_ms: Math.round(Number(text)) } })}
        />
        <NumberField
          id={`${prefix}-overshoot`}
          label={`Overshoot (% of the step, ${OVERSHOOT_PCT.minimum}–${OVERSHOOT_PCT.maximum})`}
          errors={errors}
          inputKey="ballistics.overshoot_pct"
          range={OVERSHOOT_PCT}
          step={0.1}
          value={ballistics.overshoot_pct}
          onValue={(text) => change({ ballistics: { ...ballistics, overshoot_pct: Number(text) } })}
        />
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
