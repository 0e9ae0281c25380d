// Benchmark: the host's CPU and peak RSS over 60 s at the default interval with one device connected.
//
// The host runs as its own process (the built dist/sysboy-linux-x64 when there is one, else from source); the
// device is a Bun WebSocket client in a second process. CPU comes from /proc/<pid>/stat, peak RSS from VmHWM.
// BENCH_IDLE_SECONDS shortens the run.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { helloFrame } from '../tests/device-client.ts'

const ROOT = join(import.meta.dir, '..')
const TOKEN = 'bench-idle-token'
const CLOCK_TICKS_PER_SECOND = 100
const TARGET_CPU_PERCENT = 0.5
const TARGET_RSS_MB = 80

// The device: says the hello it is given, then counts the frames it is sent until it is killed.
const DEVICE = `
const ws = new WebSocket(process.argv[1])
let frames = 0
ws.onopen = () => ws.send(process.argv[2])
ws.onmessage = (event) => {
  const message = JSON.parse(String(event.data))
  if (message.type === 'heartbeat') ws.send(JSON.stringify({ type: 'heartbeat' }))
  else if (message.type !== 'welcome') frames++
}
ws.onclose = (event) => console.log('closed ' + event.code)
setInterval(() => console.log('frames ' + frames), 1000)
`

const cpuTicks = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which may hold spaces, start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12]) // utime + stime
}

const peakRssMb = (pid: number): number => {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB$/m)
  return Number(match?.[1] ?? Number.NaN) / 1024
}

/** Keeps reading a child's stdout (so it never writes into a closed pipe); `last()` is its newest line. */
const follow = (stream: ReadableStream<Uint8Array>): { text: () => string; last: () => string } => {
  let text = ''
  void (async (): Promise<void> => {
    for await (const chunk of stream) text = (text + new TextDecoder().decode(chunk)).slice(-4096)
  })()
  return { text: () => text, last: () => text.trim().split('\n').at(-1) ?? '' }
}

const waitFor = async (output: { text: () => string }, pattern: RegExp, what: string): Promise<RegExpMatchArray> => {
  const deadline = Date.now() + 20_000
  for (;;) {
    const match = output.text().match(pattern)
    if (match !== null) return match
    if (Date.now() > deadline) throw new Error(`no ${what}; output so far:\n${output.text()}`)
    await Bun.sleep(100)
  }
}

export const main = async (): Promise<void> => {
  if (process.platform !== 'linux') {
    console.log('idle: skipped (reads /proc, so Linux only)')
    return
  }
  const seconds = Number(process.env.BENCH_IDLE_SECONDS ?? 60)
  const binary = join(ROOT, 'dist', 'sysboy-linux-x64')
  const hostCommand = existsSync(binary) ? [binary] : [process.execPath, join(ROOT, 'host', 'main.ts')]
  const home = mkdtempSync(join(tmpdir(), 'sysboy-bench-idle-'))
  const host = Bun.spawn([...hostCommand, '--metric', 'cpu', '--bind', '127.0.0.1', '--port', '0', '--no-mdns', '--token', TOKEN], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CONFIG_HOME: home },
    stdout: 'pipe',
    stderr: 'inherit',
  })
  let device: ReturnType<typeof Bun.spawn> | undefined
  try {
    const hostOutput = follow(host.stdout)
    const [, port] = await waitFor(hostOutput, /listening on http:\/\/127\.0\.0\.1:(\d+) /, 'listening line from the host')
    const hello = helloFrame({ device: 'bench-idle', firmware: 'bench', buttons: [], token: TOKEN })
    device = Bun.spawn([process.execPath, '-e', DEVICE, `ws://127.0.0.1:${port}/ws`, hello], { stdout: 'pipe', stderr: 'inherit' })
    const deviceOutput = follow(device.stdout as ReadableStream<Uint8Array>)
    await waitFor(deviceOutput, /frames [1-9]/, 'frame at the device')

    const startTicks = cpuTicks(host.pid)
    const started = performance.now()
    await Bun.sleep(seconds * 1000)
    const elapsed = (performance.now() - started) / 1000
    const cpuSeconds = (cpuTicks(host.pid) - startTicks) / CLOCK_TICKS_PER_SECOND
    const cpuPercent = (cpuSeconds / elapsed) * 100
    const rss = peakRssMb(host.pid)

    console.log(`idle host: ${hostCommand.length === 1 ? 'dist/sysboy-linux-x64' : 'bun host/main.ts'}, metric cpu, interval 1000 ms, 1 device, ${elapsed.toFixed(0)} s`)
    console.log(`  CPU      ${cpuPercent.toFixed(3).padStart(8)} % of one core   (target < ${TARGET_CPU_PERCENT} %)  ${cpuPercent < TARGET_CPU_PERCENT ? 'ok' : 'OVER'}`)
    console.log(`  peak RSS ${rss.toFixed(1).padStart(8)} MB              (target < ${TARGET_RSS_MB} MB)  ${rss < TARGET_RSS_MB ? 'ok' : 'OVER'}`)
    console.log(`  device   ${deviceOutput.last()} (one per interval expected)`)
  } finally {
    device?.kill()
    host.kill('SIGTERM')
    await host.exited
    rmSync(home, { recursive: true, force: true })
  }
}

if (import.meta.main) await main()
