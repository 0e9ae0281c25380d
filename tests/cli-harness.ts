// Runs the real sysboy CLI (the built executable under `npm test`, else from source) in a child process, with a clean environment and its own config home.
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const ROOT = join(import.meta.dir, '..')
export const MAIN = join(ROOT, 'host', 'main.ts')

export interface Finished {
  code: number
  stdout: string
  stderr: string
}

/** A fresh config home and an environment without the caller's SYSBOY_* settings or GPU tools. */
export const cleanEnv = (extra: Record<string, string> = {}): Record<string, string> => {
  const home = mkdtempSync(join(tmpdir(), 'sysboy-cli-'))
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    SYSBOY_NVML_LIB: join(home, 'no-such-libnvidia-ml.so.1'),
    ...extra,
  }
}

/**
 * The built executable the tests run: `npm test` builds `dist/sysboy-linux-x64` and names it in
 * SYSBOY_TEST_BINARY. A test run by hand without it runs the host from source.
 */
export const BUILT = process.env.SYSBOY_TEST_BINARY

/** The command that runs sysboy: the given executable, else the built one, else from source. */
export const sysboyCommand = (args: readonly string[], executable: string | undefined = BUILT): string[] =>
  executable === undefined ? [process.execPath, MAIN, ...args] : [executable, ...args]

export const runSysboy = async (args: readonly string[], env: Record<string, string>, executable?: string, cwd?: string): Promise<Finished> => {
  const proc = Bun.spawn(sysboyCommand(args, executable), { env, cwd, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' })
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { code, stdout, stderr }
}

/** A running host whose output lines the test can wait for. */
export class RunningSysboy {
  readonly lines: string[] = []
  readonly errors: string[] = []
  readonly proc: ReturnType<typeof Bun.spawn>
  #waiters: (() => void)[] = []

  /** The host on loopback for a cross-process test: `metric`, a port the kernel picks (read it with `port()`), no mDNS,
   * the given token, a clean environment, and `extra` flags last. */
  static onLoopback(metric: string, token: string, extra: readonly string[] = []): RunningSysboy {
    return new RunningSysboy(['--metric', metric, '--bind', '127.0.0.1', '--port', '0', '--no-mdns', '--token', token, ...extra], cleanEnv())
  }

  constructor(args: readonly string[], env: Record<string, string>, executable?: string, cwd?: string) {
    this.proc = Bun.spawn(sysboyCommand(args, executable), { env, cwd, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' })
    void this.#pump(this.proc.stdout as ReadableStream<Uint8Array>, this.lines)
    void this.#pump(this.proc.stderr as ReadableStream<Uint8Array>, this.errors)
  }

  async #pump(stream: ReadableStream<Uint8Array>, into: string[]): Promise<void> {
    let rest = ''
    const decoder = new TextDecoder()
    for await (const chunk of stream) {
      rest += decoder.decode(chunk, { stream: true })
      const parts = rest.split('\n')
      rest = parts.pop() ?? ''
      into.push(...parts)
      for (const wake of this.#waiters.splice(0)) wake()
    }
    if (rest !== '') into.push(rest)
    for (const wake of this.#waiters.splice(0)) wake()
  }

  /** The first stdout line matching `pattern`; fails with everything printed so far after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      for (const line of this.lines) {
        const match = line.match(pattern)
        if (match !== null) return match
      }
      if (Date.now() > deadline || this.proc.exitCode !== null) {
        throw new Error(`no line matching ${pattern}; stdout:\n${this.lines.join('\n')}\nstderr:\n${this.errors.join('\n')}`)
      }
      await Promise.race([new Promise<void>((resolve) => this.#waiters.push(resolve)), Bun.sleep(200)])
    }
  }

  /** The port from the "listening on" line. */
  async port(): Promise<number> {
    const match = await this.waitFor(/^listening on http:\/\/[^ ]+:(\d+) /)
    return Number(match[1])
  }

  async stop(): Promise<number> {
    if (this.proc.exitCode === null) this.proc.kill('SIGTERM')
    return await this.proc.exited
  }
}

/** A TCP port nobody listens on right now (the kernel picks it). */
export const freePort = async (): Promise<number> => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}
