// Parses `ioreg -r -d 1 -w 0 -c IOAccelerator`: each accelerator's "PerformanceStatistics" memory figures.

export interface AcceleratorMemory {
  /** Bytes in use: VRAM on discrete GPUs, GPU-held system memory on unified-memory Macs. */
  used: number
  /** Bytes the GPU can have, when ioreg says (discrete GPUs); unified-memory Macs leave it to the caller. */
  total: number | undefined
}

const numberField = (text: string, key: string): number | undefined => {
  const match = new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\%]/g, '\\$&')}"\\s*=\\s*(\\d+)`).exec(text)
  return match?.[1] === undefined ? undefined : Number(match[1])
}

export const parseIoregAccelerators = (text: string): AcceleratorMemory[] => {
  const accelerators: AcceleratorMemory[] = []
  for (const block of text.split(/^\+-o /m).slice(1)) {
    const statistics = /"PerformanceStatistics"\s*=\s*\{([^}]*)\}/.exec(block)?.[1]
    if (statistics === undefined) continue
    const vramUsed = numberField(statistics, 'vramUsedBytes')
    const vramFree = numberField(statistics, 'vramFreeBytes')
    const totalMB = numberField(block, 'VRAM,totalMB')
    if (vramUsed !== undefined) {
      const total = totalMB !== undefined ? totalMB * 1024 * 1024 : vramFree !== undefined ? vramUsed + vramFree : undefined
      accelerators.push({ used: vramUsed, total })
      continue
    }
    const inUse = numberField(statistics, 'In use system memory')
    if (inUse !== undefined) accelerators.push({ used: inUse, total: totalMB !== undefined ? totalMB * 1024 * 1024 : undefined })
  }
  return accelerators
}
