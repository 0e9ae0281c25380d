// Benchmark: the cost of one sample for each metric source that can run here (median and p99, in µs).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { createAmdgpuSource } from '../host/sources/amdgpu.ts'
import { createCpuSource } from '../host/sources/cpu.ts'
import { createDiskSource } from '../host/sources/disk.ts'
import { createNetSource } from '../host/sources/net.ts'
import { createNvidiaSmiSource, nvidiaSmiCommand } from '../host/sources/nvidia-smi.ts'
import { createNvmlSource } from '../host/sources/nvml.ts'
import { createPrometheusSource } from '../host/sources/prometheus.ts'
import { createRamSource } from '../host/sources/ram.ts'
import type { MetricSource } from '../host/sources/source.ts'
import { buildFakeNvml } from '../tests/fixtures/nvml/build.ts'

const root = join(import.meta.dir, '..')

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN

const measure = async (label: string, reads: number, sample: () => Promise<unknown>): Promise<void> => {
  await sample()
  const times: number[] = []
  for (let i = 0; i < reads; i++) {
    const start = performance.now()
    await sample()
    times.push((performance.now() - start) * 1000)
  }
  times.sort((a, b) => a - b)
  const median = percentile(times, 0.5).toFixed(1).padStart(10)
  const p99 = percentile(times, 0.99).toFixed(1).padStart(10)
  console.log(`${label.padEnd(44)} ${median} µs ${p99} µs   (${reads} reads)`)
}

const readOf = (source: MetricSource) => async (): Promise<void> => {
  const reading = await source.read()
  // Rate sources read back to back see no time pass and say so; the cost measured (read and parse) is the same.
  if (!reading.known && !reading.reason.startsWith('no CPU time') && !reading.reason.startsWith('no time passed')) {
    throw new Error(`${source.name} ${source.metric}: ${reading.reason}`)
  }
}

const fakeSysfs = (): string => {
  const sysfs = mkdtempSync(join(tmpdir(), 'sysboy-bench-sysfs-'))
  for (const [card, total] of [['card0', 512], ['card1', 16384]] as const) {
    const device = join(sysfs, 'class', 'drm', card, 'device')
    mkdirSync(device, { recursive: true })
    writeFileSync(join(device, 'mem_info_vram_total'), `${total * 1048576}\n`)
    writeFileSync(join(device, 'mem_info_vram_used'), `${(total / 4) * 1048576}\n`)
  }
  return sysfs
}

export const main = async (): Promise<void> => {
  console.log('sources: cost of one sample')
  console.log(`${'source'.padEnd(44)} ${'median'.padStart(13)} ${'p99'.padStart(13)}`)
  const opened: MetricSource[] = []
  const open = (source: MetricSource): MetricSource => {
    opened.push(source)
    return source
  }
  const savedPath = process.env.PATH
  const sysfs = fakeSysfs()
  try {
    const nvml = open(createNvmlSource({ metric: 'vram', gpu: 'all', library: await buildFakeNvml({ FAKE_NVML_COUNT: '2' }) }))
    await measure('vram nvml (bun:ffi, fake lib, 2 GPUs)', 20_000, readOf(nvml))

    process.env.PATH = `${join(root, 'tests', 'fixtures', 'nvidia-smi')}${delimiter}${savedPath ?? ''}`
    const stream = open(createNvidiaSmiSource({ metric: 'vram', gpu: 'all', intervalMs: 1000, environment: process.env }))
    await measure('vram nvidia-smi (long-lived stream, fake)', 20_000, readOf(stream))
    const once = nvidiaSmiCommand(Bun.which('nvidia-smi') ?? 'nvidia-smi', 1000).slice(0, 3)
    await measure('vram nvidia-smi (one spawn per sample, fake)', 30, async () => {
      const child = Bun.spawn(once, { stdout: 'pipe', env: { ...process.env } })
      await new Response(child.stdout).text()
      await child.exited
    })
    process.env.PATH = savedPath

    await measure('vram amdgpu (sysfs, fake tree, 2 cards)', 20_000, readOf(open(createAmdgpuSource({ metric: 'vram', gpu: 'all', sysfsRoot: sysfs }))))
    await measure('cpu procfs (/proc/stat)', 20_000, readOf(open(createCpuSource())))
    await measure('ram procfs (/proc/meminfo)', 20_000, readOf(open(createRamSource())))
    await measure('net_rx procfs (/proc/net/dev)', 20_000, readOf(open(createNetSource({ direction: 'rx' }))))
    await measure('disk statfs (/)', 20_000, readOf(open(createDiskSource())))

    const prometheusUrl = process.env.SYSBOY_BENCH_PROMETHEUS ?? 'http://127.0.0.1:9090'
    const prometheus = open(createPrometheusSource({ metric: 'up', url: prometheusUrl, query: 'vector(42)', timeoutMs: 500 }))
    const probe = await prometheus.read()
    if (probe.known) await measure(`prometheus (${prometheusUrl}, vector(42))`, 2_000, readOf(prometheus))
    else console.log(`prometheus: skipped, none running (${probe.reason}); set SYSBOY_BENCH_PROMETHEUS`)
  } finally {
    process.env.PATH = savedPath
    for (const source of opened) source.close()
    rmSync(sysfs, { recursive: true, force: true })
  }
}

if (import.meta.main) await main()
