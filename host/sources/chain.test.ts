// The default VRAM chain through openSource: every reason when nothing works, nvidia-smi when only it works.
import { describe, expect, it } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { buildFakeNvml } from '../../tests/fixtures/nvml/build.ts'
import { openSource } from './index.ts'

const fakeSmiDir = join(import.meta.dir, '..', '..', 'tests', 'fixtures', 'nvidia-smi')
const emptyDir = (): string => mkdtempSync(join(tmpdir(), 'sysboy-chain-'))
// The environment handed to openSource, as the CLI's settings would, with PATH replaced.
const withPath = (path: string): Record<string, string | undefined> => ({ ...process.env, PATH: path })
const fakeSmiPath = (): string => `${fakeSmiDir}${delimiter}${process.env.PATH ?? ''}`

describe('VRAM chain', () => {
  it('is unknown with each source\'s reason when none works', async () => {
    const missingLib = join(emptyDir(), 'libnvidia-ml.so.1')
    const source = openSource({ metric: 'vram', gpu: 0, nvmlLib: missingLib, sysfsRoot: emptyDir(), environment: withPath(emptyDir()) })
    try {
      expect(await source.read()).toEqual({
        known: false,
        reason: `no GPU found: nvml: ${missingLib} not found; nvidia-smi: not on PATH; amdgpu: no card with mem_info_vram_total`,
      })
      expect(source.name).toBe('none')
    } finally {
      source.close()
    }
  })

  it('uses nvidia-smi when only it works', async () => {
    const source = openSource({
      metric: 'vram',
      gpu: 0,
      nvmlLib: join(emptyDir(), 'libnvidia-ml.so.1'),
      sysfsRoot: emptyDir(),
      intervalMs: 100,
      environment: withPath(fakeSmiPath()),
    })
    try {
      const reading = await source.read()
      expect(reading.known && reading.figure.percent).toBe(25)
      expect(source.name).toBe('nvidia-smi')
    } finally {
      source.close()
    }
  })

  it('prefers NVML when it works', async () => {
    const source = openSource({
      metric: 'vram',
      gpu: 'all',
      nvmlLib: await buildFakeNvml({ FAKE_NVML_USED: String(6 * 1024 ** 3) }),
      environment: withPath(fakeSmiPath()),
    })
    try {
      const reading = await source.read()
      expect(reading.known && reading.figure.percent).toBe(75)
      expect(source.name).toBe('nvml')
    } finally {
      source.close()
    }
  })

  it('retries a failed source later, not on every read', async () => {
    const environment = withPath(emptyDir())
    const source = openSource({ metric: 'vram', gpu: 0, nvmlLib: join(emptyDir(), 'none.so'), sysfsRoot: emptyDir(), environment })
    try {
      expect((await source.read()).known).toBe(false)
      // nvidia-smi appears; the chain does not look again until its retry time (30 s) has passed.
      // (In the same environment map the source was given, so a look would find it.)
      environment.PATH = fakeSmiPath()
      expect((await source.read()).known).toBe(false)
    } finally {
      source.close()
    }
  })
})

describe('openSource', () => {
  const environment = withPath(emptyDir())

  it('refuses unknown metrics and sources, naming the valid ones', () => {
    expect(() => openSource({ metric: 'fan', gpu: 0, environment })).toThrow(
      'unknown metric "fan"; use one of vram, gpu_util, gpu_temp, cpu, ram, net_rx, net_tx, disk (or any name with a Prometheus query)',
    )
    expect(() => openSource({ metric: 'cpu', gpu: 0, source: 'nvml', environment })).toThrow(
      'source "nvml" cannot read cpu; use one of procfs, prometheus',
    )
    expect(() => openSource({ metric: 'vram', gpu: 0, source: 'prometheus', environment })).toThrow(
      'source "prometheus" needs a Prometheus URL and a PromQL query',
    )
    expect(() => openSource({ metric: 'vram', gpu: 1.5, environment })).toThrow('GPU must be an index (0, 1, ...) or "all", not 1.5')
  })

  it('opens only the forced source', async () => {
    const source = openSource({ metric: 'vram', gpu: 0, source: 'nvml', nvmlLib: await buildFakeNvml(), environment })
    try {
      expect(source.name).toBe('nvml')
      expect((await source.read()).known).toBe(true)
    } finally {
      source.close()
    }
  })
})
