// NVML sources for vram, gpu_util and gpu_temp: one initialised NVML session, a few FFI calls per read.
import { describeError, known, unknown } from './figure.ts'
import { type GpuChoice, memoryReading, perGpuValue } from './gpu-memory.ts'
import { defaultNvmlPath, NvmlSession } from './nvml-library.ts'
import type { MetricSource, Reading } from './source.ts'

export type NvmlMetric = 'vram' | 'gpu_util' | 'gpu_temp'

export interface NvmlOptions {
  metric: NvmlMetric
  gpu: GpuChoice
  /** Library path (--nvml-lib or SYSBOY_NVML_LIB, resolved with the other settings); else the OS's own name for NVML. */
  library?: string
}

const figureOf = (session: NvmlSession, metric: NvmlMetric, gpu: GpuChoice): Reading => {
  if (metric === 'vram') return memoryReading(session.memory(), gpu)
  if (metric === 'gpu_util') {
    const picked = perGpuValue(session.utilization(), gpu, 'mean')
    if ('reason' in picked) return unknown(picked.reason)
    return known({ percent: picked.value, raw: picked.value, unit: '%', gpu: String(gpu) })
  }
  // The hottest GPU is the one that matters when all are watched.
  const picked = perGpuValue(session.temperature(), gpu, 'max')
  if ('reason' in picked) return unknown(picked.reason)
  return known({ percent: picked.value, raw: picked.value, unit: '°C', gpu: String(gpu) })
}

export const createNvmlSource = (options: NvmlOptions): MetricSource => {
  const path = options.library ?? defaultNvmlPath()
  let session: NvmlSession | undefined
  return {
    name: 'nvml',
    metric: options.metric,
    read: (): Reading => {
      if (path === undefined) return unknown(`NVML does not exist on ${process.platform}`)
      try {
        session ??= new NvmlSession(path)
        return figureOf(session, options.metric, options.gpu)
      } catch (error) {
        return unknown(describeError(error))
      }
    },
    close: (): void => {
      session?.close()
      session = undefined
    },
  }
}
