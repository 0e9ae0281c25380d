// nvidia-smi source against a fake nvidia-smi on PATH that streams in the -lms loop form.
import { beforeEach, describe, expect, it } from 'bun:test'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { createNvidiaSmiSource } from './nvidia-smi.ts'
import { parseNvidiaSmiLine } from './nvidia-smi-csv.ts'

const fakeDir = join(import.meta.dir, '..', '..', 'tests', 'fixtures', 'nvidia-smi')
const MiB = 1024 * 1024
// The environment handed to the source, as the CLI's settings would: the fake first on PATH, the fake's knobs added per test.
let environment: Record<string, string | undefined>

beforeEach(() => {
  environment = { ...process.env, PATH: `${fakeDir}${delimiter}${process.env.PATH ?? ''}` }
})

describe('nvidia-smi source', () => {
  it('parses data lines and refuses error lines', () => {
    expect(parseNvidiaSmiLine('1, 2048, 8192, 41, 58')).toEqual({
      index: 1,
      usedMiB: 2048,
      totalMiB: 8192,
      utilization: 41,
      temperature: 58,
    })
    expect(parseNvidiaSmiLine('0, 100, 4096, [N/A], [N/A]')?.utilization).toBeNaN()
    expect(parseNvidiaSmiLine("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.")).toBeUndefined()
  })

  it('reads the newest sample from one long-lived child, without spawning per read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sysboy-smi-'))
    const log = join(dir, 'starts')
    const used = join(dir, 'used')
    writeFileSync(used, '1024,3072')
    Object.assign(environment, { FAKE_SMI_COUNT: '2', FAKE_SMI_USED_FILE: used, FAKE_SMI_LOG: log })
    const source = createNvidiaSmiSource({ metric: 'vram', gpu: 'all', intervalMs: 100, environment })
    try {
      expect(await source.read()).toEqual({
        known: true,
        figure: { percent: 25, used: 4096 * MiB, total: 16384 * MiB, raw: 4096 * MiB, unit: 'B', gpu: 'all' },
      })
      writeFileSync(used, '6144,6144')
      let percent = 0
      for (let tries = 0; tries < 100 && percent !== 75; tries++) {
        await Bun.sleep(50)
        const reading = await source.read()
        percent = reading.known ? reading.figure.percent : -1
      }
      expect(percent).toBe(75)
      const starts = readFileSync(log, 'utf8').trim().split('\n')
      expect(starts).toEqual(['start --query-gpu=index,memory.used,memory.total,utilization.gpu,temperature.gpu --format=csv,noheader,nounits -lms 100'])
    } finally {
      source.close()
    }
  })

  it('reads one GPU, utilisation and temperature', async () => {
    Object.assign(environment, { FAKE_SMI_COUNT: '2', FAKE_SMI_USED: '1024,6144', FAKE_SMI_TEMP: '50,77' })
    const vram = createNvidiaSmiSource({ metric: 'vram', gpu: 1, intervalMs: 100, environment })
    const temp = createNvidiaSmiSource({ metric: 'gpu_temp', gpu: 'all', intervalMs: 100, environment })
    try {
      const [memory, hottest] = await Promise.all([vram.read(), temp.read()])
      expect(memory.known && memory.figure.percent).toBe(75)
      expect(hottest.known && hottest.figure).toEqual({ percent: 77, raw: 77, unit: '°C', gpu: 'all' })
    } finally {
      vram.close()
      temp.close()
    }
  })

  it('restarts the child when it dies', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'sysboy-smi-')), 'starts')
    Object.assign(environment, { FAKE_SMI_SAMPLES: '1', FAKE_SMI_LOG: log })
    const source = createNvidiaSmiSource({ metric: 'vram', gpu: 0, intervalMs: 100, environment })
    try {
      expect((await source.read()).known).toBe(true)
      // The child exits after one sample; reads keep working once a restart is due (at most every 2 s).
      let starts = 1
      for (let tries = 0; tries < 100 && starts < 2; tries++) {
        await Bun.sleep(100)
        await source.read()
        starts = readFileSync(log, 'utf8').trim().split('\n').length
      }
      expect(starts).toBeGreaterThanOrEqual(2)
    } finally {
      source.close()
    }
  })

  it('gives nvidia-smi\'s own words when it fails', async () => {
    environment.FAKE_SMI_FAIL = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."
    const source = createNvidiaSmiSource({ metric: 'vram', gpu: 0, intervalMs: 100, environment })
    try {
      expect(await source.read()).toEqual({
        known: false,
        reason: "nvidia-smi exited with code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
      })
    } finally {
      source.close()
    }
  })

  it('says when nvidia-smi is not on PATH', async () => {
    environment.PATH = mkdtempSync(join(tmpdir(), 'sysboy-empty-path-'))
    const source = createNvidiaSmiSource({ metric: 'vram', gpu: 0, environment })
    expect(await source.read()).toEqual({ known: false, reason: 'nvidia-smi not on PATH' })
    source.close()
  })
})
