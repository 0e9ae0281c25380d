// JavaScriptCore's tier-up thresholds over a run. The executable starts with them scaled up (host/build-config.ts): an idle
// host runs its start once and its tick once a second, too seldom for compiled code to pay for its memory and compile
// time (bench/idle.ts). While a stream runs, its code runs every frame, so the thresholds are the normal ones then
// (tests/sim-stream.test.ts: frames on the TFT within 100 ms of their paint).

import { buildDefine } from './build-define.ts'

// `host/build-config.ts` defines this identifier as the scale the executable starts with; from source it is not declared.
declare const SYSBOY_JIT_POLICY: number

/** The scale the executable starts with and goes back to when the host is idle again; 1 (normal) from source. */
export const IDLE_JIT_POLICY: number = buildDefine(() => SYSBOY_JIT_POLICY, 1)

/** Counts what keeps the host busy and sets the policy as the count leaves and returns to zero. */
export class JitPolicy {
  readonly #idle: number
  readonly #set: (scale: number) => void
  #busy = 0

  constructor(idle: number, set: (scale: number) => void) {
    this.#idle = idle
    this.#set = set
  }

  /** Something that runs often began (a stream): the normal thresholds from now on. */
  busy(): void {
    if (this.#busy++ === 0 && this.#idle !== 1) this.#set(1)
  }

  /** What `busy()` counted ended; the last one back to the idle scale. */
  idle(): void {
    if (this.#busy === 0) return
    if (--this.#busy === 0 && this.#idle !== 1) this.#set(this.#idle)
  }
}

/** The process's own policy. */
export const JIT_POLICY = new JitPolicy(IDLE_JIT_POLICY, (scale) => Bun.unsafe.setJITPolicy(scale))
