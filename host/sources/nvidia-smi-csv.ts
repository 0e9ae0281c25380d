// Parses the lines of `nvidia-smi --query-gpu=index,memory.used,memory.total,utilization.gpu,temperature.gpu
// --format=csv,noheader,nounits`.

/** The fields Sysboy queries, in this order. */
export const NVIDIA_SMI_FIELDS = ['index', 'memory.used', 'memory.total', 'utilization.gpu', 'temperature.gpu'] as const

/** One GPU's line; memory in MiB, a field nvidia-smi reports as "[N/A]" or "[Not Supported]" is NaN. */
export interface NvidiaSmiRow {
  index: number
  usedMiB: number
  totalMiB: number
  utilization: number
  temperature: number
}

/** One line, or undefined when it is not a data line (nvidia-smi prints its errors on standard output too). */
export const parseNvidiaSmiLine = (line: string): NvidiaSmiRow | undefined => {
  const cells = line.split(',').map((cell) => cell.trim())
  if (cells.length < 3) return undefined
  const index = Number(cells[0])
  if (!Number.isInteger(index) || index < 0 || cells[0] === '') return undefined
  const number = (cell: string | undefined): number => (cell === undefined || cell === '' ? Number.NaN : Number(cell))
  return {
    index,
    usedMiB: number(cells[1]),
    totalMiB: number(cells[2]),
    utilization: number(cells[3]),
    temperature: number(cells[4]),
  }
}
