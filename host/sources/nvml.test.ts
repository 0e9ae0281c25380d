// NVML through real bun:ffi calls into a fake libnvidia-ml built with gcc.
import { describe, expect, it } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildFakeNvml, type FakeNvmlVariant } from '../../tests/fixtures/nvml/build.ts'
import { resolveSettings } from '../config/resolve.ts'
import { createNvmlSource, type NvmlMetric } from './nvml.ts'
import { NvmlSession } from './nvml-library.ts'
import type { GpuChoice } from './gpu-memory.ts'
import type { Reading } from './source.ts'

const GiB = 1024 ** 3

const readOnce = async (variant: FakeNvmlVariant, metric: NvmlMetric, gpu: GpuChoice): Promise<Reading> => {
  const source = createNvmlSource({ metric, gpu, library: await buildFakeNvml(variant) })
  try {
    return await source.read()
  } finally {
    source.close()
  }
}

describe('NVML source', () => {
  it('reads VRAM with nvmlDeviceGetMemoryInfo_v2', async () => {
    const library = await buildFakeNvml({ FAKE_NVML_USED: String(3 * GiB), FAKE_NVML_RESERVED: String(GiB / 2) })
    const session = new NvmlSession(library)
    try {
      // v2 leaves the reserved memory out of "used"; v1 would have said 3.5 GiB.
      expect(session.memory()).toEqual([{ index: 0, used: 3 * GiB, total: 8 * GiB }])
      expect(session.memoryCall).toBe('nvmlDeviceGetMemoryInfo_v2')
    } finally {
      session.close()
    }
  })

  it('falls back to nvmlDeviceGetMemoryInfo when the library has no v2 symbol', async () => {
    const reading = await readOnce({ omitV2: true, FAKE_NVML_USED: String(2 * GiB) }, 'vram', 0)
    expect(reading).toEqual({
      known: true,
      figure: { percent: 25, used: 2 * GiB, total: 8 * GiB, raw: 2 * GiB, unit: 'B', gpu: '0' },
    })
  })

  it('falls back to v1 when v2 answers a version mismatch or function not found', async () => {
    for (const variant of [{ FAKE_NVML_V2_MISMATCH: '1' }, { FAKE_NVML_V2_NOT_FOUND: '1' }]) {
      const session = new NvmlSession(await buildFakeNvml({ ...variant, FAKE_NVML_RESERVED: String(GiB) }))
      try {
        // v1 counts reserved memory as used: 2 GiB + 1 GiB.
        expect(session.memory()).toEqual([{ index: 0, used: 3 * GiB, total: 8 * GiB }])
        expect(session.memoryCall).toBe('nvmlDeviceGetMemoryInfo')
      } finally {
        session.close()
      }
    }
  })

  it('says why when nvmlInit_v2 fails', async () => {
    expect(await readOnce({ FAKE_NVML_INIT_FAIL: '9' }, 'vram', 0)).toEqual({
      known: false,
      reason: 'nvmlInit_v2 failed: Driver Not Loaded (9)',
    })
  })

  it('says the library is not found', async () => {
    const source = createNvmlSource({ metric: 'vram', gpu: 0, library: join(tmpdir(), 'no-such-dir', 'libnvidia-ml.so.1') })
    const reading = await source.read()
    expect(reading.known).toBe(false)
    if (!reading.known) expect(reading.reason).toEndWith('libnvidia-ml.so.1 not found')
  })

  it('reads each of several GPUs and sums them for "all"', async () => {
    const variant = {
      FAKE_NVML_COUNT: '3',
      FAKE_NVML_TOTAL: `${8 * GiB},${16 * GiB},${24 * GiB}`,
      FAKE_NVML_USED: `${GiB},${4 * GiB},${18 * GiB}`,
    }
    const percents = await Promise.all([0, 1, 2].map(async (gpu) => readOnce(variant, 'vram', gpu)))
    expect(percents.map((reading) => (reading.known ? reading.figure.percent : -1))).toEqual([12.5, 25, 75])
    const all = await readOnce(variant, 'vram', 'all')
    expect(all).toEqual({
      known: true,
      figure: { percent: 47.9, used: 23 * GiB, total: 48 * GiB, raw: 23 * GiB, unit: 'B', gpu: 'all' },
    })
    expect(await readOnce(variant, 'vram', 3)).toEqual({ known: false, reason: 'GPU 3 not found (found 0, 1, 2)' })
  })

  it('reads utilisation and temperature, the hottest GPU for "all"', async () => {
    const variant = { FAKE_NVML_COUNT: '2', FAKE_NVML_UTIL: '20,60', FAKE_NVML_TEMP: '55,71' }
    const util = await readOnce(variant, 'gpu_util', 'all')
    expect(util.known && util.figure).toEqual({ percent: 40, raw: 40, unit: '%', gpu: 'all' })
    const temp = await readOnce(variant, 'gpu_temp', 'all')
    expect(temp.known && temp.figure).toEqual({ percent: 71, raw: 71, unit: '°C', gpu: 'all' })
    const first = await readOnce(variant, 'gpu_temp', 0)
    expect(first.known && first.figure.percent).toBe(55)
  })

  it('follows the used figure as it changes between reads', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sysboy-nvml-')), 'used')
    writeFileSync(file, String(GiB))
    const source = createNvmlSource({ metric: 'vram', gpu: 0, library: await buildFakeNvml({ FAKE_NVML_USED_FILE: file }) })
    try {
      const first = await source.read()
      writeFileSync(file, String(6 * GiB))
      const second = await source.read()
      expect([first.known && first.figure.percent, second.known && second.figure.percent]).toEqual([12.5, 75])
    } finally {
      source.close()
    }
  })

  it('honours SYSBOY_NVML_LIB, read with the other settings and handed to the source', async () => {
    const env = { SYSBOY_NVML_LIB: await buildFakeNvml({ FAKE_NVML_USED: String(4 * GiB) }), XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'sysboy-nvml-')) }
    const settings = resolveSettings({ flags: {}, configFlag: undefined, env })
    const source = createNvmlSource({ metric: 'vram', gpu: 0, library: settings.nvmlLib })
    const reading = await source.read()
    source.close()
    expect(reading.known && reading.figure.percent).toBe(50)
  })
})
