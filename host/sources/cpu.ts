// CPU busy percent from /proc/stat: the share of non-idle time between two reads, over all cores.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { known, unknown } from './figure.ts'
import { deltaReader, hasProc, noProc } from './procfs.ts'
import type { MetricSource, Reading } from './source.ts'

interface CpuTimes {
  busy: number
  total: number
}

/** The aggregate "cpu" line of /proc/stat; iowait counts as idle, guest time is already inside user. */
export const parseProcStat = (text: string): CpuTimes => {
  const line = text.split('\n').find((candidate) => candidate.startsWith('cpu '))
  if (line === undefined) throw new Error('no "cpu" line in /proc/stat')
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number)
  if (fields.length < 4 || fields.some((field) => !Number.isFinite(field))) {
    throw new Error('the "cpu" line of /proc/stat is not numbers')
  }
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields
  const busy = user + nice + system + irq + softirq + steal
  return { busy, total: busy + idle + iowait }
}

export const createCpuSource = (options: { procRoot?: string } = {}): MetricSource => {
  const path = join(options.procRoot ?? '/proc', 'stat')
  const read = deltaReader(
    options.procRoot,
    (): CpuTimes => parseProcStat(readFileSync(path, 'utf8')),
    'first CPU sample taken; the figure comes with the next read',
    (before, current, windowMs) => {
      const total = current.total - before.total
      if (total <= 0) return unknown('no CPU time passed since the last read')
      const percent = ((current.busy - before.busy) / total) * 100
      return known({ percent, raw: percent, unit: '%', windowMs: Math.round(windowMs) })
    },
  )
  return {
    name: 'procfs',
    metric: 'cpu',
    read: (): Reading | Promise<Reading> => (hasProc(options.procRoot) ? read() : noProc('CPU use is')),
    close: (): void => {},
  }
}
