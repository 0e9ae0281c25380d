// A virtual panel meter for one analog output: an SVG dial whose needle is moved by the board's own meter logic
// (ballistics, calibration, staleness) compiled to WASM, fed each new frame of the output's metric and ticked every
// animation frame, so it moves as the needle on the desk does. While the board holds the output at a raw code (the
// calibration wizard), the dial says so and stands where that code puts the needle, not at live figures.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { Ballistics, CalibrationPoint, MetricFrame } from '../../../schema/index.ts'
import type { MeterModule, Needle, VirtualMeter } from '../../wasm/virtual-meter.ts'
import { createVirtualMeter } from '../meter-engine.ts'

export interface MeterDialProps {
  output: string
  metric: string
  bits: number
  ballistics: Ballistics | undefined
  calibration: CalibrationPoint[] | undefined
  staleAfterMs: number
  /** The newest frame of the bound metric; a new seq is a new value for the meter. */
  frame: MetricFrame | undefined
  /** The raw code the board reports the output held at (its status's `held`), or undefined when it shows figures. */
  heldCode?: number | undefined
}

/** Where the dial stands and what it says in one frame. */
interface Shown {
  percent: number
  code: number
  state: string
  words: string
  spoken: string
}

/** The live needle of the board's meter logic, or, while the output is held, the held code and where the board's curve
 * maths (`module`) puts the needle for it. */
const shownOf = (reading: Needle, heldCode: number | undefined, module: MeterModule, calibration: CalibrationPoint[] | undefined, bits: number): Shown => {
  if (heldCode !== undefined) {
    const percent = module.percentAtCode(calibration, heldCode, bits)
    return { percent, code: heldCode, state: 'held', words: `held at code ${heldCode}`, spoken: `held at code ${heldCode}, ${percent.toFixed(1)} %` }
  }
  const state = reading.state === 'unknown' && reading.reason !== undefined ? `unknown: ${reading.reason}` : reading.state
  return {
    percent: reading.percent,
    code: reading.code,
    state: reading.state,
    words: `${reading.percent.toFixed(1)} % · ${state} · code ${reading.code}`,
    spoken: `${reading.percent.toFixed(1)} %, ${reading.state}`,
  }
}

const PIVOT = { x: 100, y: 108 }
const RADIUS = 84
const TEXT_EVERY_MS = 100

const point = (percent: number, r: number): { x: number; y: number } => {
  const angle = Math.PI * (1 - percent / 100)
  return { x: PIVOT.x + r * Math.cos(angle), y: PIVOT.y - r * Math.sin(angle) }
}

const Scale = () => {
  const ticks = []
  for (let p = 0; p <= 100; p += 5) {
    const major = p % 25 === 0
    const a = point(p, RADIUS)
    const b = point(p, RADIUS - (major ? 12 : 6))
    ticks.push(<line x1={a.x} y1={a.y} x2={b.x} y2={b.y} class={major ? 'tick major' : 'tick'} />)
    if (major) {
      const t = point(p, RADIUS - 22)
      ticks.push(
        <text x={t.x} y={t.y + 4} text-anchor="middle" class="tick-label">
          {p}
        </text>,
      )
    }
  }
  const start = point(0, RADIUS)
  const end = point(100, RADIUS)
  return (
    <g aria-hidden="true">
      <path d={`M ${start.x} ${start.y} A ${RADIUS} ${RADIUS} 0 0 1 ${end.x} ${end.y}`} class="arc" />
      {ticks}
    </g>
  )
}

export const MeterDial = (props: MeterDialProps) => {
  const svg = useRef<SVGSVGElement>(null)
  const needle = useRef<SVGGElement>(null)
  const words = useRef<HTMLSpanElement>(null)
  const current = useRef<VirtualMeter | null>(null)
  const latestFrame = useRef<MetricFrame | undefined>(undefined)
  const held = useRef<number | undefined>(undefined)
  held.current = props.heldCode
  const [problem, setProblem] = useState<string | null>(null)
  const lastSeq = useRef<string | undefined>(undefined)
  const { bits, ballistics, calibration, staleAfterMs, frame } = props
  const calibrationKey = JSON.stringify(calibration ?? null)
  const ballisticsKey = JSON.stringify(ballistics ?? null)

  // The meter follows the device's settings: a new curve or new ballistics make a new meter, fed the newest value.
  useEffect(() => {
    let created: VirtualMeter | undefined
    let request = 0
    let stopped = false
    let lastText = 0
    let lastState = ''
    const draw = (now: number): void => {
      if (created === undefined) return
      // The meter keeps following the figures while the output is held, so it shows them again the moment the hold ends.
      const reading = created.tick(now)
      // The meter took this curve for these bits, so its module reads a held code back through it without a refusal.
      const shown = shownOf(reading, held.current, created.module, calibration, bits)
      const angle = -90 + 1.8 * Math.min(100, Math.max(0, shown.percent))
      needle.current?.setAttribute('transform', `rotate(${angle.toFixed(2)} ${PIVOT.x} ${PIVOT.y})`)
      const root = svg.current
      if (root !== null) {
        root.dataset.percent = shown.percent.toFixed(2)
        root.dataset.code = String(shown.code)
        root.dataset.state = shown.state
      }
      if ((now - lastText >= TEXT_EVERY_MS || shown.state !== lastState) && words.current !== null && root !== null) {
        lastText = now
        lastState = shown.state
        if (words.current.textContent !== shown.words) words.current.textContent = shown.words
        root.setAttribute('aria-valuenow', shown.percent.toFixed(1))
        root.setAttribute('aria-valuetext', shown.spoken)
      }
      request = requestAnimationFrame(draw)
    }
    createVirtualMeter({
      bits,
      staleAfterMs,
      ...(ballistics === undefined ? {} : { ballistics }),
      ...(calibration === undefined ? {} : { calibration: { points: calibration } }),
    })
      .then((meter) => {
        if (stopped) {
          meter.release()
          return
        }
        created = meter
        current.current = meter
        setProblem(null)
        const latest = latestFrame.current
        if (latest !== undefined) meter.show(performance.now(), latest.value, latest.reason)
        request = requestAnimationFrame(draw)
      })
      .catch((error: unknown) => {
        if (!stopped) setProblem((error as Error).message)
      })
    return () => {
      stopped = true
      cancelAnimationFrame(request)
      current.current = null
      created?.release()
    }
  }, [bits, ballisticsKey, calibrationKey, staleAfterMs])

  useEffect(() => {
    latestFrame.current = frame
    if (frame === undefined) return
    const key = `${frame.seq ?? ''}/${frame.ts ?? ''}`
    if (key === lastSeq.current) return
    lastSeq.current = key
    current.current?.show(performance.now(), frame.value, frame.reason)
  }, [frame])

  return (
    <figure class="meter">
      <svg
        ref={svg}
        viewBox="0 0 200 124"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-label={`meter '${props.output}' showing ${props.metric}`}
        data-output={props.output}
      >
        <rect x="2" y="2" width="196" height="120" rx="10" class="face" />
        <Scale />
        <text x={PIVOT.x} y="62" text-anchor="middle" class="dial-metric">
          {props.metric}
        </text>
        <g ref={needle} transform={`rotate(-90 ${PIVOT.x} ${PIVOT.y})`}>
          <line x1={PIVOT.x} y1={PIVOT.y} x2={PIVOT.x} y2={PIVOT.y - RADIUS + 4} class="needle" />
        </g>
        <circle cx={PIVOT.x} cy={PIVOT.y} r="5" class="pivot" />
      </svg>
      <figcaption>
        <span class="output-name">{props.output}</span> <span ref={words} class="meter-words" />
        {problem === null ? null : <span class="error"> · the virtual meter cannot run: {problem}</span>}
      </figcaption>
    </figure>
  )
}
