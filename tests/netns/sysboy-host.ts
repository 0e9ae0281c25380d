// The real `sysboy` host inside a namespace, reading VRAM from the fake NVML at a value the test sets in a file.
import type { Subprocess } from 'bun'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildFakeNvml } from '../fixtures/nvml/build.ts'
import { until } from '../fixtures/until.ts'
import type { Namespace } from './namespace.ts'

const root = join(import.meta.dir, '..', '..')
const TOTAL = 8 * 1024 ** 3

export const HOST_PORT = 8077
export const GPU_UTIL = 37

export interface HostOptions {
  /** Advertise `_sysboy._tcp` by mDNS on the namespace's TAP (default false: `--no-mdns`). */
  mdns?: boolean
  /** Leave out `--bind`, as the user's `sysboy --metric vram` does: every interface (default: the TAP's address). */
  defaultBind?: boolean
  /** More environment for the host, e.g. the `DISPLAY` a region stream captures from. */
  env?: Record<string, string>
  /** The config file's contents (default `{}`). */
  config?: Record<string, unknown>
  /** The sampling interval, ms (default 200, so the tests see changes fast). */
  interval?: number
  /** The host executable to run (default: dist/sysboy-linux-x64, else the source), e.g. one built to carry other firmware. */
  binary?: string
}

/** One device as `GET /api/devices` lists it: the host's own type. */
export type { ListedDevice } from '../../host/server/rest-api.ts'
import type { ListedDevice } from '../../host/server/rest-api.ts'

/** A REST answer: the HTTP status and the JSON body. */
export interface RestAnswer {
  status: number
  body: unknown
}

/** The command that runs the host: the built binary when `npm run build` made one, else the source with Bun. */
const hostCommand = (): string[] => {
  const binary = join(root, 'dist', 'sysboy-linux-x64')
  if (existsSync(binary)) return [binary]
  return [join(root, 'node_modules', '.bin', 'bun'), join(root, 'host', 'main.ts')]
}

export class SysboyHost {
  readonly dir: string
  readonly #usedFile: string
  process: Subprocess | undefined
  #output = ''

  constructor(
    readonly namespace: Namespace,
    readonly token: string,
    readonly options: HostOptions = {},
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'sysboy-host-'))
    this.#usedFile = join(this.dir, 'used')
    writeFileSync(join(this.dir, 'config.json'), JSON.stringify(options.config ?? {}))
  }

  /** Sets the VRAM the fake NVML reports, in percent of 8 GiB. */
  setVram(percent: number): void {
    writeFileSync(this.#usedFile, String(Math.round((TOTAL * percent) / 100)))
  }

  /** Starts the host bound on the namespace's kernel-side address. */
  async start(): Promise<void> {
    const library = await buildFakeNvml()
    const args = [
      ...(this.options.binary === undefined ? hostCommand() : [this.options.binary]),
      '--metric', 'vram',
      ...(this.options.defaultBind === true ? [] : ['--bind', this.namespace.kernelIp]),
      '--port', String(HOST_PORT),
      '--token', this.token,
      '--interval', String(this.options.interval ?? 200),
      ...(this.options.mdns === true ? [] : ['--no-mdns']),
      '--config', join(this.dir, 'config.json'),
    ]
    const child = this.namespace.spawn(args, {
      SYSBOY_NVML_LIB: library,
      FAKE_NVML_TOTAL: String(TOTAL),
      FAKE_NVML_USED_FILE: this.#usedFile,
      FAKE_NVML_UTIL: String(GPU_UTIL),
      ...this.options.env,
    })
    this.process = child
    // A host started again after kill() waits for its own 'listening on', not the last run's.
    this.#output = ''
    const decoder = new TextDecoder()
    const deadline = Date.now() + 15_000
    const reader = child.stdout.getReader()
    while (!this.#output.includes('listening on')) {
      if (Date.now() > deadline) throw new Error(`sysboy did not start: ${this.#output}`)
      const { value, done } = await reader.read()
      if (done) throw new Error(`sysboy exited: ${this.#output}${await new Response(child.stderr).text()}`)
      this.#output += decoder.decode(value)
    }
    // Keep draining so a full pipe never stalls the host.
    void (async () => {
      for (;;) {
        const { done } = await reader.read()
        if (done) return
      }
    })()
    void new Response(child.stderr).text()
  }

  /** One REST call with the pairing token, made from inside the namespace (the host listens only there). */
  async rest(method: string, path: string, body?: unknown): Promise<RestAnswer> {
    const bun = join(root, 'node_modules', '.bin', 'bun')
    const url = `http://${this.namespace.kernelIp}:${HOST_PORT}${path}`
    const init = { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }
    const script = `const init = ${JSON.stringify(init)}; init.headers.authorization = 'Bearer ' + process.env.SYSBOY_TOKEN;
      const r = await fetch(${JSON.stringify(url)}, init); console.log(JSON.stringify({ status: r.status, body: await r.json() }))`
    return JSON.parse(await this.namespace.output(['env', `SYSBOY_TOKEN=${this.token}`, bun, '-e', script])) as RestAnswer
  }

  /**
   * `GET /api/devices/:id/screens/:output.png`, made from inside the namespace: the HTTP status and the body's bytes
   * (the PNG, or the JSON refusal).
   */
  async screenPng(id: string, output: string): Promise<{ status: number; type: string | null; body: Uint8Array }> {
    const bun = join(root, 'node_modules', '.bin', 'bun')
    const url = `http://${this.namespace.kernelIp}:${HOST_PORT}/api/devices/${encodeURIComponent(id)}/screens/${encodeURIComponent(output)}.png`
    const script = `const r = await fetch(${JSON.stringify(url)}, { headers: { authorization: 'Bearer ' + process.env.SYSBOY_TOKEN } });
      console.log(JSON.stringify({ status: r.status, type: r.headers.get('content-type'), body: Buffer.from(await r.arrayBuffer()).toString('base64') }))`
    const answer = JSON.parse(await this.namespace.output(['env', `SYSBOY_TOKEN=${this.token}`, bun, '-e', script])) as { status: number; type: string | null; body: string }
    return { status: answer.status, type: answer.type, body: new Uint8Array(Buffer.from(answer.body, 'base64')) }
  }

  /** `GET /metrics` (Prometheus text), made from inside the namespace. */
  async metricsText(): Promise<string> {
    const bun = join(root, 'node_modules', '.bin', 'bun')
    const url = `http://${this.namespace.kernelIp}:${HOST_PORT}/metrics`
    const script = `const r = await fetch(${JSON.stringify(url)}, { headers: { authorization: 'Bearer ' + process.env.SYSBOY_TOKEN } });
      if (r.status !== 200) throw new Error('GET /metrics: HTTP ' + r.status); process.stdout.write(await r.text())`
    return this.namespace.output(['env', `SYSBOY_TOKEN=${this.token}`, bun, '-e', script])
  }

  /** `GET /api/devices`. */
  async devices(): Promise<ListedDevice[]> {
    const answer = await this.rest('GET', '/api/devices')
    if (answer.status !== 200) throw new Error(`GET /api/devices: HTTP ${answer.status}`)
    return answer.body as ListedDevice[]
  }

  /** Asks `GET /api/devices` until one listed device passes `test`, within `timeoutMs`. */
  async waitForDevice(what: string, test: (device: ListedDevice) => boolean, timeoutMs: number): Promise<ListedDevice> {
    const deadline = Date.now() + timeoutMs
    let last: ListedDevice[] = []
    while (Date.now() < deadline) {
      last = await this.devices()
      const found = last.find(test)
      if (found !== undefined) return found
      await Bun.sleep(300)
    }
    throw new Error(`GET /api/devices: no ${what} within ${timeoutMs} ms; last answer ${JSON.stringify(last)}`)
  }

  /**
   * Freezes (`SIGSTOP`) or thaws (`SIGCONT`) the host, as a hung process or a debugger would: its sockets stay open,
   * the kernel still completes handshakes and ACKs data, but nothing answers. Waits until /proc shows the new state.
   */
  async setFrozen(frozen: boolean): Promise<void> {
    const pid = this.process?.pid
    if (pid === undefined) throw new Error('sysboy is not running')
    process.kill(pid, frozen ? 'SIGSTOP' : 'SIGCONT')
    const stopped = (): boolean => /^State:\s+T/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))
    await until(`sysboy (pid ${pid}) ${frozen ? 'stopped' : 'continuing'}`, () => stopped() === frozen, 2_000, 10)
  }

  /** Kills the host, as a crash or a closed laptop would. */
  async kill(): Promise<void> {
    this.process?.kill('SIGKILL')
    await this.process?.exited
  }

  async stop(): Promise<void> {
    await this.kill()
    rmSync(this.dir, { recursive: true, force: true })
  }
}
