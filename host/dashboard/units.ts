// A metric frame in human units for the page: the headline in the figure's own unit ("6.0 GiB of 16.0 GiB", "55 °C",
// "1.2 MB/s", "12.3 %" for a utilisation), and the percent of the needle's scale beside it.
import type { MetricFrame } from '../../schema/index.ts'

/** What a figure card shows of one frame. */
export interface Reading {
  /** The metric's name (a named metric's own name). */
  metric: string
  /** The needle's percent, or null when the host cannot read the figure. */
  percent: number | null
  /** The figure in its own unit ("6.0 GiB of 16.0 GiB", "55 °C", "1.2 MB/s"), the percent when that is its unit
   * (utilisation, CPU) or the only thing known, or "unknown". */
  headline: string
  /** The percent of the needle's scale ("37.5 % used", "64.0 % of scale"); empty when the headline is the percent. */
  scale: string
  /** Which source read it, or empty. */
  source: string
  /** Why it is unknown (empty when known). */
  reason: string
}

const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
const DECIMAL = ['B/s', 'kB/s', 'MB/s', 'GB/s', 'TB/s']

/** Three significant figures, at most one decimal below 100 ("6.0", "15.9", "512"). */
const digits = (n: number): string => (Math.abs(n) >= 100 ? Math.round(n).toString() : n.toFixed(1))

/** Bytes in binary units: memory and disks are counted in powers of two. */
export const bytes = (n: number): string => {
  let value = n
  let i = 0
  while (Math.abs(value) >= 1024 && i < BINARY.length - 1) {
    value /= 1024
    i++
  }
  return i === 0 ? `${Math.round(value)} B` : `${digits(value)} ${BINARY[i]}`
}

/** A byte rate in decimal units, as network speeds are quoted. */
export const byteRate = (n: number): string => {
  let value = n
  let i = 0
  while (Math.abs(value) >= 1000 && i < DECIMAL.length - 1) {
    value /= 1000
    i++
  }
  return i === 0 ? `${Math.round(value)} B/s` : `${digits(value)} ${DECIMAL[i]}`
}

/** A figure in the unit the host named; a unit it does not know is written after the number as it came. */
export const amountOf = (raw: number, unit: string): string => {
  if (unit === 'B') return bytes(raw)
  if (unit === 'B/s') return byteRate(raw)
  if (unit === '°C') return `${Math.round(raw)} °C`
  if (unit === '%') return `${raw.toFixed(1)} %`
  const number = Number.isInteger(raw) ? raw.toString() : Math.abs(raw) >= 100 ? raw.toFixed(0) : raw.toPrecision(3)
  return `${number} ${unit}`
}

/** The name a frame is shown under: the built-in metric's type, or a named metric's name. */
export const metricName = (frame: MetricFrame): string => (frame.type === 'metric' ? frame.name : frame.type)

/** A percent as the page writes it. */
export const percentText = (percent: number | null): string => (percent === null ? 'unknown' : `${percent.toFixed(1)} %`)

/** One frame in words. */
export const readingOf = (frame: MetricFrame): Reading => {
  const percent = frame.value
  let headline = percentText(percent)
  let scale = ''
  if (percent !== null) {
    if (frame.used !== undefined && frame.total !== undefined && (frame.unit === undefined || frame.unit === 'B')) {
      headline = `${bytes(frame.used)} of ${bytes(frame.total)}`
      scale = `${percentText(percent)} used`
    } else if (frame.raw !== undefined && frame.unit !== undefined && frame.unit !== '%') {
      headline = amountOf(frame.raw, frame.unit)
      scale = `${percentText(percent)} of scale`
    }
  }
  return {
    metric: metricName(frame),
    percent,
    headline,
    scale,
    source: frame.source ?? '',
    reason: percent === null ? (frame.reason ?? 'the host gave no reason') : '',
  }
}
