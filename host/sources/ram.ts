// RAM use from /proc/meminfo: MemTotal minus MemAvailable (what programs could still get without swapping).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describeError, known, unknown } from './figure.ts'
import { hasProc, noProc } from './procfs.ts'
import type { MetricSource, Reading } from './source.ts'

/** MemTotal and MemAvailable in bytes. */
export const parseMeminfo = (text: string): { total: number; available: number } => {
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s*kB`, 'm').exec(text)
    if (match?.[1] === undefined) throw new Error(`no ${name} in /proc/meminfo`)
    return Number(match[1]) * 1024
  }
  return { total: field('MemTotal'), available: field('MemAvailable') }
}

export const createRamSource = (options: { procRoot?: string } = {}): MetricSource => {
  const path = join(options.procRoot ?? '/proc', 'meminfo')
  return {
    name: 'procfs',
    metric: 'ram',
    read: (): Reading => {
      if (!hasProc(options.procRoot)) return noProc('RAM use is')
      try {
        const { total, available } = parseMeminfo(readFileSync(path, 'utf8'))
        if (total <= 0) return unknown('/proc/meminfo gives no MemTotal')
        const used = Math.max(0, total - available)
        return known({ percent: (used / total) * 100, used, total, raw: used, unit: 'B' })
      } catch (error) {
        return unknown(describeError(error))
      }
    },
    close: (): void => {},
  }
}
