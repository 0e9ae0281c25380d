// A network namespace a test owns: created with a TAP inside, commands run in it, everything removed at the end.
import type { Subprocess } from 'bun'

export interface NamespaceOptions {
  /** Kernel-side address of the TAP with its prefix, e.g. 10.77.0.1/24. */
  kernelAddress: string
}

const run = (args: string[]): void => {
  const result = Bun.spawnSync(args, { stdout: 'pipe', stderr: 'pipe' })
  if (result.exitCode !== 0) {
    throw new Error(`${args.join(' ')} failed: ${result.stderr.toString().trim()}`)
  }
}

let counter = 0

/** One namespace with one TAP (`tap0`) whose kernel side stands in for the home network. */
export class Namespace {
  readonly name: string
  readonly tap = 'sbtap0'
  readonly kernelIp: string
  readonly #children: Subprocess[] = []

  private constructor(name: string, kernelIp: string) {
    this.name = name
    this.kernelIp = kernelIp
  }

  /** Creates the namespace, brings up its loopback and a TAP with the kernel-side address. */
  static create(options: NamespaceOptions): Namespace {
    counter += 1
    const name = `sysboy-${process.pid}-${counter}`
    const namespace = new Namespace(name, options.kernelAddress.split('/')[0] ?? '')
    run(['ip', 'netns', 'add', name])
    try {
      run(['ip', '-n', name, 'link', 'set', 'lo', 'up'])
      run(['ip', '-n', name, 'tuntap', 'add', namespace.tap, 'mode', 'tap'])
      run(['ip', '-n', name, 'addr', 'add', options.kernelAddress, 'dev', namespace.tap])
      run(['ip', '-n', name, 'link', 'set', namespace.tap, 'up'])
    } catch (error) {
      namespace.destroy()
      throw error
    }
    return namespace
  }

  /** Starts a command inside the namespace; it is killed by destroy(). */
  spawn(args: string[], env: Record<string, string> = {}, stdin: 'pipe' | 'ignore' = 'ignore'): Subprocess<typeof stdin, 'pipe', 'pipe'> {
    const child = Bun.spawn(['ip', 'netns', 'exec', this.name, ...args], {
      env: { ...process.env, ...env },
      stdin,
      stdout: 'pipe',
      stderr: 'pipe',
    })
    this.#children.push(child)
    return child
  }

  /** Runs a command inside the namespace to completion, throwing on failure. */
  exec(args: string[]): void {
    run(['ip', 'netns', 'exec', this.name, ...args])
  }

  /** Runs a command inside the namespace to completion and returns its stdout, throwing on failure. */
  async output(args: string[]): Promise<string> {
    const child = Bun.spawn(['ip', 'netns', 'exec', this.name, ...args], { stdout: 'pipe', stderr: 'pipe' })
    const [code, out, err] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()])
    if (code !== 0) throw new Error(`${args.join(' ')} failed in ${this.name}: ${err.trim()}`)
    return out
  }

  /** Sets the TAP's kernel side up or down (`ip link set`), as a Wi-Fi link would come and go. */
  setTap(up: boolean): void {
    run(['ip', '-n', this.name, 'link', 'set', this.tap, up ? 'up' : 'down'])
  }

  /** Kills what was started here and deletes the namespace (its TAP goes with it). */
  destroy(): void {
    for (const child of this.#children) {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    Bun.spawnSync(['ip', 'netns', 'delete', this.name], { stdout: 'ignore', stderr: 'ignore' })
  }
}
