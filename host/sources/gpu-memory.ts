// Turns per-GPU memory figures into one reading: the chosen GPU's, or the sum over all GPUs.
import { known, unknown } from './figure.ts'
import type { Reading } from './source.ts'

/** Memory of one GPU, in bytes. */
export interface GpuMemory {
  index: number
  used: number
  total: number
}

/** Which GPU a source reads: an index as the driver numbers them, or all of them summed. */
export type GpuChoice = number | 'all'

export const memoryReading = (gpus: readonly GpuMemory[], choice: GpuChoice): Reading => {
  if (gpus.length === 0) return unknown('no GPU found')
  let picked: readonly GpuMemory[] = gpus
  if (choice !== 'all') {
    const gpu = gpus.find((candidate) => candidate.index === choice)
    if (gpu === undefined) {
      return unknown(`GPU ${choice} not found (found ${gpus.map((candidate) => candidate.index).join(', ')})`)
    }
    picked = [gpu]
  }
  const used = picked.reduce((sum, gpu) => sum + gpu.used, 0)
  const total = picked.reduce((sum, gpu) => sum + gpu.total, 0)
  if (!(total > 0)) return unknown('the GPU reports no memory (total is 0)')
  return known({ percent: (used / total) * 100, used, total, raw: used, unit: 'B', gpu: String(choice) })
}

/** Picks one per-GPU value (utilisation, temperature) for a choice; "all" takes the mean or the hottest. */
export const perGpuValue = (
  values: readonly { index: number; value: number }[],
  choice: GpuChoice,
  combine: 'mean' | 'max',
): { value: number } | { reason: string } => {
  if (values.length === 0) return { reason: 'no GPU found' }
  if (choice === 'all') {
    const numbers = values.map((entry) => entry.value)
    const value = combine === 'max' ? Math.max(...numbers) : numbers.reduce((a, b) => a + b, 0) / numbers.length
    return { value }
  }
  const entry = values.find((candidate) => candidate.index === choice)
  if (entry === undefined) {
    return { reason: `GPU ${choice} not found (found ${values.map((candidate) => candidate.index).join(', ')})` }
  }
  return { value: entry.value }
}
