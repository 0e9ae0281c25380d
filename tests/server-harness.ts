// Test harness for the server: a real file-backed metric source and a running server on loopback (the device client is in device-client.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunningServer, ServerOptions, ServerTuning } from '../host/server/index.ts'
import { startServer } from '../host/server/index.ts'
import type { MetricSource, Reading } from '../host/sources/source.ts'
import { TOKEN } from './device-client.ts'

export { DeviceClient, TOKEN, helloFrame } from './device-client.ts'
export type { HelloFields } from './device-client.ts'

/** Reads a metric's percent from a file the test writes; a missing file is "unknown". */
export class FileSource implements MetricSource {
  readonly name = 'file'
  constructor(
    readonly metric: string,
    readonly path: string,
    readonly delayMs = 0,
    readonly gpu = '0',
  ) {}

  async read(): Promise<Reading> {
    if (this.delayMs > 0) await Bun.sleep(this.delayMs)
    const file = Bun.file(this.path)
    if (!(await file.exists())) return { known: false, reason: `no file ${this.path}` }
    const percent = Number.parseFloat(await file.text())
    if (Number.isNaN(percent)) return { known: false, reason: `${this.path} holds no number` }
    return { known: true, figure: { percent, used: Math.round(percent * 10), total: 1000, unit: 'B', gpu: this.gpu } }
  }

  close(): void {}
}

export interface TestServer {
  server: RunningServer
  dir: string
  ws: string
  set(metric: string, percent: number): void
  stop(): Promise<void>
}

export const METRICS = ['vram', 'cpu', 'ram', 'gpu_temp', 'queue_depth'] as const

export const startTestServer = async (options: Partial<ServerOptions> = {}, tuning: Partial<ServerTuning> = {}): Promise<TestServer> => {
  const dir = mkdtempSync(join(tmpdir(), 'sysboy-server-'))
  const set = (metric: string, percent: number): void => writeFileSync(join(dir, metric), String(percent))
  METRICS.forEach((m, i) => set(m, 10 + i * 10))
  const server = await startServer(
    {
      bind: '127.0.0.1',
      port: 0,
      token: TOKEN,
      version: '0.1.0-test',
      hostName: 'test-pc',
      metric: 'vram',
      metrics: METRICS,
      intervalMs: 50,
      openSource: (metric) => new FileSource(metric, join(dir, metric)),
      ...options,
    },
    tuning,
  )
  return {
    server,
    dir,
    ws: `${server.url.replace('http', 'ws')}/ws`,
    set,
    stop: async () => {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
