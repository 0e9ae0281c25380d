// macOS VRAM source: ioreg's IOAccelerator statistics. There is no library route short of walking IOKit
// CFDictionaries over FFI, so this spawns ioreg, at most once per interval (reads in between reuse the answer).
import { totalmem } from 'node:os'
import { describeError, unknown } from './figure.ts'
import { type GpuChoice, memoryReading } from './gpu-memory.ts'
import { parseIoregAccelerators } from './ioreg-text.ts'
import type { Environment, MetricSource, Reading } from './source.ts'

export const createIoregSource = (options: { gpu: GpuChoice; intervalMs?: number; environment: Environment }): MetricSource => {
  const intervalMs = options.intervalMs ?? 1_000
  let last: { at: number; reading: Reading } | undefined
  const sample = async (): Promise<Reading> => {
    const ioreg = Bun.spawn(['ioreg', '-r', '-d', '1', '-w', '0', '-c', 'IOAccelerator'], { stdout: 'pipe', stderr: 'ignore', env: { ...options.environment } })
    const [text, code] = await Promise.all([new Response(ioreg.stdout).text(), ioreg.exited])
    if (code !== 0) return unknown(`ioreg exited with code ${code}`)
    const accelerators = parseIoregAccelerators(text)
    if (accelerators.length === 0) return unknown('ioreg lists no IOAccelerator with memory statistics')
    // Unified memory (Apple silicon): the GPU can take from all of RAM.
    return memoryReading(
      accelerators.map((entry, index) => ({ index, used: entry.used, total: entry.total ?? totalmem() })),
      options.gpu,
    )
  }
  return {
    name: 'ioreg',
    metric: 'vram',
    read: async (): Promise<Reading> => {
      if (process.platform !== 'darwin') return unknown(`ioreg exists only on macOS, not ${process.platform}`)
      if (last !== undefined && performance.now() - last.at < intervalMs * 0.9) return last.reading
      try {
        last = { at: performance.now(), reading: await sample() }
      } catch (error) {
        last = { at: performance.now(), reading: unknown(`ioreg cannot run: ${describeError(error)}`) }
      }
      return last.reading
    },
    close: (): void => {
      last = undefined
    },
  }
}
