import { describe, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JIT_POLICY } from '../host/build-config.ts'
import { benchInterval, cpuByKind, extraEnv, loadedProbeBuild, threadKind } from './idle.ts'

describe('BENCH_IDLE_ENV', () => {
  test('gives every NAME=value word, a value that holds = or nothing included', () => {
    expect(extraEnv(' MIMALLOC_PURGE_DELAY=-1\tBUN_GC_TIMER_DISABLE=1  A=b=c EMPTY=')).toEqual({
      MIMALLOC_PURGE_DELAY: '-1',
      BUN_GC_TIMER_DISABLE: '1',
      A: 'b=c',
      EMPTY: '',
    })
    expect(extraEnv(undefined)).toEqual({})
    expect(extraEnv('   ')).toEqual({})
  })

  test('refuses a word that is not NAME=value, naming it, rather than run without it', () => {
    expect(() => extraEnv('MIMALLOC_PURGE_DELAY=-1 BUN_GC_TIMER_DISABLE')).toThrow("BENCH_IDLE_ENV: 'BUN_GC_TIMER_DISABLE' is not NAME=value")
    expect(() => extraEnv('1X=2')).toThrow("'1X=2' is not NAME=value")
    expect(() => extraEnv('=2')).toThrow("'=2' is not NAME=value")
  })
})

describe('CPU by kind of thread', () => {
  test('names a thread by what it is for: the process\'s own, the allocator\'s, the compiler\'s, the collector\'s', () => {
    expect(threadKind(4100, '4100', 'sysboy-linux-x6')).toBe('main')
    expect(threadKind(4100, '4102', 'mi-scavenger')).toBe('allocator')
    expect(threadKind(4100, '4131', 'JITWorker')).toBe('compiler')
    expect(threadKind(4100, '4132', 'HeapHelper')).toBe('gc')
    expect(threadKind(4100, '4103', 'Bun Pool 0')).toBe('other')
    // A thread whose name could not be read is not taken for the main one.
    expect(threadKind(4100, '4104', undefined)).toBe('other')
  })

  test('finds a live Bun process\'s main thread and its allocator\'s scavenger by the names they have', async () => {
    const bun = Bun.spawn([process.execPath, '-e', 'setTimeout(() => {}, 10_000)'], { stdout: 'ignore', stderr: 'ignore' })
    try {
      const deadline = Date.now() + 5_000
      let kinds: string[] = []
      while (Date.now() < deadline) {
        const tids = readdirSync(`/proc/${bun.pid}/task`)
        kinds = tids.map((tid) => threadKind(bun.pid, tid, readFileSync(`/proc/${bun.pid}/task/${tid}/comm`, 'utf8').trim()))
        if (kinds.includes('allocator')) break
        await Bun.sleep(50)
      }
      expect(kinds.filter((k) => k === 'main')).toHaveLength(1)
      expect(kinds).toContain('allocator')
    } finally {
      bun.kill()
    }
  })

  test('sums each kind between two readings, counts a thread born in between from zero, and gives every kind', () => {
    const kinds = { '1': 'main', '2': 'allocator', '3': 'compiler', '4': 'compiler' } as const
    const start = new Map([
      ['1', 1_000_000n],
      ['2', 500_000n],
      ['3', 0n],
    ])
    const end = new Map([
      ['1', 3_500_000n],
      ['2', 750_000n],
      ['3', 1_000_000n],
      ['4', 2_000_000n],
    ])
    expect(cpuByKind(start, end, (tid) => kinds[tid as keyof typeof kinds])).toEqual({ main: 2.5, allocator: 0.25, compiler: 3, gc: 0, other: 0 })
  })
})

describe('BENCH_IDLE_INTERVAL_MS', () => {
  test('is the host\'s default when not given, and any whole number of ms the host takes', () => {
    expect(benchInterval(undefined)).toBe(1000)
    expect(benchInterval(' ')).toBe(1000)
    expect(benchInterval('60000')).toBe(60_000)
    expect(benchInterval('50')).toBe(50)
  })

  test('refuses what --interval refuses, saying why, rather than run at another interval', () => {
    for (const value of ['1.5', 'soon', '-1000', '1e3', '0x3e8']) {
      expect(() => benchInterval(value)).toThrow(`BENCH_IDLE_INTERVAL_MS must be milliseconds, a whole number from 50 to 60000; got '${value}'`)
    }
    expect(() => benchInterval('49')).toThrow('BENCH_IDLE_INTERVAL_MS must be milliseconds from 50 to 60000; got 49')
    expect(() => benchInterval('60001')).toThrow('must be milliseconds from 50 to 60000; got 60001')
  })
})

describe('the probe of the host\'s code loaded and not run', () => {
  test('holds what the host runs at idle, as the host\'s build compiles it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sysboy-loaded-probe-'))
    try {
      // Bundled, not compiled, for its metafile: the same entry, options and defines, minus the executable.
      const { compile, ...bundle } = loadedProbeBuild(join(out, 'probe'))
      expect(compile).toMatchObject({ jitPolicy: JIT_POLICY, autoloadDotenv: false, autoloadBunfig: false })
      // (ESM bytecode is for executables only.)
      expect(bundle.bytecode).toBe(true)
      const result = await Bun.build({ ...bundle, bytecode: false, target: 'bun', outdir: out, metafile: true })
      expect(result.success).toBe(true)
      const inputs = result.metafile?.inputs ?? {}
      // Each in the output, not only read: the bundler kept what the probe holds.
      const kept = (path: string): number => Object.values(result.metafile?.outputs ?? {}).reduce((sum, output) => sum + (output.inputs[path]?.bytesInOutput ?? 0), 0)
      for (const path of ['bench/bare-bun-server.ts', 'host/cli/run.ts', 'host/server/index.ts', 'host/server/device-gate.ts', 'host/hub/hub.ts', 'host/sampler.ts', 'host/sources/nvml.ts']) {
        expect(path in inputs).toBe(true)
        expect(kept(path)).toBeGreaterThan(0)
      }
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
