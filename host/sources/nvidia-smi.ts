// nvidia-smi sources (vram, gpu_util, gpu_temp): ONE long-lived `nvidia-smi ... -lms` child per interval, shared;
// read() returns the newest parsed sample and never spawns.
import { ChildStream } from './child-stream.ts'
import { known, unknown } from './figure.ts'
import { type GpuChoice, memoryReading, perGpuValue } from './gpu-memory.ts'
import { NVIDIA_SMI_FIELDS, type NvidiaSmiRow, parseNvidiaSmiLine } from './nvidia-smi-csv.ts'
import type { Environment, MetricSource, Reading } from './source.ts'

const MIB = 1024 * 1024
// Lines of one sample arrive together; this lets a multi-GPU sample finish before the first read uses it.
const SAMPLE_SETTLE_MS = 50

export type NvidiaSmiMetric = 'vram' | 'gpu_util' | 'gpu_temp'

export interface NvidiaSmiOptions {
  metric: NvidiaSmiMetric
  gpu: GpuChoice
  intervalMs?: number
  /** nvidia-smi is looked for on its PATH, and the child runs with it. */
  environment: Environment
}

/** The nvidia-smi command that streams samples every `intervalMs`. */
export const nvidiaSmiCommand = (executable: string, intervalMs: number): string[] => [
  executable,
  `--query-gpu=${NVIDIA_SMI_FIELDS.join(',')}`,
  '--format=csv,noheader,nounits',
  '-lms',
  String(intervalMs),
]

class NvidiaSmiStream {
  readonly rows = new Map<number, { row: NvidiaSmiRow; at: number }>()
  users = 0
  private waiters: (() => void)[] = []
  readonly child: ChildStream

  constructor(executable: string, readonly intervalMs: number, environment: Environment) {
    this.child = new ChildStream({
      command: nvidiaSmiCommand(executable, intervalMs),
      environment,
      onLine: (line) => {
        const row = parseNvidiaSmiLine(line)
        if (row !== undefined) this.rows.set(row.index, { row, at: performance.now() })
        this.wake()
      },
      onExit: () => this.wake(),
      restartDelayMs: Math.max(2_000, intervalMs * 2),
    })
  }

  /** Rows updated recently enough to be the current sample. */
  fresh(): NvidiaSmiRow[] {
    const oldest = performance.now() - Math.max(3_000, this.intervalMs * 3)
    return [...this.rows.values()].filter((entry) => entry.at >= oldest).map((entry) => entry.row)
  }

  /** Resolves at the next line or exit, or after `ms`. */
  async change(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve)
      timer = setTimeout(resolve, ms)
    })
    clearTimeout(timer)
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const resolve of waiters) resolve()
  }
}

const streams = new Map<string, NvidiaSmiStream>()

const rowsReading = (rows: NvidiaSmiRow[], metric: NvidiaSmiMetric, gpu: GpuChoice): Reading => {
  if (metric === 'vram') {
    const gpus = rows
      .filter((row) => Number.isFinite(row.usedMiB) && Number.isFinite(row.totalMiB))
      .map((row) => ({ index: row.index, used: row.usedMiB * MIB, total: row.totalMiB * MIB }))
    if (gpus.length === 0 && rows.length > 0) return unknown('nvidia-smi reports no memory figures ([N/A])')
    return memoryReading(gpus, gpu)
  }
  const field = metric === 'gpu_util' ? 'utilization' : 'temperature'
  const values = rows
    .filter((row) => Number.isFinite(row[field]))
    .map((row) => ({ index: row.index, value: row[field] }))
  if (values.length === 0 && rows.length > 0) return unknown(`nvidia-smi reports no ${field} ([N/A])`)
  const picked = perGpuValue(values, gpu, metric === 'gpu_util' ? 'mean' : 'max')
  if ('reason' in picked) return unknown(picked.reason)
  return known({ percent: picked.value, raw: picked.value, unit: metric === 'gpu_util' ? '%' : '°C', gpu: String(gpu) })
}

export const createNvidiaSmiSource = (options: NvidiaSmiOptions): MetricSource => {
  const intervalMs = Math.max(100, Math.round(options.intervalMs ?? 1_000))
  let stream: NvidiaSmiStream | undefined

  const attach = (): NvidiaSmiStream | string => {
    if (stream !== undefined) return stream
    const executable = Bun.which('nvidia-smi', { PATH: options.environment.PATH ?? '' })
    if (executable === null) return 'nvidia-smi not on PATH'
    const key = `${executable}\n${intervalMs}`
    stream = streams.get(key) ?? new NvidiaSmiStream(executable, intervalMs, options.environment)
    streams.set(key, stream)
    stream.users++
    return stream
  }

  return {
    name: 'nvidia-smi',
    metric: options.metric,
    read: async (): Promise<Reading> => {
      const attached = attach()
      if (typeof attached === 'string') return unknown(attached)
      let rows = attached.fresh()
      if (rows.length === 0 && attached.child.ensure()) {
        // A child just started (or is between samples): wait for its first sample instead of answering unknown.
        const deadline = performance.now() + Math.max(3_000, intervalMs * 2)
        while (rows.length === 0 && attached.child.running && performance.now() < deadline) {
          await attached.change(deadline - performance.now())
          rows = attached.fresh()
        }
        if (rows.length > 0) {
          await Bun.sleep(SAMPLE_SETTLE_MS)
          rows = attached.fresh()
        }
      } else {
        attached.child.ensure()
      }
      if (rows.length === 0) {
        return unknown(attached.child.exitReason ?? 'nvidia-smi gave no sample in time')
      }
      return rowsReading(rows, options.metric, options.gpu)
    },
    close: (): void => {
      if (stream === undefined) return
      stream.users--
      if (stream.users === 0) {
        stream.child.stop()
        for (const [key, value] of streams) if (value === stream) streams.delete(key)
      }
      stream = undefined
    },
  }
}
