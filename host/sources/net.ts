// Network receive or send rate from /proc/net/dev deltas, in bytes/s and percent of a full scale; loopback skipped.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { known, unknown } from './figure.ts'
import { deltaReader, hasProc, noProc } from './procfs.ts'
import type { MetricSource, Reading } from './source.ts'

/** 1 Gbit/s, in bytes per second. */
export const DEFAULT_NET_FULL_SCALE = 125_000_000

/** Byte counters per interface (loopback left out). */
export const parseNetDev = (text: string): Map<string, { rx: number; tx: number }> => {
  const counters = new Map<string, { rx: number; tx: number }>()
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const name = line.slice(0, colon).trim()
    const fields = line.slice(colon + 1).trim().split(/\s+/).map(Number)
    // Receive has 8 columns, then transmit: bytes are the first of each.
    const rx = fields[0]
    const tx = fields[8]
    if (name === 'lo' || rx === undefined || tx === undefined || !Number.isFinite(rx) || !Number.isFinite(tx)) continue
    counters.set(name, { rx, tx })
  }
  return counters
}

export interface NetOptions {
  direction: 'rx' | 'tx'
  procRoot?: string
  /** Bytes per second that put the needle at 100 %. */
  fullScale?: number
}

export const createNetSource = (options: NetOptions): MetricSource => {
  const path = join(options.procRoot ?? '/proc', 'net', 'dev')
  const fullScale = options.fullScale ?? DEFAULT_NET_FULL_SCALE
  if (!(fullScale > 0)) throw new Error(`network full scale must be a positive number of bytes/s, not ${fullScale}`)
  const read = deltaReader(
    options.procRoot,
    () => parseNetDev(readFileSync(path, 'utf8')),
    'first network sample taken; the figure comes with the next read',
    (before, current, windowMs) => {
      const seconds = windowMs / 1000
      if (seconds <= 0) return unknown('no time passed since the last read')
      let bytes = 0
      for (const [name, now] of current) {
        const then = before.get(name)
        // A new interface, or one whose counters were reset, has no delta this time.
        if (then === undefined || now[options.direction] < then[options.direction]) continue
        bytes += now[options.direction] - then[options.direction]
      }
      const rate = bytes / seconds
      return known({ percent: (rate / fullScale) * 100, raw: Math.round(rate), unit: 'B/s', windowMs: Math.round(windowMs) })
    },
  )
  return {
    name: 'procfs',
    metric: options.direction === 'rx' ? 'net_rx' : 'net_tx',
    read: (): Reading | Promise<Reading> => (hasProc(options.procRoot) ? read() : noProc('network rates are')),
    close: (): void => {},
  }
}
