// amdgpu sysfs sources (vram, gpu_util, gpu_temp): file reads under /sys/class/drm/card*/device, every card scanned.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describeError, known, unknown } from './figure.ts'
import { type GpuChoice, memoryReading, perGpuValue } from './gpu-memory.ts'
import type { MetricSource, Reading } from './source.ts'

export type AmdgpuMetric = 'vram' | 'gpu_util' | 'gpu_temp'

export interface AmdgpuOptions {
  metric: AmdgpuMetric
  gpu: GpuChoice
  /** Stands for /sys; else SYSBOY_SYSFS_ROOT, else /sys. */
  sysfsRoot?: string
}

// An APU's VRAM is a BIOS carve-out of system RAM, typically 64 MiB to 1 GiB: not what a VRAM needle is about.
const CARVE_OUT_MAX = 1024 * 1024 * 1024

/** One amdgpu card: its sysfs device directory, VRAM size and temperature file. Index 0 has the most VRAM. */
export interface AmdgpuCard {
  index: number
  name: string
  device: string
  total: number
  /** `hwmon/hwmonN/temp1_input`, found once when the cards are scanned; undefined when the card has no sensor. */
  temperature: string | undefined
}

const readNumber = (path: string): number => {
  const value = Number(readFileSync(path, 'utf8').trim())
  if (!Number.isFinite(value)) throw new Error(`${path} does not hold a number`)
  return value
}

const temperatureFile = (device: string): string | undefined => {
  const hwmon = join(device, 'hwmon')
  try {
    const first = readdirSync(hwmon).filter((entry) => entry.startsWith('hwmon'))[0]
    return first === undefined ? undefined : join(hwmon, first, 'temp1_input')
  } catch {
    return undefined
  }
}

/** Every amdgpu card, the ones with the most VRAM (the discrete ones) first. */
export const scanAmdgpuCards = (sysfsRoot: string): AmdgpuCard[] => {
  const drm = join(sysfsRoot, 'class', 'drm')
  let entries: string[]
  try {
    entries = readdirSync(drm)
  } catch {
    return []
  }
  const cards: Omit<AmdgpuCard, 'index'>[] = []
  const numbered = entries.filter((entry) => /^card\d+$/.test(entry))
  numbered.sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))
  for (const name of numbered) {
    const device = join(drm, name, 'device')
    try {
      cards.push({ name, device, total: readNumber(join(device, 'mem_info_vram_total')), temperature: temperatureFile(device) })
    } catch {
      // Not an amdgpu card (or not one that reports VRAM).
    }
  }
  cards.sort((a, b) => b.total - a.total)
  return cards.map((card, index) => ({ ...card, index }))
}

/** The cards "all" means: the discrete ones, or every card when there are only APUs. */
const cardsForAll = (cards: AmdgpuCard[]): AmdgpuCard[] => {
  const discrete = cards.filter((card) => card.total > CARVE_OUT_MAX)
  return discrete.length > 0 ? discrete : cards
}

const temperature = (card: AmdgpuCard): number => {
  if (card.temperature === undefined) throw new Error(`${join(card.device, 'hwmon')} has no sensor`)
  return readNumber(card.temperature) / 1000
}

const cardsReading = (cards: AmdgpuCard[], metric: AmdgpuMetric, gpu: GpuChoice): Reading => {
  const picked = gpu === 'all' ? cardsForAll(cards) : cards
  if (metric === 'vram') {
    const gpus = picked.map((card) => ({
      index: card.index,
      used: readNumber(join(card.device, 'mem_info_vram_used')),
      // The VRAM size does not change while the driver is loaded; a reload fails a read and scans again.
      total: card.total,
    }))
    return memoryReading(gpus, gpu)
  }
  const inChoice = gpu === 'all' ? picked : picked.filter((card) => card.index === gpu)
  const values = inChoice.map((card) => ({
    index: card.index,
    value:
      metric === 'gpu_util' ? readNumber(join(card.device, 'gpu_busy_percent')) : temperature(card),
  }))
  if (values.length === 0) return unknown(`GPU ${gpu} not found (found ${cards.map((card) => card.index).join(', ')})`)
  const value = perGpuValue(values, gpu, metric === 'gpu_util' ? 'mean' : 'max')
  if ('reason' in value) return unknown(value.reason)
  return known({ percent: value.value, raw: value.value, unit: metric === 'gpu_util' ? '%' : '°C', gpu: String(gpu) })
}

export const createAmdgpuSource = (options: AmdgpuOptions): MetricSource => {
  const root = options.sysfsRoot ?? '/sys'
  let cards: AmdgpuCard[] = []
  return {
    name: 'amdgpu',
    metric: options.metric,
    read: async (): Promise<Reading> => {
      if (process.platform !== 'linux' && options.sysfsRoot === undefined) {
        return unknown(`amdgpu sysfs exists only on Linux, not ${process.platform}`)
      }
      try {
        if (cards.length === 0) cards = scanAmdgpuCards(root)
        if (cards.length === 0) return unknown('no card with mem_info_vram_total')
        return cardsReading(cards, options.metric, options.gpu)
      } catch (error) {
        // A card went away or the driver reloaded: scan again next time.
        cards = []
        return unknown(describeError(error))
      }
    },
    close: (): void => {
      cards = []
    },
  }
}
