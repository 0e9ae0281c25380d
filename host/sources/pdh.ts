// Windows VRAM source: PDH "GPU Adapter Memory" counters through ONE long-lived typeperf child; the sizes, which PDH
// does not give, from the display adapters' registry keys, read once.
import { ChildStream } from './child-stream.ts'
import { unknown } from './figure.ts'
import { type GpuChoice, type GpuMemory, memoryReading } from './gpu-memory.ts'
import { parseRegMemorySizes, TypeperfCsv } from './pdh-csv.ts'
import type { Environment, MetricSource, Reading } from './source.ts'

const DISPLAY_CLASS = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Class\\{4d36e968-e325-11ce-bfc1-08002be10318}'

export const createPdhSource = (options: { gpu: GpuChoice; intervalMs?: number; environment: Environment }): MetricSource => {
  const seconds = Math.max(1, Math.round((options.intervalMs ?? 1_000) / 1000))
  const csv = new TypeperfCsv()
  let latest: { instance: string; used: number }[] = []
  let sizes: number[] | undefined
  let stream: ChildStream | undefined
  return {
    name: 'pdh',
    metric: 'vram',
    read: async (): Promise<Reading> => {
      if (process.platform !== 'win32') return unknown(`PDH counters exist only on Windows, not ${process.platform}`)
      if (sizes === undefined) {
        // Once per source, not per tick: PDH has no counter for the adapters' dedicated memory size.
        // Awaited, not spawnSync: the sampler's read timeout must be able to give up on it.
        const reg = Bun.spawn(['reg', 'query', DISPLAY_CLASS, '/s', '/v', 'HardwareInformation.qwMemorySize'], { stdout: 'pipe', stderr: 'ignore', env: { ...options.environment } })
        sizes = parseRegMemorySizes(await new Response(reg.stdout).text())
      }
      stream ??= new ChildStream({
        command: ['typeperf', '\\GPU Adapter Memory(*)\\Dedicated Usage', '-si', String(seconds)],
        environment: options.environment,
        onLine: (line) => {
          const sample = csv.line(line)
          if (sample !== undefined) latest = sample
        },
      })
      stream.ensure()
      if (latest.length === 0) return unknown(stream.exitReason ?? 'waiting for the first typeperf sample')
      if (sizes.length === 0) return unknown('no display adapter reports HardwareInformation.qwMemorySize')
      // PDH and the registry both list adapters in driver order; pair them by position.
      const gpus: GpuMemory[] = latest
        .slice(0, sizes.length)
        .map((entry, index) => ({ index, used: entry.used, total: sizes?.[index] ?? 0 }))
      return memoryReading(gpus, options.gpu)
    },
    close: (): void => {
      stream?.stop()
      stream = undefined
      latest = []
    },
  }
}
