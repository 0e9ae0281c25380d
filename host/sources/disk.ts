// Disk use of the file system holding a path (default "/"), through statfs: used over what users can have, as df does.
import { statfs } from 'node:fs/promises'
import { describeError, known, unknown } from './figure.ts'
import type { MetricSource, Reading } from './source.ts'

export const createDiskSource = (options: { path?: string } = {}): MetricSource => {
  const path = options.path ?? (process.platform === 'win32' ? 'C:\\' : '/')
  return {
    name: 'statfs',
    metric: 'disk',
    read: async (): Promise<Reading> => {
      try {
        const stats = await statfs(path)
        const total = stats.blocks * stats.bsize
        const used = (stats.blocks - stats.bfree) * stats.bsize
        const usable = used + stats.bavail * stats.bsize
        if (!(usable > 0)) return unknown(`the file system of ${path} reports no size`)
        return known({ percent: (used / usable) * 100, used, total, raw: used, unit: 'B' })
      } catch (error) {
        return unknown(`cannot statfs ${path}: ${describeError(error)}`)
      }
    },
    close: (): void => {},
  }
}
