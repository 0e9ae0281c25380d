// The server's timing and abuse limits, with defaults; tests pass shorter ones to see them act.
import type { GuessLimits } from './guess-limiter.ts'
import { DEFAULT_GUESS_LIMITS } from './guess-limiter.ts'
import type { PairLimits } from './pair-requests.ts'
import { DEFAULT_PAIR_LIMITS } from './pair-requests.ts'

export interface ServerTuning {
  /** A socket that has not said hello by then is closed. */
  helloTimeoutMs: number
  /** A device heard from for this long is closed (it sends heartbeats or status while idle). */
  idleTimeoutMs: number
  /** The host sends a heartbeat when it has sent nothing for this long (or half of stale_after_ms, if less). */
  heartbeatMs: number
  /** Bad frames within `badFrameWindowMs` that close the socket with 1008. */
  badFrameLimit: number
  badFrameWindowMs: number
  /**
   * Largest frame accepted; a larger one gets a `too_large` error and closes the socket with 1009. Bun itself
   * drops a socket at four times this, before the frame is read into memory.
   */
  maxPayloadBytes: number
  /** Queued bytes at which a device counts as backed up; its metric frames then wait, newest only. */
  backpressureBytes: number
  /** Queued bytes of control frames beyond which a device that does not read is closed. */
  maxBufferedBytes: number
  guessLimits: GuessLimits
  /** Boards asking to pair: how many wait at once, how often an address may ask, and when a request expires. */
  pairLimits: PairLimits
  /** How long a REST config change waits for the device's `configured` before answering 202. */
  configConfirmMs: number
}

export const DEFAULT_TUNING: ServerTuning = {
  helloTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  heartbeatMs: 10_000,
  badFrameLimit: 10,
  badFrameWindowMs: 10_000,
  maxPayloadBytes: 16 * 1024,
  backpressureBytes: 64 * 1024,
  maxBufferedBytes: 1024 * 1024,
  guessLimits: DEFAULT_GUESS_LIMITS,
  pairLimits: DEFAULT_PAIR_LIMITS,
  configConfirmMs: 3_000,
}

/** Close codes the host uses beyond RFC 6455's own: idle and replaced sessions. */
export const CLOSE_IDLE = 4408
export const CLOSE_REPLACED = 4409
