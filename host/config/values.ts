// Parses one setting's text (from a flag or an environment variable) into its value, or says what is wrong.
import { isIP } from 'node:net'
import { INTERVAL_MS, isMetricName, isPairingToken } from '../../schema/index.ts'

/** The result of parsing one setting: its value, or the reason it is refused. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string }

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
const bad = <T>(reason: string): Parsed<T> => ({ ok: false, reason })

const integer = (text: string, min: number, max: number, what: string): Parsed<number> => {
  if (!/^\d+$/.test(text.trim())) return bad(`must be ${what}, a whole number from ${min} to ${max}; got '${text}'`)
  const n = Number(text.trim())
  return n >= min && n <= max ? ok(n) : bad(`must be ${what} from ${min} to ${max}; got ${n}`)
}

export const parsePort = (text: string): Parsed<number> => integer(text, 0, 65_535, 'a TCP port')

export const parseInterval = (text: string): Parsed<number> => integer(text, INTERVAL_MS.minimum, INTERVAL_MS.maximum, 'milliseconds')

export const parseGpu = (text: string): Parsed<number | 'all'> =>
  text.trim() === 'all' ? ok('all') : integer(text, 0, 63, "a GPU index (or 'all')")

export const parseBind = (text: string): Parsed<string> =>
  isIP(text.trim()) !== 0 ? ok(text.trim()) : bad(`must be an IP address such as 127.0.0.1, or 0.0.0.0 for the LAN; got '${text}'`)

export const parseToken = (text: string): Parsed<string> =>
  isPairingToken(text) ? ok(text) : bad('must be 8 to 128 characters of A-Z a-z 0-9 _ -')

export const parseUrl = (text: string): Parsed<string> => {
  try {
    const url = new URL(text)
    if (url.protocol === 'http:' || url.protocol === 'https:') return ok(text)
  } catch {
    // fall through to the same one-line reason
  }
  return bad(`must be an http:// or https:// URL such as http://localhost:9090; got '${text}'`)
}

export const parseMetric = (text: string): Parsed<string> =>
  isMetricName(text.trim())
    ? ok(text.trim())
    : bad(`must be a metric name of a-z, 0-9 and _ (such as vram); got '${text}'`)

export const parseName = (text: string): Parsed<string> =>
  /^[a-z0-9_-]{1,32}$/.test(text.trim()) ? ok(text.trim()) : bad(`must be a short lower-case name; got '${text}'`)
