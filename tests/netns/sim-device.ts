// The simulated device as a test drives it: started inside a namespace, its JSON status lines collected, presses sent.
import type { Subprocess } from 'bun'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Namespace } from './namespace.ts'

const root = join(import.meta.dir, '..', '..')

/** Which cargo profile's simulator: the tests run the debug build, the benchmarks the release build. */
export type SimProfile = 'debug' | 'release'

const binaryOf = (profile: SimProfile): string => join(root, 'target', profile, 'sysboy-sim')

/** One status line: where the needle is and where the link is. */
/** An update's progress on a status line, as the status to the host says it. */
export interface SimUpdate {
  state: 'downloading' | 'verifying' | 'restarting' | 'failed' | 'rolled_back'
  version: string
  written: number
  total: number
  reason?: string
}

export interface SimStatus {
  t: number
  needle: number
  target: number
  code: number
  /** `held`: the host's calibration wizard holds the meter at the raw code in `held`. */
  meter: 'sweeping' | 'live' | 'waiting' | 'stale' | 'unknown' | 'portal' | 'held'
  /** The raw code the calibration wizard holds the meter at; absent without a hold. */
  held?: number
  /** `no_network`, `discovering`, `connecting`, `handshaking`, `awaiting_welcome`, `awaiting_approval` (asked to pair),
   * `connected`, `auth_failed`, `backoff`, `no_host`. */
  link: string
  ip?: string
  host?: string
  metric?: string
  attempts: number
  auth_failures: number
  heap: number
  heap_peak: number
  light: SimLight
  /** With `--oled`: what the screen shows and its picture's hash (firmware-rs/sim/src/report.rs). */
  screen?: SimScreen
  /** With `--tft`: what the TFT shows, its picture's hash and the stream's figures since start. */
  tft?: SimTft
  /** How an update over the air stands (firmware-rs/sim/src/report.rs `update`): after its first report, or from the
   * start when the boot rolled an image back. */
  update?: SimUpdate
}

/** The OLED on a status line: its scene (and index, or the alerting metric), the picture's hash, its flush figures. */
export interface SimScreen {
  output: string
  scene: 'hub' | 'metric' | 'network' | 'alert' | 'state'
  index?: number
  alert?: string
  hash: string
  oled_bytes: number
  updates: number
}

/** The TFT on a status line (firmware-rs/sim/src/report.rs TftStatus). */
export interface SimTft {
  output: string
  scene: 'hub' | 'metric' | 'network' | 'alert' | 'state' | 'stream'
  index?: number
  alert?: string
  /** FNV-1a (32 bits, hex) of the framebuffer as big-endian RGB565, row by row. */
  hash: string
  /** Stream frames taken (rectangles with `last`, each answered with `applied`). */
  frames: number
  rects: number
  /** Payload bytes of the rectangles taken. */
  bytes: number
  /** Rectangles refused with a `bad_frame` error. */
  errors: number
  updates: number
}

/** The status LED on a status line: the board's state and its look (firmware-rs/device/src/status_light.rs). */
export interface SimLight {
  state:
    | 'starting'
    | 'portal'
    | 'joining'
    | 'no_host'
    | 'token_refused'
    | 'awaiting_approval'
    | 'live'
    | 'alert'
    | 'updating'
    | 'fault'
  colour: string
  rgb: string
  pattern: string
}

/** One event line. */
export interface SimEvent {
  t: number
  event: string
  detail?: Record<string, unknown>
}

const built = new Map<SimProfile, Promise<void>>()

/** Builds the simulator once per run for `profile` (cargo makes it a no-op when nothing changed). */
export const buildSimulator = (profile: SimProfile = 'debug'): Promise<void> => {
  let build = built.get(profile)
  if (build === undefined) {
    build = (async () => {
      const flags = profile === 'release' ? ['--release'] : []
      const cargo = Bun.spawn(['sh', join(root, 'scripts', 'cargo-host.sh'), 'build', '-q', ...flags, '-p', 'sysboy-sim'], { cwd: root, stdout: 'pipe', stderr: 'pipe' })
      const [code, errors] = await Promise.all([cargo.exited, new Response(cargo.stderr).text()])
      if (code !== 0 || !existsSync(binaryOf(profile))) throw new Error(`cargo could not build sysboy-sim (${profile}): ${errors.trim()}`)
    })()
    built.set(profile, build)
  }
  return build
}

export class SimDevice {
  readonly statuses: SimStatus[] = []
  /** When each of `statuses` was read, by the test's clock (`performance.now()`): for latencies seen from outside. */
  readonly statusReadAt: number[] = []
  readonly events: SimEvent[] = []
  readonly process: Subprocess<'pipe', 'pipe', 'pipe'>
  readonly #dir: string | undefined
  /** The simulated flash file. */
  readonly flash: string
  #stderr = ''
  #waiters: Array<() => void> = []

  /**
   * Starts the simulator (the `profile` build, debug by default); with `flash` it uses (and leaves behind) that file,
   * else a fresh one of its own.
   */
  constructor(namespace: Namespace, args: string[], flash?: string, profile: SimProfile = 'debug') {
    this.#dir = flash === undefined ? mkdtempSync(join(tmpdir(), 'sysboy-sim-')) : undefined
    this.flash = flash ?? join(this.#dir ?? '', 'flash.bin')
    this.process = namespace.spawn([binaryOf(profile), '--tap', namespace.tap, '--flash', this.flash, '--report-ms', '200', ...args], {}, 'pipe') as Subprocess<
      'pipe',
      'pipe',
      'pipe'
    >
    void this.#read()
    void new Response(this.process.stderr).text().then((text) => {
      this.#stderr = text
    })
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder()
    let pending = ''
    for await (const chunk of this.process.stdout) {
      pending += decoder.decode(chunk, { stream: true })
      let newline = pending.indexOf('\n')
      while (newline >= 0) {
        const line = pending.slice(0, newline)
        pending = pending.slice(newline + 1)
        newline = pending.indexOf('\n')
        const parsed = JSON.parse(line) as SimStatus | SimEvent
        if ('event' in parsed) this.events.push(parsed)
        else {
          this.statuses.push(parsed)
          this.statusReadAt.push(performance.now())
        }
        for (const wake of this.#waiters.splice(0)) wake()
      }
    }
    for (const wake of this.#waiters.splice(0)) wake()
  }

  /** The newest status line. */
  latest(): SimStatus | undefined {
    return this.statuses.at(-1)
  }

  /** Waits for a status line that passes `test`, failing after `timeoutMs` with the last line seen. */
  async waitForStatus(what: string, test: (status: SimStatus) => boolean, timeoutMs: number, from = 0): Promise<SimStatus> {
    return this.#waitFor(what, () => this.statuses.slice(from).find(test), timeoutMs)
  }

  /** Waits for an event line that passes `test`. */
  async waitForEvent(what: string, test: (event: SimEvent) => boolean, timeoutMs: number, from = 0): Promise<SimEvent> {
    return this.#waitFor(what, () => this.events.slice(from).find(test), timeoutMs)
  }

  async #waitFor<T>(what: string, find: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = find()
      if (found !== undefined) return found
      if (Date.now() >= deadline || this.process.exitCode !== null) {
        throw new Error(
          `simulator: no ${what} within ${timeoutMs} ms; last status ${JSON.stringify(this.latest())}; events ${JSON.stringify(this.events.slice(-5))}; stderr ${this.#stderr.slice(-500)}`,
        )
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
        setTimeout(resolve, Math.min(100, Math.max(1, deadline - Date.now())))
      })
    }
  }

  /** Presses the simulated button. */
  press(kind: 'short' | 'long'): void {
    this.process.stdin.write(`press ${kind}\n`)
    this.process.stdin.flush()
  }

  /**
   * Asks the simulator (started with `--oled`) to write its screen as PNG to `path`, and waits for it to say so;
   * gives the hash of the picture written. Throws with the simulator's reason when it could not.
   */
  async saveScreen(path: string, timeoutMs = 5_000): Promise<string> {
    const from = this.events.length
    this.process.stdin.write(`screen ${path}\n`)
    this.process.stdin.flush()
    const saved = await this.waitForEvent(
      `screen written to ${path}`,
      (e) => (e.event === 'screen_saved' || e.event === 'screen_not_saved') && e.detail?.path === path,
      timeoutMs,
      from,
    )
    if (saved.event !== 'screen_saved') throw new Error(`simulator: screen not saved to ${path}: ${String(saved.detail?.reason)}`)
    return String(saved.detail?.hash)
  }

  /**
   * Asks the simulator (started with `--tft`) to write its TFT as an RGB PNG to `path` (`screen tft PATH`), and waits
   * for it to say so; gives the hash of the picture written. Throws with the simulator's reason when it could not.
   */
  async saveTft(path: string, timeoutMs = 5_000): Promise<string> {
    const from = this.events.length
    this.process.stdin.write(`screen tft ${path}\n`)
    this.process.stdin.flush()
    const saved = await this.waitForEvent(
      `the TFT written to ${path}`,
      (e) => (e.event === 'screen_saved' || e.event === 'screen_not_saved') && e.detail?.screen === 'tft' && e.detail.path === path,
      timeoutMs,
      from,
    )
    if (saved.event !== 'screen_saved') throw new Error(`simulator: TFT not saved to ${path}: ${String(saved.detail?.reason)}`)
    return String(saved.detail?.hash)
  }

  /** Stops the simulator (as a power cut would) and removes its flash file unless the test gave it one. */
  async stop(): Promise<void> {
    if (this.process.exitCode === null) this.process.kill('SIGKILL')
    await this.process.exited
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true })
  }
}
