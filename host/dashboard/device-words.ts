// A board's status in words for its card: the status LED's state, the signal as bars, uptime, the last reset.
import type { Light, Output, Status } from '../../schema/index.ts'

/** What each state of the status LED means, said as the board's state. */
export const LIGHT_WORDS: Record<Light, string> = {
  starting: 'starting up',
  portal_open: 'portal open: waiting for Wi-Fi settings',
  joining: 'joining Wi-Fi',
  no_host: 'looking for the host',
  token_refused: 'token refused by the host',
  awaiting_approval: 'waiting for approval to pair',
  live: 'live',
  alert: 'alert: a figure is over its limit',
  updating: 'updating its firmware',
  fault: 'fault',
}

/** The light in words; a state this page does not know is named as it came. */
export const lightWords = (light: string | undefined): string => (light === undefined ? 'not reported' : (LIGHT_WORDS[light as Light] ?? light))

/** Signal bars out of four, from the received signal strength (dBm), as phones draw them. */
export const signalBars = (rssi: number): number => (rssi >= -55 ? 4 : rssi >= -67 ? 3 : rssi >= -75 ? 2 : rssi >= -85 ? 1 : 0)

/** A duration in the largest two units: "45 s", "12 min 5 s", "3 h 20 min", "2 d 4 h". */
export const duration = (ms: number): string => {
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${s % 60} s`
  const h = Math.floor(m / 60)
  if (h < 24) return `${h} h ${m % 60} min`
  return `${Math.floor(h / 24)} d ${h % 24} h`
}

/** Why the board last started, in words. */
export const resetWords = (reason: Status['reset_reason']): string => (reason === undefined ? 'not reported' : reason.replaceAll('_', ' '))

/** Whether an output drives an analog meter (a needle), as opposed to a screen. */
export const isAnalog = (output: Output): boolean => output.kind === 'pwm' || output.kind === 'i2c_dac' || output.kind === 'dac'

/** Whether an output is a screen the host can draw (its size is known). */
export const isScreenOutput = (output: Output): boolean =>
  (output.kind === 'oled' || output.kind === 'tft') && output.width !== undefined && output.height !== undefined
