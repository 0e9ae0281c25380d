// Test harness for the server: a real file-backed metric source, a running server on loopback, a device client.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { HostMessage } from '../schema/index.ts'
import { decodeHostMessage } from '../schema/index.ts'
import type { RunningServer, ServerOptions, ServerTuning } from '../host/server/index.ts'
import { startServer } from '../host/server/index.ts'
import type { MetricSource, Reading } from '../host/sources/source.ts'

export const TOKEN = 'test-pairing-token-0123'

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

export interface HelloFields {
  device?: string
  token?: string | undefined
  protocol?: number
  outputs?: string[]
  buttons?: string[]
}

export const helloFrame = (fields: HelloFields = {}): string => {
  const hello: Record<string, unknown> = {
    type: 'hello',
    protocol: fields.protocol ?? 1,
    device: fields.device ?? 'dev-1',
    firmware: '0.1.0',
    chip: 'sim',
    outputs: (fields.outputs ?? ['meter']).map((id) => ({ id, kind: 'pwm', bits: 10 })),
    buttons: (fields.buttons ?? ['select']).map((id) => ({ id })),
  }
  if (!('token' in fields)) hello.token = TOKEN
  else if (fields.token !== undefined) hello.token = fields.token
  return JSON.stringify(hello)
}

/** A device over Bun's own WebSocket client; every frame it receives must decode as a host message. */
export class DeviceClient {
  readonly socket: WebSocket
  readonly received: HostMessage[] = []
  readonly closed: Promise<{ code: number; reason: string }>
  readonly opened: Promise<void>
  #waiters: Array<() => void> = []

  constructor(url: string, headers: Record<string, string> = {}) {
    this.socket = new WebSocket(url, { headers } as unknown as string[])
    this.opened = new Promise((resolve, reject) => {
      this.socket.addEventListener('open', () => resolve())
      this.socket.addEventListener('error', () => reject(new Error('websocket failed to open')))
    })
    this.closed = new Promise((resolve) => {
      this.socket.addEventListener('close', (event) => {
        resolve({ code: event.code, reason: event.reason })
        this.#wake()
      })
    })
    this.socket.addEventListener('message', (event) => {
      const decoded = decodeHostMessage(String(event.data))
      if (!decoded.ok) throw new Error(`host sent an invalid frame: ${decoded.reason}: ${String(event.data)}`)
      this.received.push(decoded.message)
      this.#wake()
    })
  }

  static async paired(url: string, fields: HelloFields = {}): Promise<DeviceClient> {
    const client = new DeviceClient(url)
    await client.opened
    client.send(helloFrame(fields))
    await client.next((m) => m.type === 'welcome')
    return client
  }

  send(text: string | Uint8Array<ArrayBuffer>): void {
    this.socket.send(text)
  }

  /** The first message from index `from` on that matches, waiting up to `timeoutMs`. */
  async next<T extends HostMessage>(match: (m: HostMessage) => m is T, timeoutMs?: number, from?: number): Promise<T>
  async next(match: (m: HostMessage) => boolean, timeoutMs?: number, from?: number): Promise<HostMessage>
  async next(match: (m: HostMessage) => boolean, timeoutMs = 5_000, from = 0): Promise<HostMessage> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.received.slice(from).find(match)
      if (found !== undefined) return found
      if (this.socket.readyState === WebSocket.CLOSED) {
        throw new Error(`socket closed before a matching frame; got ${JSON.stringify(this.received.slice(-3))}`)
      }
      if (Date.now() > deadline) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.received.slice(-3))}`)
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }
  }

  /** A metric frame for `metric` received after this call. */
  async freshMetric(metric: string, timeoutMs = 5_000): Promise<HostMessage> {
    const from = this.received.length
    return this.next((m) => m.type === metric || (m.type === 'metric' && m.name === metric), timeoutMs, from)
  }

  close(): void {
    this.socket.close()
  }

  #wake(): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w()
  }
}
