import { describe, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { executableBuildConfig } from '../host/build-config.ts'
import { DEVICE_PATH } from '../schema/index.ts'
import { DeviceClient } from '../tests/device-client.ts'
import { buildFakeNvml } from '../tests/fixtures/nvml/build.ts'
import { benchInterval, cpuByKind, extraEnv, follow, HOST_LISTENING, hostCommand, probeBuild, threadKind, waitFor, wrapped } from './idle.ts'

const ROOT = join(import.meta.dir, '..')

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

describe('the legend under the table', () => {
  test('is broken between words into indented lines no wider than asked, every word kept in order', () => {
    const text = 'peak RSS: the high-water mark at the end of the first window and of the run;  frames: metric frames'
    const lines = wrapped(text, 30)
    expect(lines).toEqual(['  peak RSS: the high-water', '  mark at the end of the first', '  window and of the run;', '  frames: metric frames'])
    expect(lines.every((line) => line.length <= 30)).toBe(true)
    expect(lines.join(' ').split(' ').filter((w) => w !== '')).toEqual(text.split(' ').filter((w) => w !== ''))
    // A word longer than the width has a line of its own rather than being cut.
    expect(wrapped('a bench/host-not-sampling.ts b', 12)).toEqual(['  a', '  bench/host-not-sampling.ts', '  b'])
    expect(wrapped('', 30)).toEqual([])
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

/** The modules an entry's bundle loads when it starts (not those only imported later) and the bytes each keeps. */
const loadedAtStart = async (config: Bun.BuildConfig, entry: string, out: string): Promise<Map<string, number>> => {
  // Bundled, not compiled, for its metafile: the same entry, options and defines, minus the executable (and its
  // bytecode, which ESM gets only inside an executable).
  const { compile: _, ...bundle } = config
  const result = await Bun.build({ ...bundle, bytecode: false, target: 'bun', outdir: out, metafile: true })
  if (!result.success) throw new Error(`bundling ${entry} failed (npm run build makes the files it embeds): ${result.logs.map(String).join('; ')}`)
  expect(result.success).toBe(true)
  const inputs = result.metafile?.inputs ?? {}
  const kept = new Map<string, number>()
  for (const output of Object.values(result.metafile?.outputs ?? {})) {
    for (const [path, input] of Object.entries(output.inputs)) kept.set(path, (kept.get(path) ?? 0) + input.bytesInOutput)
  }
  const loaded = new Map<string, number>()
  const visit = (path: string): void => {
    if (loaded.has(path) || inputs[path] === undefined) return
    loaded.set(path, kept.get(path) ?? 0)
    for (const imported of inputs[path].imports) if (imported.kind !== 'dynamic-import') visit(imported.path)
  }
  visit(entry)
  return loaded
}

/** What host/main.ts's executable loads at start, as its build compiles it; bundled once for the tests that ask. */
let hostBundle: Promise<Map<string, number>> | undefined
const hostLoaded = (): Promise<Map<string, number>> => {
  hostBundle ??= (async () => {
    const out = mkdtempSync(join(tmpdir(), 'sysboy-host-bundle-'))
    try {
      const config = executableBuildConfig({ entry: join(ROOT, 'host', 'main.ts'), target: 'bun-linux-x64', outfile: join(out, 'host'), executablePath: process.execPath, native: true, version: 'test', firmware: [] })
      return await loadedAtStart(config, 'host/main.ts', join(out, 'bundle'))
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })()
  return hostBundle
}

/** The modules of `host` (but its entry) that `probe` does not load, or loads and does not keep in its output. */
const notAsLoaded = (host: Map<string, number>, probe: Map<string, number>): { missing: string[]; dropped: string[] } => ({
  missing: [...host.keys()].filter((path) => path !== 'host/main.ts' && !probe.has(path)),
  dropped: [...host].filter(([path, bytes]) => path !== 'host/main.ts' && bytes > 0 && (probe.get(path) ?? 0) === 0).map(([path]) => path),
})

describe('the probe of the host\'s code loaded and not run', () => {
  test('loads every module the host\'s executable loads at start, as its build compiles them, beside the bare server', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sysboy-loaded-probe-'))
    try {
      const probe = await loadedAtStart(probeBuild('bare-bun-loaded.ts', join(out, 'probe')), 'bench/bare-bun-loaded.ts', join(out, 'probe-bundle'))
      const host = await hostLoaded()
      // A hundred modules and more: the host's server, hub, sampler and sources, not a few of its leaves.
      expect(host.size).toBeGreaterThan(100)
      for (const path of ['host/cli/run.ts', 'host/server/index.ts', 'host/server/device-gate.ts', 'host/hub/hub.ts', 'host/sampler.ts', 'host/sources/nvml.ts']) {
        expect(host.has(path)).toBe(true)
      }
      // Kept in the output, not only read: the bundler dropped none of what the probe holds.
      expect(notAsLoaded(host, probe)).toEqual({ missing: [], dropped: [] })
      expect(probe.get('bench/bare-bun-server.ts') ?? 0).toBeGreaterThan(0)
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})

describe('the probe of the host\'s floor: sysboy sampling nothing', () => {
  test('runs the host as its executable does, every module of it, with a sampler that never starts', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sysboy-floor-probe-'))
    try {
      const probe = await loadedAtStart(probeBuild('host-not-sampling.ts', join(out, 'probe')), 'bench/host-not-sampling.ts', join(out, 'probe-bundle'))
      expect(notAsLoaded(await hostLoaded(), probe)).toEqual({ missing: [], dropped: [] })
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })

  test('compiled as the bench compiles it: admits a device, answers its API, and sends it no metric frame', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sysboy-floor-run-'))
    let host: ReturnType<typeof Bun.spawn> | undefined
    let device: DeviceClient | undefined
    try {
      const library = await buildFakeNvml()
      const executable = join(out, 'host-not-sampling')
      const built = await Bun.build(probeBuild('host-not-sampling.ts', executable))
      if (!built.success) throw new Error(`bench/host-not-sampling.ts did not compile: ${built.logs.map(String).join('; ')}`)
      const token = 'floor-probe-token-0123'
      host = Bun.spawn(hostCommand(executable, 100, token), {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: out, XDG_CONFIG_HOME: out, SYSBOY_NVML_LIB: library },
        stdout: 'pipe',
        stderr: 'inherit',
      })
      const [, port] = await waitFor(follow(host.stdout as ReadableStream<Uint8Array>), HOST_LISTENING, 'listening line from the probe')
      device = await DeviceClient.paired(`ws://127.0.0.1:${port}${DEVICE_PATH}`, { token })
      const welcomedAt = Date.now()
      // Kept alive by the host's heartbeats, sent once nothing was for half the stale bound: at 100 ms that bound is the
      // schema's least, 500 ms, so one every 250 ms; the fourth comes about a second on.
      const heartbeats = (): number => device?.received.filter((m) => m.type === 'heartbeat').length ?? 0
      const deadline = welcomedAt + 5_000
      while (heartbeats() < 4 && Date.now() < deadline) await Bun.sleep(20)
      expect(heartbeats()).toBeGreaterThanOrEqual(4)
      console.log(`floor probe: 4 heartbeats in ${Date.now() - welcomedAt} ms`)
      expect(Date.now() - welcomedAt).toBeGreaterThanOrEqual(900)
      expect(Date.now() - welcomedAt).toBeLessThan(1_500)
      // Ten intervals of 100 ms and more: sysboy itself sends the device a frame as it is admitted, and one every
      // interval. What the bench's device counts as a metric frame is anything but these three.
      expect(device.received.filter((m) => !['welcome', 'config', 'heartbeat'].includes(m.type))).toEqual([])
      expect(device.received.map((m) => m.type)).toContain('welcome')
      const authorization = { authorization: `Bearer ${token}` }
      const devices = await fetch(`http://127.0.0.1:${port}/api/devices`, { headers: authorization })
      expect(devices.status).toBe(200)
      expect(((await devices.json()) as { id: string }[]).map((d) => d.id)).toEqual(['dev-1'])
      expect(await (await fetch(`http://127.0.0.1:${port}/api/metrics`, { headers: authorization })).json()).toEqual({})
    } finally {
      device?.socket.close()
      host?.kill()
      await host?.exited
      rmSync(out, { recursive: true, force: true })
    }
  }, 60_000)
})
