// One connected board: its link, signal, uptime, firmware, last reset and status LED in words; its firmware update; a
// virtual meter for each analog output and a live mirror of each screen; its settings and the calibration wizard.
import { useState } from 'preact/hooks'
import type { MetricFrame } from '../../../schema/index.ts'
import { duration, isAnalog, isScreenOutput, lightWords, resetWords } from '../device-words.ts'
import type { HostHello, ListedDevice } from '../host-state.ts'
import { metricName } from '../units.ts'
import { CalibrationWizard } from './calibration-wizard.tsx'
import { DeviceSettings } from './device-settings.tsx'
import { FirmwareUpdate } from './firmware-update.tsx'
import { MeterDial } from './meter-dial.tsx'
import { ScreenMirror } from './screen-mirror.tsx'
import { SignalBars } from './signal-bars.tsx'

/** How long a device that asked to be identified is pointed out. */
const IDENTIFY_MS = 10_000

export interface DeviceCardProps {
  device: ListedDevice
  hello: HostHello | null
  metrics: Record<string, MetricFrame>
  token: string
  now: number
}

const frameOf = (metrics: Record<string, MetricFrame>, name: string): MetricFrame | undefined =>
  metrics[name] ?? Object.values(metrics).find((f) => metricName(f) === name)

export const DeviceCard = ({ device, hello, metrics, token, now }: DeviceCardProps) => {
  const [calibrating, setCalibrating] = useState(false)
  const status = device.lastStatus
  const identified = device.identifiedAt !== null && now - Date.parse(device.identifiedAt) < IDENTIFY_MS
  const light = status?.light
  const headingId = `device-${device.id.replace(/[^A-Za-z0-9_-]/g, '_')}`
  const analog = device.outputs.filter(isAnalog)
  // The screens show every figure, so any new figure (or a new scene) may change their picture.
  const figuresKey = Object.values(metrics)
    .map((f) => `${f.seq ?? ''}:${f.value ?? 'x'}`)
    .join(',')
  const screensKey = JSON.stringify([device.screens, device.config.screens])
  const offered = hello?.metrics ?? [...new Set(Object.values(metrics).map(metricName))]
  return (
    <article class={`device${identified ? ' identified' : ''}`} aria-labelledby={headingId} data-device={device.id}>
      <header>
        <h3 id={headingId}>{device.id}</h3>
        <p class={`light light-${light ?? 'none'}`}>
          <span class="dot" aria-hidden="true" />
          <span>{lightWords(light)}</span>
        </p>
      </header>
      {identified ? <p class="identify-note" role="status">This board asked to be pointed out.</p> : null}
      <dl class="facts">
        <div>
          <dt>Link</dt>
          <dd>{status === null ? 'no status yet' : status.link}</dd>
        </div>
        <div>
          <dt>Signal</dt>
          <dd>
            <SignalBars rssi={status?.rssi} />
          </dd>
        </div>
        <div>
          <dt>Up</dt>
          <dd>{status === null ? '' : duration(status.uptime_ms)}</dd>
        </div>
        <div>
          <dt>Firmware</dt>
          <dd class="firmware">{device.firmware}</dd>
        </div>
        <div>
          <dt>Chip</dt>
          <dd>{device.chip}</dd>
        </div>
        <div>
          <dt>Last reset</dt>
          <dd>{resetWords(status?.reset_reason)}</dd>
        </div>
        <div>
          <dt>Address</dt>
          <dd>{status?.ip === undefined ? device.remoteAddress : `${status.ip}`}</dd>
        </div>
        {status?.host === undefined ? null : (
          <div>
            <dt>Host</dt>
            <dd>{status.host}</dd>
          </div>
        )}
        <div>
          <dt>Heap free</dt>
          <dd>{status === null ? '' : `${Math.round(status.heap_free / 1024)} KiB`}</dd>
        </div>
        <div>
          <dt>Frames</dt>
          <dd>{(device.framesDropped ?? 0) > 0 ? `${device.framesSent} sent, ${device.framesDropped} skipped` : `${device.framesSent} sent`}</dd>
        </div>
        <div>
          <dt>Connected</dt>
          <dd>{new Date(device.connectedSince).toLocaleTimeString()}</dd>
        </div>
        {status?.missing === undefined ? null : (
          <div class="warn">
            <dt>Missing parts</dt>
            <dd>{status.missing.join(', ')}</dd>
          </div>
        )}
      </dl>
      {device.lastError === undefined || device.lastError === null ? null : (
        <p class="error">
          Last error: {device.lastError.code}: {device.lastError.reason}
        </p>
      )}
      <FirmwareUpdate
        device={device.id}
        firmware={device.firmware}
        available={device.update?.available ?? null}
        progress={status?.update}
        token={token}
        idPrefix={headingId}
      />
      <div class="outputs">
        {analog.map((output) => {
          const metric = device.config.bindings.find((b) => b.output === output.id)?.metric ?? ''
          return (
            <MeterDial
              output={output.id}
              metric={metric}
              bits={output.bits}
              ballistics={device.config.ballistics}
              calibration={(device.calibration ?? status?.calibration)?.find((c) => c.output === output.id)?.points}
              staleAfterMs={device.config.stale_after_ms}
              frame={frameOf(metrics, metric)}
              heldCode={(device.held ?? status?.held)?.find((h) => h.output === output.id)?.code}
            />
          )
        })}
        {device.outputs.filter(isScreenOutput).map((output) => (
          <ScreenMirror device={device.id} output={output} token={token} changeKey={`${figuresKey}|${screensKey}`} />
        ))}
      </div>
      <details class="settings">
        <summary>Settings</summary>
        <DeviceSettings device={device} metrics={offered} token={token} />
      </details>
      {analog.length > 0 ? (
        <div class="actions">
          <button type="button" onClick={() => setCalibrating(true)}>
            Calibrate…
          </button>
        </div>
      ) : null}
      {calibrating ? <CalibrationWizard device={device} token={token} onClose={() => setCalibrating(false)} /> : null}
    </article>
  )
}
