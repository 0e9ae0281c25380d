// Benchmark: the floor under an idle host's peak RSS. What a compiled Bun executable costs before a line of sysboy's own
// code runs, part by part, beside the built host.
//
// Each probe is a small program compiled as the host is (`bun build --compile`): a bare Bun.serve WebSocket server with a
// 1 s timer, then the same with one more of the parts the host cannot do without, each on top of the one before: the
// config file through node:fs, the command line through node:util's parseArgs (issue 10's point 6 asks for it), Hono's
// router, and, for comparison, process.stdout (the host no longer uses it off a terminal). Every executable runs from a
// copy dropped from the page cache, with its stdout on a pipe, as bench/idle.ts runs them; its peak RSS (VmHWM) is read
// after BENCH_FLOOR_SECONDS (default 5) and the lowest of three runs is kept (runs of one executable differ by up to
// 2 MB). The host itself runs with no device and its ram metric from /proc, so it reads lower than in bench/idle.ts,
// where it also loads NVML through bun:ffi and serves a device.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { builtHost, coldCopy, dropFromPageCache } from './cold-start.ts'

const ROOT = join(import.meta.dir, '..')
const RUNS = 3

const BARE = `
Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (r, s) => (s.upgrade(r) ? undefined : new Response('')), websocket: { message() {} } })
setInterval(() => {}, 1000)
`

/** Each part's code, added to every probe after it. */
const PARTS: { name: string; code: string }[] = [
  { name: 'bare Bun.serve, compiled', code: '' },
  {
    name: '+ node:fs (the config file)',
    code: `import { existsSync, readFileSync } from 'node:fs'
if (existsSync('/etc/hostname')) readFileSync('/etc/hostname', 'utf8')`,
  },
  {
    name: '+ node:util parseArgs',
    code: `import { parseArgs } from 'node:util'
parseArgs({ args: ['--metric', 'vram'], options: { metric: { type: 'string' } } })`,
  },
  {
    name: '+ Hono',
    code: `import { Hono } from 'hono'
const app = new Hono()
app.get('/', (c) => c.text(''))
void app.fetch`,
  },
  { name: '+ process.stdout', code: `process.stdout.write('')` },
]

const compile = async (source: string, executable: string, cwd: string): Promise<void> => {
  const proc = Bun.spawn([process.execPath, 'build', '--compile', source, '--outfile', executable], { cwd, stdout: 'ignore', stderr: 'pipe' })
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
  if (code !== 0) throw new Error(`bun build --compile ${source} failed (exit ${code}): ${stderr.trim()}`)
}

const peakRssKb = (pid: number): number => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB$/m)?.[1] ?? Number.NaN)

/** The lowest peak RSS (MB) over RUNS cold starts of `command`, each read `seconds` after the start. */
const peakRssMb = async (executable: string, args: string[], env: Record<string, string>, seconds: number): Promise<number> => {
  let lowest = Number.POSITIVE_INFINITY
  for (let i = 0; i < RUNS; i++) {
    await dropFromPageCache(executable)
    const proc = Bun.spawn([executable, ...args], { env, stdout: 'pipe', stderr: 'pipe' })
    // Read the pipes as they fill, so the probe never blocks on a full one.
    void new Response(proc.stdout).text()
    void new Response(proc.stderr).text()
    await Bun.sleep(seconds * 1000)
    if (proc.exitCode !== null) throw new Error(`${executable} exited (${proc.exitCode}) within ${seconds} s`)
    lowest = Math.min(lowest, peakRssKb(proc.pid))
    proc.kill()
    await proc.exited
  }
  return lowest / 1024
}

export const main = async (): Promise<void> => {
  if (process.platform !== 'linux') {
    console.log('idle-floor: skipped (reads /proc, so Linux only)')
    return
  }
  const host = builtHost()
  const seconds = Number(process.env.BENCH_FLOOR_SECONDS ?? 5)
  // Inside the repository, so that the probes resolve Hono from its node_modules.
  const scratch = mkdtempSync(join(ROOT, 'bench', '.idle-floor-'))
  const home = mkdtempSync(join(tmpdir(), 'sysboy-bench-floor-'))
  try {
    const rows: { name: string; mb: number }[] = []
    let imports = ''
    let body = ''
    for (const [index, part] of PARTS.entries()) {
      const lines = part.code.split('\n')
      imports += lines.filter((line) => line.startsWith('import ')).join('\n') + '\n'
      body += lines.filter((line) => !line.startsWith('import ')).join('\n') + '\n'
      const source = join(scratch, `probe-${index}.ts`)
      writeFileSync(source, `${imports}${body}${BARE}`)
      const executable = join(scratch, `probe-${index}`)
      await compile(source, executable, scratch)
      rows.push({ name: part.name, mb: await peakRssMb(executable, [], { PATH: process.env.PATH ?? '/usr/bin:/bin' }, seconds) })
    }
    // The bare server as bench/idle.ts runs it: its source run by a copy of Bun, not compiled.
    const bun = await coldCopy(process.execPath, scratch, 'bun')
    const bareByBun = await peakRssMb(bun, [join(scratch, 'probe-0.ts')], { PATH: process.env.PATH ?? '/usr/bin:/bin' }, seconds)
    const copy = await coldCopy(host, scratch, 'sysboy')
    const hostArgs = ['--metric', 'ram', '--interval', '1000', '--bind', '127.0.0.1', '--port', '0', '--no-mdns', '--token', 'bench-floor-token']
    const hostEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CONFIG_HOME: home }
    rows.push({ name: 'sysboy (no device)', mb: await peakRssMb(copy, hostArgs, hostEnv, seconds) })

    const bare = rows[0]?.mb ?? Number.NaN
    const lines = [`idle-floor: peak RSS of compiled probes, each part on top of the one before; cold start, stdout on a pipe, lowest of ${RUNS} after ${seconds} s`]
    lines.push(`  ${'probe'.padEnd(30)} ${'peak RSS MB'.padStart(11)} ${'+ step'.padStart(7)} ${'+ bare'.padStart(7)}`)
    lines.push(`  ${'bare Bun.serve, run by bun'.padEnd(30)} ${bareByBun.toFixed(1).padStart(11)} ${''.padStart(7)} ${`${bareByBun - bare >= 0 ? '+' : ''}${(bareByBun - bare).toFixed(1)}`.padStart(7)}`)
    let previous = bare
    for (const row of rows) {
      const step = row.name.startsWith('sysboy') ? '' : `+${(row.mb - previous).toFixed(1)}`
      lines.push(`  ${row.name.padEnd(30)} ${row.mb.toFixed(1).padStart(11)} ${step.padStart(7)} ${`+${(row.mb - bare).toFixed(1)}`.padStart(7)}`)
      if (!row.name.startsWith('sysboy')) previous = row.mb
    }
    console.log(lines.join('\n'))
  } finally {
    rmSync(scratch, { recursive: true, force: true })
    rmSync(home, { recursive: true, force: true })
  }
}

if (import.meta.main) await main()
