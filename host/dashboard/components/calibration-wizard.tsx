// The calibration wizard (a modal dialog): for one analog output it holds the needle at a raw code for each mark
// (PUT …/outputs/:output/hold, renewed while open), the user nudges the code until the needle sits on the mark, and
// Save sends the curve in a config the device confirms. Closing the wizard releases the hold.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { CalibrationPoint, Output } from '../../../schema/index.ts'
import { DEFAULT_MARKS, codeAt, curveProblem, maxCode, nudge, parseMarks } from '../calibration.ts'
import { applyEdit, emptyEdit } from '../config-edit.ts'
import { outcomeWords, sendConfig } from '../config-send.ts'
import type { Outcome } from '../config-send.ts'
import { isAnalog } from '../device-words.ts'
import { callHost, reasonOf } from '../host-link.ts'
import type { ListedDevice } from '../host-state.ts'

/** How often the hold is renewed; the host gives each hold a 5 s lease. */
const RENEW_MS = 2_000

const outputPath = (device: string, output: string): string => `/api/devices/${encodeURIComponent(device)}/outputs/${encodeURIComponent(output)}`

export interface WizardProps {
  device: ListedDevice
  token: string
  onClose: () => void
}

export const CalibrationWizard = ({ device, token, onClose }: WizardProps) => {
  const dialog = useRef<HTMLDialogElement>(null)
  const analog = device.outputs.filter(isAnalog)
  const [outputId, setOutputId] = useState(analog[0]?.id ?? '')
  const output = analog.find((o) => o.id === outputId) as Output | undefined
  const bits = output?.bits ?? 10
  const stored = device.lastStatus?.calibration?.find((c) => c.output === outputId)?.points
  const [marksText, setMarksText] = useState(DEFAULT_MARKS.join(', '))
  const [points, setPoints] = useState<CalibrationPoint[] | null>(null)
  const [step, setStep] = useState(0)
  const [message, setMessage] = useState('')
  const [holdProblem, setHoldProblem] = useState('')
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const [busy, setBusy] = useState(false)
  const code = points?.[step]?.code

  useEffect(() => {
    dialog.current?.showModal()
  }, [])

  // Hold the output at the current mark's code: at once when it changes, and again before the lease runs out.
  useEffect(() => {
    if (code === undefined || outputId === '') return
    let stopped = false
    const hold = async (): Promise<void> => {
      try {
        const answer = await callHost(token, 'PUT', `${outputPath(device.id, outputId)}/hold`, { code })
        if (!stopped) setHoldProblem(answer.status >= 200 && answer.status < 300 ? '' : `The needle is not held: ${reasonOf(answer)}`)
      } catch (error) {
        if (!stopped) setHoldProblem(`The needle is not held: ${(error as Error).message}`)
      }
    }
    void hold()
    const renew = setInterval(() => void hold(), RENEW_MS)
    return () => {
      stopped = true
      clearInterval(renew)
    }
  }, [code, outputId, token, device.id])

  // Leaving an output (or the wizard) lets it go back to live figures at once, rather than when the lease lapses.
  useEffect(() => {
    if (points === null || outputId === '') return
    return () => void callHost(token, 'DELETE', `${outputPath(device.id, outputId)}/hold`).catch(() => undefined)
  }, [points === null, outputId])

  const start = (): void => {
    const parsed = parseMarks(marksText)
    if ('error' in parsed) {
      setMessage(`Marks: ${parsed.error}`)
      return
    }
    setMessage('')
    setOutcome(null)
    setPoints(parsed.marks.map((percent) => ({ percent, code: codeAt(stored, percent, bits) })))
    setStep(0)
  }

  const setCode = (next: number): void => {
    if (points === null) return
    setPoints(points.map((p, i) => (i === step ? { ...p, code: next } : p)))
    setOutcome(null)
  }
  const move = (delta: number): void => {
    if (code !== undefined) setCode(nudge(code, delta, bits))
  }

  const onKey = (event: KeyboardEvent): void => {
    const big = event.shiftKey ? 10 : 1
    const deltas: Record<string, number> = { ArrowUp: big, ArrowRight: big, ArrowDown: -big, ArrowLeft: -big, PageUp: 10, PageDown: -10 }
    if (event.key in deltas) move(deltas[event.key] as number)
    else if (event.key === 'Home') setCode(0)
    else if (event.key === 'End') setCode(maxCode(bits))
    else return
    event.preventDefault()
  }

  const save = async (): Promise<void> => {
    if (points === null) return
    const problem = curveProblem(points)
    if (problem !== undefined) {
      setMessage(`Not sent: ${problem}.`)
      return
    }
    setMessage('')
    setBusy(true)
    const config = { ...applyEdit(device.config, emptyEdit()), calibration: [{ output: outputId, points }] }
    const result = await sendConfig(token, device.id, config)
    setBusy(false)
    setOutcome(result)
  }

  const undo = async (): Promise<void> => {
    setBusy(true)
    try {
      const answer = await callHost(token, 'POST', `/api/devices/${encodeURIComponent(device.id)}/calibration/${encodeURIComponent(outputId)}/undo`)
      setMessage(answer.status === 202 || answer.status === 200 ? 'Undo sent: the board puts back the curve it had before.' : `Undo not sent: ${reasonOf(answer)}`)
    } catch (error) {
      setMessage(`Undo not sent: ${(error as Error).message}`)
    }
    setBusy(false)
  }

  const held = device.lastStatus?.held?.find((h) => h.output === outputId)
  const prefix = `wizard-${device.id.replace(/[^A-Za-z0-9_-]/g, '_')}`
  return (
    <dialog ref={dialog} class="wizard" aria-labelledby={`${prefix}-title`} onCancel={(e) => (e.preventDefault(), onClose())}>
      <h2 id={`${prefix}-title`}>Calibrate {device.id}</h2>
      <div class="row">
        <div class="field">
          <label for={`${prefix}-output`}>Output</label>
          <select id={`${prefix}-output`} value={outputId} disabled={points !== null} onChange={(e) => setOutputId((e.currentTarget as HTMLSelectElement).value)}>
            {analog.map((o) => (
              <option value={o.id}>{`${o.id} (${o.kind}, ${o.bits}-bit)`}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={`${prefix}-marks`}>Marks (percent)</label>
          <input id={`${prefix}-marks`} value={marksText} disabled={points !== null} onInput={(e) => setMarksText((e.currentTarget as HTMLInputElement).value)} />
        </div>
      </div>
      <p class="hint">
        Current curve: {stored === undefined ? 'none (linear)' : stored.map((p) => `${p.percent} % → ${p.code}`).join(', ')}
      </p>
      {points === null ? (
        <div class="actions">
          <button type="button" onClick={start}>
            Start: hold the needle at the first mark
          </button>
          <button type="button" disabled={busy || stored === undefined} onClick={() => void undo()}>
            Undo last calibration
          </button>
        </div>
      ) : (
        <>
          <h3>
            Mark {step + 1} of {points.length}: {points[step]?.percent} %
          </h3>
          <p>Nudge the code until the needle sits on the {points[step]?.percent} % mark (arrow keys: ±1, with Shift ±10).</p>
          <div class="nudge" role="group" aria-label="nudge the code">
            <button type="button" aria-label="Code minus 10" onClick={() => move(-10)}>
              −10
            </button>
            <button type="button" aria-label="Code minus 1" onClick={() => move(-1)}>
              −1
            </button>
            <div
              class="code"
              role="spinbutton"
              tabIndex={0}
              aria-label={`output code for the ${points[step]?.percent} % mark`}
              aria-valuemin={0}
              aria-valuemax={maxCode(bits)}
              aria-valuenow={code}
              onKeyDown={onKey}
              id={`${prefix}-code`}
            >
              {code}
            </div>
            <button type="button" aria-label="Code plus 1" onClick={() => move(1)}>
              +1
            </button>
            <button type="button" aria-label="Code plus 10" onClick={() => move(10)}>
              +10
            </button>
          </div>
          <p class="hint" role="status">
            {holdProblem !== '' ? holdProblem : held === undefined ? 'Waiting for the board to hold the needle…' : `The board holds ${outputId} at code ${held.code}.`}
          </p>
          <table class="points">
            <caption>The curve so far</caption>
            <thead>
              <tr>
                <th scope="col">Mark</th>
                <th scope="col">Code</th>
              </tr>
            </thead>
            <tbody>
              {points.map((p, i) => (
                <tr class={i === step ? 'current' : ''} aria-current={i === step ? 'step' : undefined}>
                  <td>{p.percent} %</td>
                  <td>{p.code}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="actions">
            <button type="button" disabled={step === 0} onClick={() => setStep(step - 1)}>
              Previous mark
            </button>
            <button type="button" disabled={step >= points.length - 1} onClick={() => setStep(step + 1)}>
              Next mark
            </button>
            <button type="button" disabled={busy} onClick={() => void save()}>
              Save the curve
            </button>
            <button type="button" disabled={busy} onClick={() => void undo()}>
              Undo last calibration
            </button>
          </div>
        </>
      )}
      <p class="outcome" role="status">
        {message !== '' ? message : outcome === null ? '' : outcomeWords(outcome)}
      </p>
      <div class="actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  )
}
