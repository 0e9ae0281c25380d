// The calibration wizard (a modal dialog): for one analog output it holds the needle at a raw code for each mark
// (OutputHold: PUT …/outputs/:output/hold, renewed while open), the user nudges the code until the needle sits on the
// mark, and Save sends the curve in a config the device confirms; Undo asks the board for its previous curve and shows
// its answer. Closing the wizard releases the hold. A mark's first code and the check before Save are the board's own
// curve maths, from the WebAssembly module.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { CalibrationPoint, Output } from '../../../schema/index.ts'
import type { MeterModule } from '../../wasm/virtual-meter.ts'
import { DEFAULT_MARKS, maxCode, nudge, parseMarks } from '../calibration.ts'
import { applyEdit, emptyEdit } from '../config-edit.ts'
import { outcomeWords, sendConfig } from '../config-send.ts'
import type { Outcome } from '../config-send.ts'
import { isAnalog } from '../device-words.ts'
import { callHost, reasonOf } from '../host-link.ts'
import type { ListedDevice } from '../host-state.ts'
import { loadMeterModule } from '../meter-engine.ts'
import { OutputHold } from '../output-hold.ts'

/** How long the wizard waits for the board to answer an undo. */
const UNDO_ANSWER_MS = 10_000

const curveWords = (points: readonly CalibrationPoint[] | undefined): string =>
  points === undefined ? 'no curve (linear)' : points.map((p) => `${p.percent} % → ${p.code}`).join(', ')

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

  // The board's curve maths, loaded once the wizard opens and asked when a mark starts or a curve is saved.
  const curves = useRef<Promise<MeterModule> | null>(null)
  const curveMaths = (): Promise<MeterModule> => (curves.current ??= loadMeterModule())
  useEffect(() => {
    // A module that does not load is said when Start or Save asks for it.
    curveMaths().catch(() => {})
  }, [])

  // The board holds the output at the current mark's code while the steps show, and lets it go when they close (or
  // the wizard does); a page that goes away without closing stops renewing, and the lease ends the hold.
  const holding = useRef<OutputHold | null>(null)
  const stepping = points !== null
  useEffect(() => {
    if (!stepping || outputId === '') return
    const hold = new OutputHold(token, device.id, outputId, setHoldProblem)
    holding.current = hold
    return () => {
      holding.current = null
      hold.release()
    }
  }, [stepping, outputId, token, device.id])
  useEffect(() => {
    if (code !== undefined) holding.current?.hold(code)
  }, [code, stepping, outputId])

  // Keyboard users land on the code whenever a mark is shown, rather than on a button that has just gone or greyed out.
  const codeBox = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (stepping) codeBox.current?.focus()
  }, [stepping, step])

  // An undo is answered by the board: a new curve in its status, or an error frame the host keeps as its last error.
  const [undoing, setUndoing] = useState<{ error: string; curve: string } | null>(null)
  const lastError = device.lastError ?? null
  const errorKey = lastError === null ? '' : `${lastError.at ?? ''} ${lastError.code} ${lastError.reason}`
  const storedKey = JSON.stringify(stored ?? null)
  // A saved curve the board's status has not yet named: undo waits for it, or the status naming it would be taken for
  // the undo's answer (the device's confirmation and its status reach the page by different roads).
  const [savedKey, setSavedKey] = useState<string | null>(null)
  const statusBehind = savedKey !== null && savedKey !== storedKey
  useEffect(() => {
    if (savedKey === storedKey) setSavedKey(null)
  }, [savedKey, storedKey])
  useEffect(() => {
    if (undoing === null) return
    if (errorKey !== undoing.error && lastError !== null) {
      setUndoing(null)
      setBusy(false)
      setMessage(`The device refused it: ${lastError.reason}`)
    } else if (storedKey !== undoing.curve) {
      setUndoing(null)
      setBusy(false)
      setMessage(`Undone: the board went back to ${curveWords(stored)}.`)
    }
  }, [undoing, errorKey, storedKey])
  useEffect(() => {
    if (undoing === null) return
    const timer = setTimeout(() => {
      setUndoing(null)
      setBusy(false)
      setMessage('Undo sent, but the board has not answered it.')
    }, UNDO_ANSWER_MS)
    return () => clearTimeout(timer)
  }, [undoing])

  const start = async (): Promise<void> => {
    const parsed = parseMarks(marksText)
    if ('error' in parsed) {
      setMessage(`Marks: ${parsed.error}`)
      return
    }
    let marks: CalibrationPoint[]
    try {
      const module = await curveMaths()
      // The board's status names only curves it took, so the stored curve is never refused.
      marks = parsed.marks.map((percent) => ({ percent, code: module.codeAt(stored, percent, bits) }))
    } catch (error) {
      setMessage(`Not started: ${(error as Error).message}`)
      return
    }
    setMessage('')
    setOutcome(null)
    setPoints(marks)
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
    let problem: string | undefined
    try {
      problem = (await curveMaths()).curveProblem(points, bits)
    } catch (error) {
      problem = (error as Error).message
    }
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
    if (result.kind === 'confirmed') setSavedKey(JSON.stringify(points))
  }

  const undo = async (): Promise<void> => {
    setBusy(true)
    setOutcome(null)
    setMessage('Undo sent; waiting for the board…')
    const before = { error: errorKey, curve: storedKey }
    try {
      const answer = await callHost(token, 'POST', `/api/devices/${encodeURIComponent(device.id)}/calibration/${encodeURIComponent(outputId)}/undo`)
      if (answer.status === 202 || answer.status === 200) {
        setUndoing(before)
        return
      }
      setMessage(`The host refused it: ${reasonOf(answer)}`)
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
        Current curve on the board: {curveWords(stored)}
      </p>
      {points === null ? (
        <div class="actions">
          <button type="button" onClick={() => void start()}>
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
              ref={codeBox}
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
            <button type="button" disabled={busy || statusBehind} onClick={() => void undo()}>
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
