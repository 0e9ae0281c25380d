// Fan-out benchmark: delivery latency (sample ts → receipt) and host CPU for 1, 100 and 1000 devices at 10 Hz,
// sysboy's server beside a bare Bun.serve WebSocket broadcast of the same frames. Clients run in a child process.
import { startServer } from '../host/server/index.ts'
import type { MetricSource, Reading } from '../host/sources/source.ts'
import { helloFrame } from '../tests/device-client.ts'

const TOKEN = 'bench-pairing-token'
const INTERVAL_MS = 100
const MEASURE_MS = 5_000
const COUNTS = [1, 100, 1000]

interface ClientReport {
  p50: number
  p99: number
  frames: number
}

interface Row {
  server: string
  devices: number
  p50: number
  p99: number
  frames: number
  cpuPercent: number
}

/** A source that counts up; the cost of reading is not what this benchmark measures. */
class CountingSource implements MetricSource {
  readonly name = 'bench'
  #n = 0
  constructor(readonly metric: string) {}
  async read(): Promise<Reading> {
    this.#n = (this.#n + 1) % 100
    return { known: true, figure: { percent: this.#n, used: this.#n * 1e8, total: 1e10, gpu: '0' } }
  }
  close(): void {}
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN

/** Child process: opens `count` clients, measures for `ms`, prints one JSON report. */
const runClients = async (url: string, count: number, ms: number, pair: boolean): Promise<void> => {
  const latencies: number[] = []
  let measuring = false
  const sockets: WebSocket[] = []
  for (let start = 0; start < count; start += 50) {
    const batch = Array.from({ length: Math.min(50, count - start) }, (_, i) => {
      const ws = new WebSocket(url)
      sockets.push(ws)
      return new Promise<void>((resolve, reject) => {
        ws.onopen = () => {
          if (pair) {
            ws.send(helloFrame({ device: `bench-${start + i}`, firmware: 'bench', buttons: [], token: TOKEN }))
          }
          resolve()
        }
        ws.onerror = () => reject(new Error(`client ${start + i} could not connect`))
        ws.onmessage = (event) => {
          if (!measuring) return
          const text = String(event.data)
          const at = text.indexOf('"ts":')
          if (at < 0) return
          latencies.push(Date.now() - Number.parseInt(text.slice(at + 5), 10))
        }
      })
    })
    await Promise.all(batch)
  }
  await Bun.sleep(500)
  console.log('ready')
  measuring = true
  await Bun.sleep(ms)
  measuring = false
  latencies.sort((a, b) => a - b)
  const report: ClientReport = { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), frames: latencies.length }
  console.log(JSON.stringify(report))
  for (const ws of sockets) ws.close()
}

/** Runs the client process against `url` and measures this process's CPU while it measures latency. */
const measure = async (url: string, count: number, pair: boolean): Promise<{ report: ClientReport; cpuPercent: number }> => {
  const child = Bun.spawn([process.execPath, import.meta.path, '--clients', url, String(count), String(MEASURE_MS), pair ? 'pair' : 'bare'], {
    stdout: 'pipe',
    stderr: 'inherit',
  })
  const reader = child.stdout.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let cpuFrom: NodeJS.CpuUsage | undefined
  let wallFrom = 0
  let cpuUsed = 0
  let wall = 1
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value, { stream: true })
    if (cpuFrom === undefined && text.includes('ready\n')) {
      cpuFrom = process.cpuUsage()
      wallFrom = performance.now()
    }
    if (cpuFrom !== undefined && /\{.*\}\n/.test(text)) {
      const used = process.cpuUsage(cpuFrom)
      cpuUsed = used.user + used.system
      wall = (performance.now() - wallFrom) * 1000
      break
    }
  }
  await child.exited
  const line = text.split('\n').find((l) => l.startsWith('{'))
  if (line === undefined) throw new Error(`the client process gave no report: ${text}`)
  return { report: JSON.parse(line) as ClientReport, cpuPercent: (100 * cpuUsed) / wall }
}

const sysboyRun = async (count: number): Promise<Row> => {
  const server = await startServer({
    bind: '127.0.0.1',
    port: 0,
    token: TOKEN,
    version: 'bench',
    hostName: 'bench',
    metric: 'vram',
    metrics: ['vram'],
    intervalMs: INTERVAL_MS,
    openSource: (metric) => new CountingSource(metric),
  })
  try {
    const { report, cpuPercent } = await measure(`${server.url.replace('http', 'ws')}/ws`, count, true)
    return { server: 'sysboy', devices: count, ...report, cpuPercent }
  } finally {
    await server.stop()
  }
}

/** The same frames from a bare Bun.serve that sends each to every socket. */
const bareRun = async (count: number): Promise<Row> => {
  const sockets = new Set<import('bun').ServerWebSocket<undefined>>()
  const server = Bun.serve<undefined>({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (request, srv) => (srv.upgrade(request, { data: undefined }) ? undefined : new Response('upgrade', { status: 426 })),
    websocket: { open: (ws) => void sockets.add(ws), close: (ws) => void sockets.delete(ws), message: () => {} },
  })
  const source = new CountingSource('vram')
  let seq = 0
  const timer = setInterval(async () => {
    const reading = await source.read()
    if (!reading.known) return
    const { percent, used, total, gpu } = reading.figure
    const text = JSON.stringify({ type: 'vram', value: percent, used, total, source: 'bench', gpu, seq: ++seq, ts: Date.now() })
    for (const ws of sockets) ws.send(text)
  }, INTERVAL_MS)
  try {
    const { report, cpuPercent } = await measure(`ws://127.0.0.1:${server.port}/`, count, false)
    return { server: 'bare Bun.serve', devices: count, ...report, cpuPercent }
  } finally {
    clearInterval(timer)
    await server.stop(true)
  }
}

const table = (rows: Row[]): string => {
  const head = ['server', 'devices', 'frames', 'p50 ms', 'p99 ms', 'host CPU %', 'CPU vs bare']
  const body = rows.map((row) => {
    const bare = rows.find((r) => r.server !== 'sysboy' && r.devices === row.devices)
    const ratio = bare !== undefined && bare.cpuPercent > 0 ? (row.cpuPercent / bare.cpuPercent).toFixed(2) : '-'
    return [row.server, String(row.devices), String(row.frames), String(row.p50), String(row.p99), row.cpuPercent.toFixed(1), row.server === 'sysboy' ? `${ratio}x` : '1.00x']
  })
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
}

export const main = async (): Promise<Row[]> => {
  const rows: Row[] = []
  for (const count of COUNTS) {
    rows.push(await sysboyRun(count))
    rows.push(await bareRun(count))
  }
  console.log(`fan-out at ${1000 / INTERVAL_MS} Hz, ${MEASURE_MS / 1000} s per run; latency = receipt - sample ts (ms)`)
  console.log(table(rows))
  console.log('targets: p99 < 50 ms at 1000 devices; sysboy CPU within 1.5x of bare')
  return rows
}

if (import.meta.main) {
  const args = process.argv.slice(2)
  if (args[0] === '--clients') {
    await runClients(args[1] ?? '', Number(args[2]), Number(args[3]), args[4] === 'pair')
  } else {
    await main()
  }
}
