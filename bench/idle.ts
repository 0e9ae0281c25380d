// Benchmark: idle cost. The built host beside a bare Bun server and the seed's Python server, side by side in one run.
//
// Each server samples VRAM from the same fake NVML every second (BENCH_IDLE_INTERVAL_MS) and has one device connected
// (a Bun WebSocket client in its own process). Over the same window, CPU (% of one core) is the time the server's
// threads spent on a CPU, in nanoseconds: the first field of /proc/<pid>/task/<tid>/schedstat, summed over every thread
// (/proc/<pid>/schedstat is the main thread's alone), read every 250 ms so that a thread that exits (Bun's JIT and
// GC helpers come and go) counts up to its last reading (ThreadClock). (utime + stime in /proc/<pid>/stat counts
// 10 ms ticks: 0.05 % of a core over 120 s is 6 of them.) Peak RSS is VmHWM, at the end of the first window and of
// the run. Both are printed with ratios against the bare Bun server. Targets: the host's CPU at most 1.2× the bare server's, its peak RSS at most the bare
// server's + 10 MB.
//
// Every server runs from a copy of its executable dropped from the page cache (bench/cold-start.ts says why).
//
// The start is a figure of its own: the CPU a server spent from its exec until its device had a metric frame (for the
// host's floor, below, until its device was welcomed). The windows begin once every server has got that far.
// Two windows: the first BENCH_IDLE_SECONDS from the start (default 120), and a steady one of as long again once
// every server has run BENCH_IDLE_WARMUP_SECONDS (default 240). Code that runs once a second is interpreted for its
// first minutes and compiled by JavaScriptCore's tiers one by one (a host's tick took 430 µs at first, 245 µs after
// 4 min; the bare server's 110 and 77 µs), so a window from the start counts that warm-up; a host runs for days.
// The executable holds its thresholds 16 times higher while idle (host/jit-policy.ts), so its tick is compiled later
// than that, within the steady window. Under the table, a line per Bun server gives its CPU in each window by kind of
// thread (threadKind): main, mimalloc's scavenger, JavaScriptCore's compiler and GC helper threads, and the rest.
// BENCH_IDLE_WARMUP_SECONDS=0 leaves the steady window out. BENCH_IDLE_INTERVAL_MS (default 1000) sets every server's
// interval; at 60000, the longest the host takes, each ticks twice in a window of 120 s, so the windows show what a
// server costs besides its tick. The servers start one after another, and the bare Bun and Python servers send a first
// frame only after an interval, so at 60000 their start figure holds up to a minute of waiting, and the host has run
// about two minutes when the windows begin. BENCH_IDLE_ENV='NAME=value …' gives every server (all alike) those
// variables as well, to try a setting of the runtime or its allocator on the host and the baseline at once.
// Three more rows take the host apart: 'bare compiled', the bare Bun server compiled here as the host is
// (host/build-config.ts: minified, bytecode, the host's JIT thresholds), and 'bare + code', the same with the host's
// code loaded beside it and never run (bench/bare-bun-loaded.ts). The second against the first is what the host costs
// by its code being there; sysboy against the second, what it does as it runs. 'no sampling' is the host's floor:
// sysboy compiled the same way with its sampler never started (bench/host-not-sampling.ts), so it sends its device no
// metric frame, only the host's heartbeats; sysboy against it is what its sampling and frames cost, and it against
// the bare server the least the host costs with a device connected. Lines under the table give all three. The bench
// fails if the floor sends its device a metric frame, or if any server closes its device during the run.
// The host is dist/sysboy-linux-x64 (npm run build), or SYSBOY_BENCH_BINARY; SYSBOY_BENCH_COMPARE names another
// build of it (an older one, say) to run in the same window as one more row. The Python server needs
// .cache/venv with websockets and pyNVML (sh scripts/setup/bench.sh, run here first).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { executableBuildConfig } from '../host/build-config.ts'
import { DEFAULTS, parseInterval } from '../host/config/resolve.ts'
import { DEVICE_PATH } from '../schema/index.ts'
import { helloFrame } from '../tests/device-client.ts'
import { buildFakeNvml } from '../tests/fixtures/nvml/build.ts'
import { builtHost, coldCopy, dropFromPageCache } from './cold-start.ts'

const ROOT = join(import.meta.dir, '..')
const TOKEN = 'bench-idle-token'
/**
 * Bun collects garbage every second until about 30 s after a start, then every 30 s while its heap holds steady
 * (its GarbageCollectionController's fast and slow timers; seen with BUN_JSC_logGC=1 for an empty process, the bare
 * server and the host alike), and a collection costs more on a larger heap. The table splits the window there.
 */
const GC_FAST_SECONDS = 30
const CPU_RATIO_TARGET = 1.2
const RSS_MARGIN_TARGET_MB = 10

// The device, as the firmware behaves when idle: says the hello it is given (the bare servers ignore it), sends a
// heartbeat every 10 s, says when it is welcomed, and prints how many metric frames it has been sent once a second
// until it is killed, or until its socket closes, which it says last.
const DEVICE = `
const ws = new WebSocket(process.argv[1])
let frames = 0
let beating
ws.onopen = () => {
  ws.send(process.argv[2])
  beating = setInterval(() => ws.send('{"type":"heartbeat"}'), 10000)
}
ws.onmessage = (event) => {
  const type = JSON.parse(String(event.data)).type
  if (type === 'welcome') console.log('welcome')
  else if (type !== 'config' && type !== 'heartbeat') frames++
}
const counting = setInterval(() => console.log('frames ' + frames), 1000)
ws.onclose = (event) => {
  clearInterval(counting)
  clearInterval(beating)
  console.log('closed ' + event.code)
}
`

interface Contender {
  name: string
  command: string[]
  env: Record<string, string>
  /** The line the server prints once it listens; its first group is the port. */
  listening: RegExp
  /** The WebSocket path its device connects to. */
  path: string
  /** Whether its device is sent metric frames; the host's floor (no sampling) sends none, only heartbeats. */
  sendsFrames: boolean
}

interface Running {
  contender: Contender
  server: ReturnType<typeof Bun.spawn>
  device: ReturnType<typeof Bun.spawn> | undefined
  deviceOutput: Output | undefined
  /** The server's threads, read every POLL_MS from its start on. */
  clock: ThreadClock
  /** CPU its threads spent from the start until its device had a metric frame (`startOne`). */
  startCpuNs: bigint
}

interface Figures {
  name: string
  /** CPU from the start until the device's first metric frame, in ms. */
  startCpuMs: number
  cpuPercent: number
  /** CPU over the steady window; NaN when there is none. */
  cpuSteadyPercent: number
  /** The same over the window's first GC_FAST_SECONDS, and over the rest of it. */
  cpuFirstPercent: number
  cpuRestPercent: number
  /** Threads that exited during the run: their time is counted up to their last reading (ThreadClock). */
  threadsExited: number
  /** CPU by kind of thread over the window from the start and the steady one (NaN without), in ms. */
  byKind: Record<ThreadKind, number>
  byKindSteady: Record<ThreadKind, number>
  /** Peak RSS at the end of the window from the start, and at the end of the run. */
  peakRssFirstMb: number
  peakRssMb: number
  frames: number
  /** Metric frames the device got in the steady window (NaN without one, or once the device stopped counting). */
  steadyFrames: number
}

export interface Output {
  text: () => string
}

/** What a Bun server's thread is for, by the name it gives itself. */
export type ThreadKind = 'main' | 'allocator' | 'compiler' | 'gc' | 'other'

/** Each kind of thread as the table names it, in the order it prints them. */
const KIND_LABELS: Record<ThreadKind, string> = {
  main: 'main',
  allocator: "mimalloc's scavenger",
  compiler: 'JavaScriptCore compiler',
  gc: 'GC helpers',
  other: 'other',
}
const KINDS = Object.keys(KIND_LABELS) as ThreadKind[]

/**
 * The kind of thread `tid` of process `pid`, named `name`: the process's own thread is its main one (JavaScript, the
 * event loop, and JavaScriptCore's collections); mimalloc's purge thread names itself mi-scavenger, JavaScriptCore's
 * compiler threads JITWorker and its parallel marking threads HeapHelper.
 */
export const threadKind = (pid: number, tid: string, name: string | undefined): ThreadKind => {
  if (tid === String(pid)) return 'main'
  if (name === 'mi-scavenger') return 'allocator'
  if (name?.startsWith('JITWorker') === true) return 'compiler'
  if (name === 'HeapHelper') return 'gc'
  return 'other'
}

/**
 * Nanoseconds on a CPU per thread of one process (the first field of each thread's schedstat), read every
 * POLL_MS: a thread that exits keeps the time it had when last read, so a window loses at most POLL_MS of its time
 * (Bun's pool and JIT threads come and go).
 */
class ThreadClock {
  readonly #pid: number
  readonly #seen = new Map<string, bigint>()
  /** Each thread's name as first read (`threadKind`). */
  readonly #names = new Map<string, string>()
  #exited = 0

  constructor(pid: number) {
    this.#pid = pid
  }

  poll(): void {
    let alive: string[]
    try {
      alive = readdirSync(`/proc/${this.#pid}/task`)
    } catch {
      return
    }
    for (const tid of alive) {
      try {
        if (!this.#names.has(tid)) this.#names.set(tid, readFileSync(`/proc/${this.#pid}/task/${tid}/comm`, 'utf8').trim())
        this.#seen.set(tid, BigInt(readFileSync(`/proc/${this.#pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0] ?? '0'))
      } catch {
        // The thread exited between the listing and the read; it keeps its last reading.
      }
    }
    this.#exited = [...this.#seen.keys()].filter((tid) => !alive.includes(tid)).length
  }

  /** Every thread seen so far, with its newest reading. */
  snapshot(): Map<string, bigint> {
    this.poll()
    return new Map(this.#seen)
  }

  /** Threads seen that have exited. */
  get exited(): number {
    return this.#exited
  }

  /** What the thread was for. */
  kind(tid: string): ThreadKind {
    return threadKind(this.#pid, tid, this.#names.get(tid))
  }
}

const POLL_MS = 250

/** CPU time between two snapshots, of the threads `only` picks (all by default); a thread born within counts from 0. */
const cpuBetween = (start: Map<string, bigint>, end: Map<string, bigint>, only: (tid: string) => boolean = () => true): bigint => {
  let nanoseconds = 0n
  for (const [tid, at] of end) if (only(tid)) nanoseconds += at - (start.get(tid) ?? 0n)
  return nanoseconds
}

/** CPU between two snapshots by kind of thread, in ms; every kind is there, 0 when no such thread ran. */
export const cpuByKind = (start: Map<string, bigint>, end: Map<string, bigint>, kind: (tid: string) => ThreadKind): Record<ThreadKind, number> => {
  return Object.fromEntries(KINDS.map((k) => [k, Number(cpuBetween(start, end, (tid) => kind(tid) === k)) / 1e6])) as Record<ThreadKind, number>
}

const peakRssMb = (pid: number): number => {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB$/m)
  return Number(match?.[1] ?? Number.NaN) / 1024
}

/** Keeps reading a child's output (so it never writes into a closed pipe); `text()` is its newest 4 KiB. */
export const follow = (stream: ReadableStream<Uint8Array>): Output => {
  let text = ''
  void (async (): Promise<void> => {
    for await (const chunk of stream) text = (text + new TextDecoder().decode(chunk)).slice(-4096)
  })()
  return { text: () => text }
}

export const waitFor = async (output: Output, pattern: RegExp, what: string, timeoutMs = 20_000): Promise<RegExpMatchArray> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const match = output.text().match(pattern)
    if (match !== null) return match
    if (Date.now() > deadline) throw new Error(`no ${what}; output so far:\n${output.text()}`)
    await Bun.sleep(100)
  }
}

/** Installs the Python side (pyNVML, websockets) into .cache/venv when it is missing. */
const setUpPython = async (): Promise<string> => {
  const setup = Bun.spawn(['sh', join(ROOT, 'scripts', 'setup', 'bench.sh')], { stdout: 'inherit', stderr: 'inherit' })
  if ((await setup.exited) !== 0) throw new Error('sh scripts/setup/bench.sh failed')
  return join(ROOT, '.cache', 'venv', 'bin', 'python')
}

/** A folder holding the fake NVML under the name pyNVML loads (libnvidia-ml.so.1), for LD_LIBRARY_PATH. */
const fakeNvmlFolder = (library: string, scratch: string): string => {
  const folder = join(scratch, 'nvml')
  mkdirSync(folder)
  symlinkSync(library, join(folder, 'libnvidia-ml.so.1'))
  return folder
}

/** BENCH_IDLE_ENV's `NAME=value` words; anything else is refused, so a typo never runs as the default. */
export const extraEnv = (words: string | undefined): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const word of (words ?? '').split(/\s+/).filter((w) => w !== '')) {
    const match = word.match(/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/)
    if (match === null) throw new Error(`BENCH_IDLE_ENV: '${word}' is not NAME=value`)
    env[match[1] as string] = match[2] as string
  }
  return env
}

/**
 * BENCH_IDLE_INTERVAL_MS: every server's sampling interval, read as the host reads `--interval` (its default when
 * not given). At the longest, 60 000 ms, a window of 120 s holds two ticks, so what a server costs besides its tick
 * shows.
 */
export const benchInterval = (value: string | undefined): number => {
  if (value === undefined || value.trim() === '') return DEFAULTS.interval
  const parsed = parseInterval(value)
  if (!parsed.ok) throw new Error(`BENCH_IDLE_INTERVAL_MS ${parsed.reason}`)
  return parsed.value
}

/** A probe's build: `entry` (under bench/) as the host's own build compiles host/main.ts, for this machine. */
export const probeBuild = (entry: string, outfile: string): Bun.BuildConfig =>
  executableBuildConfig({
    entry: join(ROOT, 'bench', entry),
    target: `bun-linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}`,
    outfile,
    executablePath: process.execPath,
    native: true,
    version: 'bench',
    firmware: [],
  })

/** Compiles a probe into `scratch`/bin, dropped from the page cache like the copies of the other executables. */
const compileProbe = async (entry: string, scratch: string): Promise<string> => {
  const outfile = join(scratch, 'bin', entry.replace(/\.ts$/, ''))
  const result = await Bun.build(probeBuild(entry, outfile))
  if (!result.success) throw new Error(`bench/${entry} did not compile: ${result.logs.map((log) => String(log)).join('; ')}`)
  await dropFromPageCache(outfile)
  return outfile
}

/** How the bench runs sysboy and its floor: VRAM from NVML every `intervalMs`, on loopback, on a free port, no mDNS. */
export const hostCommand = (executable: string, intervalMs: number, token: string): string[] => [
  executable, '--metric', 'vram', '--source', 'nvml', '--interval', String(intervalMs), '--bind', '127.0.0.1', '--port', '0', '--no-mdns', '--token', token,
]

/** The line sysboy prints once it listens; its first group is the port. */
export const HOST_LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+) /

const contenders = (hosts: Record<string, string>, probes: { bare: string; loaded: string; notSampling: string }, bun: string, python: string, library: string, scratch: string, extra: Record<string, string>, intervalMs: number): Contender[] => {
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch, XDG_CONFIG_HOME: scratch, ...extra }
  const sysboy = (name: string, executable: string, sendsFrames: boolean): Contender => ({
    name,
    command: hostCommand(executable, intervalMs, TOKEN),
    env: { ...base, SYSBOY_NVML_LIB: library },
    listening: HOST_LISTENING,
    path: DEVICE_PATH,
    sendsFrames,
  })
  const bare = { env: { ...base, SYSBOY_NVML_LIB: library }, listening: /listening on (\d+)/, path: '/', sendsFrames: true }
  return [
    ...Object.entries(hosts).map(([name, host]) => sysboy(name, host, true)),
    sysboy('no sampling', probes.notSampling, false),
    { name: 'bare Bun', command: [bun, join(ROOT, 'bench', 'bare-bun-server.ts'), '0', String(intervalMs)], ...bare },
    { name: 'bare compiled', command: [probes.bare, '0', String(intervalMs)], ...bare },
    { name: 'bare + code', command: [probes.loaded, '0', String(intervalMs)], ...bare },
    { name: 'seed Python', command: [python, join(ROOT, 'bench', 'seed-python-server.py'), '0', String(intervalMs)], ...bare, env: { ...base, LD_LIBRARY_PATH: fakeNvmlFolder(library, scratch) } },
  ]
}

const startOne = async (contender: Contender, running: Running[], intervalMs: number): Promise<void> => {
  const server = Bun.spawn(contender.command, { env: contender.env, stdout: 'pipe', stderr: 'inherit' })
  const entry: Running = { contender, server, device: undefined, deviceOutput: undefined, clock: new ThreadClock(server.pid), startCpuNs: 0n }
  running.push(entry)
  const [, port] = await waitFor(follow(server.stdout), contender.listening, `listening line from ${contender.name}`)
  const hello = helloFrame({ device: 'bench-idle', firmware: 'bench', buttons: [], token: TOKEN })
  entry.device = Bun.spawn([process.execPath, '-e', DEVICE, `ws://127.0.0.1:${port}${contender.path}`, hello], { stdout: 'pipe', stderr: 'inherit' })
  entry.deviceOutput = follow(entry.device.stdout as ReadableStream<Uint8Array>)
  // The bare Bun and the seed's Python servers send their first frame one interval after they start; the host's floor
  // sends none, and its device is in once it is welcomed (and has counted its frames once, for the window's start).
  if (contender.sendsFrames) await waitFor(entry.deviceOutput, /frames [1-9]/, `frame at ${contender.name}'s device`, 20_000 + intervalMs)
  else await waitFor(entry.deviceOutput, /^welcome\n[\s\S]*^frames 0\n/m, `welcome at ${contender.name}'s device`)
  entry.startCpuNs = cpuBetween(new Map(), entry.clock.snapshot())
}

/** The device's newest count of metric frames, from its last whole line that gives one. */
const framesSeen = (output: Output | undefined): number => Number([...(output?.text() ?? '').matchAll(/^frames (\d+)\n/gm)].at(-1)?.[1] ?? Number.NaN)

/** Runs every contender at once over the same windows, so the machine's other load falls on all of them alike. */
const measure = async (list: Contender[], seconds: number, warmupSeconds: number, intervalMs: number): Promise<Figures[]> => {
  const running: Running[] = []
  let poller: ReturnType<typeof setInterval> | undefined
  try {
    poller = setInterval(() => {
      for (const r of running) r.clock.poll()
    }, POLL_MS)
    for (const contender of list) await startOne(contender, running, intervalMs)
    const clocks = running.map((r) => r.clock)
    const startCpu = clocks.map((clock) => clock.snapshot())
    const startFrames = running.map((r) => framesSeen(r.deviceOutput))
    const started = process.hrtime.bigint()
    const split = Math.min(GC_FAST_SECONDS, seconds)
    await Bun.sleep(split * 1000)
    const splitCpu = clocks.map((clock) => clock.snapshot())
    const splitAt = process.hrtime.bigint()
    await Bun.sleep((seconds - split) * 1000)
    const endCpu = clocks.map((clock) => clock.snapshot())
    const ended = process.hrtime.bigint()
    const firstRss = running.map((r) => peakRssMb(r.server.pid))
    const frames = running.map((r, i) => framesSeen(r.deviceOutput) - (startFrames[i] ?? 0))
    let steadyFrom: Map<string, bigint>[] | undefined
    let steadyTo: Map<string, bigint>[] = []
    let steadyStarted = 0n
    let steadyEnded = 0n
    let steadyFrames: number[] = running.map(() => Number.NaN)
    if (warmupSeconds > 0) {
      await Bun.sleep(Math.max(0, warmupSeconds - seconds) * 1000)
      steadyFrom = clocks.map((clock) => clock.snapshot())
      const fromFrames = running.map((r) => framesSeen(r.deviceOutput))
      steadyStarted = process.hrtime.bigint()
      await Bun.sleep(seconds * 1000)
      steadyTo = clocks.map((clock) => clock.snapshot())
      steadyEnded = process.hrtime.bigint()
      steadyFrames = running.map((r, i) => framesSeen(r.deviceOutput) - (fromFrames[i] ?? Number.NaN))
    }
    const rss = running.map((r) => peakRssMb(r.server.pid))
    for (const r of running) {
      // The device's last line once its socket closed: it counts no more after it.
      const closed = r.deviceOutput?.text().match(/^closed (\d+)$/m)?.[1]
      if (closed !== undefined) throw new Error(`${r.contender.name} closed its device (${closed}) during the run`)
      const exited = r.device?.exitCode
      if (exited !== null && exited !== undefined) throw new Error(`${r.contender.name}'s device exited during the run (${exited})`)
    }
    const floor = running.findIndex((r) => !r.contender.sendsFrames)
    if (floor >= 0 && (frames[floor] !== 0 || (warmupSeconds > 0 && steadyFrames[floor] !== 0))) {
      const sent = warmupSeconds > 0 ? `${frames[floor]} and ${steadyFrames[floor]} in the steady window` : String(frames[floor])
      throw new Error(`${running[floor]?.contender.name} sent its device metric frames (${sent}); it must send none`)
    }
    const percent = (nanoseconds: bigint, over: bigint): number => (over > 0n ? (Number(nanoseconds) / Number(over)) * 100 : Number.NaN)
    const none = Object.fromEntries(KINDS.map((k) => [k, Number.NaN])) as Record<ThreadKind, number>
    return running.map((r, i) => {
      const clock = r.clock
      const from = steadyFrom?.[i]
      return {
        name: r.contender.name,
        startCpuMs: Number(r.startCpuNs) / 1e6,
        cpuPercent: percent(cpuBetween(startCpu[i] ?? new Map(), endCpu[i] ?? new Map()), ended - started),
        cpuFirstPercent: percent(cpuBetween(startCpu[i] ?? new Map(), splitCpu[i] ?? new Map()), splitAt - started),
        cpuRestPercent: seconds > split ? percent(cpuBetween(splitCpu[i] ?? new Map(), endCpu[i] ?? new Map()), ended - splitAt) : Number.NaN,
        cpuSteadyPercent: from === undefined ? Number.NaN : percent(cpuBetween(from, steadyTo[i] ?? new Map()), steadyEnded - steadyStarted),
        threadsExited: clock.exited,
        byKind: cpuByKind(startCpu[i] ?? new Map(), endCpu[i] ?? new Map(), (tid) => clock.kind(tid)),
        byKindSteady: from === undefined ? none : cpuByKind(from, steadyTo[i] ?? new Map(), (tid) => clock.kind(tid)),
        peakRssFirstMb: firstRss[i] ?? Number.NaN,
        peakRssMb: rss[i] ?? Number.NaN,
        frames: frames[i] ?? Number.NaN,
        steadyFrames: steadyFrames[i] ?? Number.NaN,
      }
    })
  } finally {
    clearInterval(poller)
    for (const r of running) {
      r.device?.kill()
      r.server.kill('SIGTERM')
    }
    await Promise.all(running.map((r) => r.server.exited))
  }
}

/** Columns of the legend under the table, its indent included. */
const LEGEND_WIDTH = 120

/** `text` in lines of at most `width` columns, each indented by two, broken between words. */
export const wrapped = (text: string, width: number): string[] => {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ').filter((w) => w !== '')) {
    if (line !== '' && 2 + line.length + 1 + word.length > width) {
      lines.push(`  ${line}`)
      line = word
    } else {
      line = line === '' ? word : `${line} ${word}`
    }
  }
  if (line !== '') lines.push(`  ${line}`)
  return lines
}

const table = (figures: Figures[], seconds: number, warmupSeconds: number, intervalMs: number): string => {
  const bare = figures.find((f) => f.name === 'bare Bun')
  const host = figures.find((f) => f.name === 'sysboy')
  const steady = warmupSeconds > 0
  const lines = [
    `idle: one device each, VRAM from the same fake NVML every ${intervalMs} ms, side by side: ${seconds} s from the start` +
      (steady ? `, and ${seconds} s once each has run ${warmupSeconds} s (steady)` : ''),
  ]
  const first = `first ${Math.min(GC_FAST_SECONDS, seconds)} s`
  const atFirst = `RSS ${seconds} s`
  const cells = (values: string[], widths: number[]): string => values.map((value, i) => value.padStart(widths[i] ?? 7)).join(' ')
  const widths = [8, 7, 10, 7, 10, 7, 8, 7, ...(steady ? [8, 7] : []), 9, 7, ...(steady ? [8, 7] : []), 9]
  lines.push(
    `  ${'server'.padEnd(13)} ` +
      cells(['start ms', '× bare', 'CPU % core', '× bare', first, '× bare', 'after', '× bare', ...(steady ? ['steady', '× bare'] : []), atFirst, '− bare', ...(steady ? ['RSS end', '− bare'] : []), 'frames'], widths),
  )
  const ratio = (value: number, of: number | undefined): string => (of === undefined || !Number.isFinite(value / of) ? '' : `${(value / of).toFixed(2)}×`)
  const figure = (value: number): string => (Number.isFinite(value) ? value.toPrecision(3) : '')
  const margin = (value: number, of: number | undefined): string =>
    of === undefined || !Number.isFinite(value - of) ? '' : `${value - of >= 0 ? '+' : ''}${(value - of).toFixed(1)}`
  for (const f of figures) {
    lines.push(
      `  ${f.name.padEnd(13)} ` +
        cells(
          [
            f.startCpuMs.toFixed(1),
            ratio(f.startCpuMs, bare?.startCpuMs),
            figure(f.cpuPercent),
            ratio(f.cpuPercent, bare?.cpuPercent),
            figure(f.cpuFirstPercent),
            ratio(f.cpuFirstPercent, bare?.cpuFirstPercent),
            figure(f.cpuRestPercent),
            ratio(f.cpuRestPercent, bare?.cpuRestPercent),
            ...(steady ? [figure(f.cpuSteadyPercent), ratio(f.cpuSteadyPercent, bare?.cpuSteadyPercent)] : []),
            f.peakRssFirstMb.toFixed(1),
            margin(f.peakRssFirstMb, bare?.peakRssFirstMb),
            ...(steady ? [f.peakRssMb.toFixed(1), margin(f.peakRssMb, bare?.peakRssMb)] : []),
            steady ? `${f.frames}/${f.steadyFrames}` : String(f.frames),
          ],
          widths,
        ),
    )
  }
  if (bare !== undefined && host !== undefined) {
    const met = (ok: boolean): string => (ok ? 'met' : 'NOT MET')
    const cpuOk = host.cpuPercent <= bare.cpuPercent * CPU_RATIO_TARGET
    const steadyOk = host.cpuSteadyPercent <= bare.cpuSteadyPercent * CPU_RATIO_TARGET
    const rssFirstOk = host.peakRssFirstMb <= bare.peakRssFirstMb + RSS_MARGIN_TARGET_MB
    const rssOk = host.peakRssMb <= bare.peakRssMb + RSS_MARGIN_TARGET_MB
    lines.push(
      `  targets: sysboy CPU ≤ ${CPU_RATIO_TARGET}× bare Bun: ${met(cpuOk)} from the start` +
        (steady ? `, ${met(steadyOk)} steady` : '') +
        `; peak RSS ≤ bare Bun + ${RSS_MARGIN_TARGET_MB} MB: ${met(rssFirstOk)} at ${seconds} s` +
        (steady ? `, ${met(rssOk)} at the end` : ''),
    )
  }
  const compiled = figures.find((f) => f.name === 'bare compiled')
  const loaded = figures.find((f) => f.name === 'bare + code')
  /** One server's CPU against another's, over the window from the start and the steady one. */
  const versus = (of: Figures, to: Figures): string =>
    `${ratio(of.cpuPercent, to.cpuPercent)} over ${seconds} s` + (steady ? `, ${ratio(of.cpuSteadyPercent, to.cpuSteadyPercent)} steady` : '')
  if (compiled !== undefined && loaded !== undefined && host !== undefined) {
    lines.push(`  the host apart: its code loaded, bare + code against bare compiled, ${versus(loaded, compiled)} (peak RSS ${margin(loaded.peakRssFirstMb, compiled.peakRssFirstMb)} MB);`)
    lines.push(`  what it does as it runs, sysboy against bare + code, ${versus(host, loaded)}`)
  }
  const floor = figures.find((f) => f.name === 'no sampling')
  if (floor !== undefined && bare !== undefined && host !== undefined && compiled !== undefined) {
    lines.push(`  the host's floor: sysboy sampling nothing and sending its device no frame (no sampling) against bare Bun,`)
    lines.push(`  ${versus(floor, bare)}; against bare compiled, ${versus(floor, compiled)}; its sampling and frames, sysboy against`)
    lines.push(`  no sampling, ${versus(host, floor)}`)
  }
  for (const f of figures) {
    if (f.name !== 'seed Python') {
      const kinds = (Object.entries(KIND_LABELS) as [ThreadKind, string][]).map(
        ([kind, label]) => `${label} ${f.byKind[kind].toFixed(1)}` + (steady ? ` / ${f.byKindSteady[kind].toFixed(1)}` : ''),
      )
      lines.push(`  ${f.name}: ms of CPU by thread, in the window from the start${steady ? ' / the steady one' : ''}: ${kinds.join(', ')}`)
    }
    if (f.threadsExited > 0) lines.push(`  ${f.name}: ${f.threadsExited} thread(s) exited; each counted up to its last reading (every ${POLL_MS} ms)`)
  }
  const legend = [
    '(start ms: CPU from the start until the device had a metric frame, up to a second more (no sampling: until it was welcomed);',
    `CPU % core: ns on a CPU from each thread's /proc/<pid>/task/<tid>/schedstat, over the window from then, its first ${GC_FAST_SECONDS} s`,
    '(Bun collects every second until about 30 s after a start) and the rest (every 30 s then)' +
      (steady ? ', and over the steady window, once the code that runs every second has been compiled;' : ';'),
    `peak RSS: the high-water mark at the end of the first window${steady ? ' and of the run' : ''};`,
    `frames: metric frames the device got in the window from the start${steady ? ' / in the steady window' : ''};`,
    'the sysboy and Bun executables run from copies dropped from the page cache, so their code is read from disk alike;',
    'bare compiled: the bare Bun server compiled as the host is; bare + code: the same with the host\'s code loaded and never run,',
    'bench/bare-bun-loaded.ts; no sampling: sysboy compiled the same way with its sampler never started, bench/host-not-sampling.ts:',
    'its device is admitted and kept alive by the host\'s heartbeats, sent once nothing was for 10 s or half the device\'s stale',
    'bound: every 1.5 s at the default interval)',
  ]
  lines.push(...wrapped(legend.join(' '), LEGEND_WIDTH))
  return lines.join('\n')
}

export const main = async (): Promise<void> => {
  if (process.platform !== 'linux') {
    console.log('idle: skipped (reads /proc, so Linux only)')
    return
  }
  const host = builtHost()
  const extra = extraEnv(process.env.BENCH_IDLE_ENV)
  const seconds = Number(process.env.BENCH_IDLE_SECONDS ?? 120)
  const warmupSeconds = Number(process.env.BENCH_IDLE_WARMUP_SECONDS ?? 240)
  const intervalMs = benchInterval(process.env.BENCH_IDLE_INTERVAL_MS)
  const python = await setUpPython()
  const library = await buildFakeNvml()
  const scratch = mkdtempSync(join(tmpdir(), 'sysboy-bench-idle-'))
  try {
    const compare = process.env.SYSBOY_BENCH_COMPARE
    const hosts: Record<string, string> = { sysboy: await coldCopy(host, scratch, 'sysboy') }
    if (compare !== undefined) hosts['sysboy (cmp)'] = await coldCopy(compare, scratch, 'sysboy-cmp')
    const bun = await coldCopy(process.execPath, scratch, 'bun')
    const probes = {
      bare: await compileProbe('bare-bun-server.ts', scratch),
      loaded: await compileProbe('bare-bun-loaded.ts', scratch),
      notSampling: await compileProbe('host-not-sampling.ts', scratch),
    }
    const figures = await measure(contenders(hosts, probes, bun, python, library, scratch, extra, intervalMs), seconds, warmupSeconds, intervalMs)
    console.log(table(figures, seconds, warmupSeconds, intervalMs))
    const words = Object.entries(extra).map(([name, value]) => `${name}=${value}`)
    if (words.length > 0) console.log(`  every server ran with ${words.join(' ')} (BENCH_IDLE_ENV)`)
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

if (import.meta.main) await main()
