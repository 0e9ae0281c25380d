// amdgpu sources against a fake sysfs tree: an APU with a small carve-out and a discrete card.
import { describe, expect, it } from 'bun:test'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAmdgpuSource, type AmdgpuMetric } from './amdgpu.ts'
import type { GpuChoice } from './gpu-memory.ts'
import type { Reading } from './source.ts'

const MiB = 1024 * 1024

const card = (root: string, name: string, files: Record<string, string>): void => {
  const device = join(root, 'class', 'drm', name, 'device')
  mkdirSync(join(device, 'hwmon', 'hwmon3'), { recursive: true })
  for (const [file, text] of Object.entries(files)) writeFileSync(join(device, file), `${text}\n`)
}

const fakeSysfs = (): string => {
  const root = mkdtempSync(join(tmpdir(), 'sysboy-sysfs-'))
  // card0: APU, 512 MiB carve-out; card1: discrete, 16 GiB; a connector entry and a non-amdgpu card beside them.
  card(root, 'card0', {
    mem_info_vram_total: String(512 * MiB),
    mem_info_vram_used: String(256 * MiB),
    gpu_busy_percent: '10',
    'hwmon/hwmon3/temp1_input': '45000',
  })
  card(root, 'card1', {
    mem_info_vram_total: String(16384 * MiB),
    mem_info_vram_used: String(4096 * MiB),
    gpu_busy_percent: '88',
    'hwmon/hwmon3/temp1_input': '71500',
  })
  mkdirSync(join(root, 'class', 'drm', 'card1-DP-1'), { recursive: true })
  mkdirSync(join(root, 'class', 'drm', 'card2', 'device'), { recursive: true })
  return root
}

const read = async (sysfsRoot: string, metric: AmdgpuMetric, gpu: GpuChoice): Promise<Reading> => {
  const source = createAmdgpuSource({ metric, gpu, sysfsRoot })
  try {
    return await source.read()
  } finally {
    source.close()
  }
}

describe('amdgpu source', () => {
  it('numbers the discrete card first and reads its VRAM', async () => {
    const root = fakeSysfs()
    expect(await read(root, 'vram', 0)).toEqual({
      known: true,
      figure: { percent: 25, used: 4096 * MiB, total: 16384 * MiB, raw: 4096 * MiB, unit: 'B', gpu: '0' },
    })
    const apu = await read(root, 'vram', 1)
    expect(apu.known && apu.figure.percent).toBe(50)
  })

  it('leaves the APU carve-out out of "all"', async () => {
    const all = await read(fakeSysfs(), 'vram', 'all')
    expect(all.known && [all.figure.percent, all.figure.total]).toEqual([25, 16384 * MiB])
  })

  it('reads gpu_busy_percent and the hwmon temperature', async () => {
    const root = fakeSysfs()
    const util = await read(root, 'gpu_util', 0)
    expect(util.known && util.figure).toEqual({ percent: 88, raw: 88, unit: '%', gpu: '0' })
    const temp = await read(root, 'gpu_temp', 1)
    expect(temp.known && temp.figure).toEqual({ percent: 45, raw: 45, unit: '°C', gpu: '1' })
    const hot = await read(root, 'gpu_temp', 0)
    expect(hot.known && hot.figure.raw).toBe(71.5)
  })

  it('says so when no card reports VRAM, or the index is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'sysboy-sysfs-'))
    expect(await read(empty, 'vram', 0)).toEqual({ known: false, reason: 'no card with mem_info_vram_total' })
    expect(await read(fakeSysfs(), 'vram', 4)).toEqual({ known: false, reason: 'GPU 4 not found (found 0, 1)' })
  })
})
