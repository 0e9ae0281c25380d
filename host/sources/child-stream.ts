// A long-lived child process whose output lines feed a parser: started once, restarted (not too often) if it dies.
import { basename } from 'node:path'
import type { Subprocess } from 'bun'
import type { Environment } from './source.ts'

export interface ChildStreamOptions {
  /** The command, its first item an executable path. */
  command: string[]
  /** What the child runs with (on Windows and macOS a child needs more than PATH, e.g. SystemRoot). */
  environment: Environment
  /** Called for each line of standard output, without the newline. */
  onLine: (line: string) => void
  /** Called when a child ends, after exitReason is set. */
  onExit?: () => void
  /** Least time between two starts, so a child that dies at once is not respawned on every tick. */
  restartDelayMs?: number
}

export class ChildStream {
  private child: Subprocess<'ignore', 'pipe', 'pipe'> | undefined
  private lastStart = Number.NEGATIVE_INFINITY
  private stopped = false
  /** Why the last child ended, with its last words; undefined while none has ended. */
  exitReason: string | undefined
  private lastOutput = ''

  constructor(private readonly options: ChildStreamOptions) {}

  get running(): boolean {
    return this.child !== undefined
  }

  /** Starts the child unless it runs, or was started too recently. Returns whether a child now runs. */
  ensure(): boolean {
    if (this.child !== undefined) return true
    const now = performance.now()
    if (this.stopped || now - this.lastStart < (this.options.restartDelayMs ?? 5_000)) return false
    this.lastStart = now
    // The given environment as it is now (Bun.spawn would otherwise pass the one the process started with).
    const child = Bun.spawn(this.options.command, {
      env: { ...this.options.environment },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    })
    this.child = child
    this.lastOutput = ''
    const done = Promise.all([this.pump(child.stdout, true), this.pump(child.stderr, false)])
    void done.then(async () => {
      const code = await child.exited
      if (this.child === child) this.child = undefined
      const words = this.lastOutput === '' ? '' : `: ${this.lastOutput}`
      this.exitReason = `${basename(this.options.command[0] ?? 'child')} exited with ${child.signalCode ?? `code ${code}`}${words}`
      this.options.onExit?.()
    })
    return true
  }

  stop(): void {
    this.stopped = true
    this.child?.kill()
    this.child = undefined
  }

  private async pump(stream: ReadableStream<Uint8Array>, isOutput: boolean): Promise<void> {
    const decoder = new TextDecoder()
    let pending = ''
    for await (const chunk of stream) {
      pending += decoder.decode(chunk, { stream: true })
      let end = pending.indexOf('\n')
      while (end >= 0) {
        const line = pending.slice(0, end).replace(/\r$/, '')
        pending = pending.slice(end + 1)
        if (line.trim() !== '') {
          this.lastOutput = line.trim().slice(0, 160)
          if (isOutput) this.options.onLine(line)
        }
        end = pending.indexOf('\n')
      }
    }
  }
}
