// One stream to one device's TFT: at the target rate (or a nap's, while the picture holds still), while the
// flow-control window has room, capture, send only the
// rectangles that differ from what the device will show, and drop frames rather than queue them (sans-IO core),
// with the timer and the source's opening at a thin edge. The device's side of the contract
// (firmware-rs/device/src/stream/): it draws nothing while another scene covers the stream and does not redraw it
// after, so the host sends the whole screen again when its status shows the stream back, and after it refused a
// rectangle; and it shows "no data" after `stale_after_ms` without a rectangle, so a still picture still gets one
// small unchanged rectangle every half of that.
import type { HostMessage } from '../../schema/index.ts'
import { FlowWindow } from '../hub/flow-window.ts'
import { JIT_POLICY, type JitPolicy } from '../jit-policy.ts'
import type { CaptureResult } from './capture.ts'
import { encodeRect } from './encode.ts'
import type { CaptureSource, Frame565, Rect } from './frame.ts'
import { applyRects, createFrame } from './frame.ts'
import type { StreamConfig, StreamEncoding } from './stream-config.ts'
import { streamFps } from './stream-config.ts'
import { AdaptiveThreshold } from './threshold.ts'
import { diffRects, pixelBytesFor } from './tile-diff.ts'

export type StreamRect = Extract<HostMessage, { type: 'stream' }>

/** One rectangle ready for the socket: its header, as sent, then exactly `payload` as the binary frame after it. */
export interface StreamChunk {
  header: StreamRect
  text: string
  payload: Uint8Array
}

/**
 * Stream frames a device may have unacknowledged. Two lets the device show one while the next is on its way; more
 * only adds latency on a slow link, since every frame in flight is a frame the device shows late.
 */
export const STREAM_WINDOW = 2

/** The span the recent frame rate is measured over, ms. */
const FPS_SPAN_MS = 2_000

/**
 * A picture still for this long makes the stream nap: it looks at its source every NAP_PERIOD_MS instead of every
 * frame time, as x11vnc's `-nap` does, and takes the full rate again at the first change. A look at a still X region
 * is one XPending and a timer's wake-up; 30 of them a second were most of what a host streaming a still region spent.
 */
export const NAP_AFTER_MS = 1_000
/**
 * How often a napping stream looks at its source (a stream slower than this keeps its own rate): for a stream of
 * 10 fps or more, the most a first change after a still spell waits on top of the frame time.
 */
export const NAP_PERIOD_MS = 100

/** What the API and /metrics show about one stream. */
export interface StreamInfo {
  output: string
  source: StreamConfig['source']
  /** The frame rate aimed for. */
  targetFps: number
  /** Frames sent per second over the last two seconds; 0 while nothing changes (keep-alives do not count). */
  fps: number
  /** Frames sent, keep-alives included. */
  framesSent: number
  /** Bytes sent: headers and pixels. */
  bytes: number
  /** Frames not taken because a newer one came due while an earlier one waited for the window. */
  dropped: number
  /** Times a frame came due with the window full and had to wait for an acknowledgement. */
  windowWaits: number
  /** Frames sent and not yet acknowledged. */
  inFlight: number
  /** The change threshold in use (0: lossless). */
  threshold: number
  /** Why the source gives no pictures now; absent while it does. */
  error?: string
}

export interface StreamSessionOptions {
  output: string
  config: StreamConfig
  /** The screen's size; every frame the source gives must have it. */
  width: number
  height: number
  /** The device's `stream_buffer`: no binary frame is larger. */
  maxBytes: number
  encodings: readonly StreamEncoding[]
  window?: number
  /**
   * The session's `stale_after_ms`: the device shows "no data" after this long without a rectangle, so a still
   * picture gets a one-pixel keep-alive every half of it. Absent: no keep-alives (a bench of recorded frames).
   */
  staleAfterMs?: number
}

/** A still picture's keep-alive: one pixel the device already shows. */
const KEEP_ALIVE: Rect = { x: 0, y: 0, width: 1, height: 1 }

/** The reason of a device's `bad_frame` about a stream rectangle: `stream 'tft' seq 7 rect …`, or `stream: …` naming none. */
const REFUSAL = /^stream(?: '([^']*)' seq (\d+)|:)/

export class StreamSession {
  readonly output: string
  readonly config: StreamConfig
  framesSent = 0
  bytes = 0
  dropped = 0
  windowWaits = 0
  readonly #width: number
  readonly #height: number
  readonly #maxBytes: number
  readonly #encodings: readonly StreamEncoding[]
  /** What a changed pixel costs on the wire with the device's encodings, which decides how far the diff merges. */
  readonly #pixelBytes: number
  readonly #window: FlowWindow<number>
  readonly #threshold: AdaptiveThreshold | undefined
  #source: CaptureSource | undefined
  #error: string | undefined
  /** What the device will show once it applies every frame sent; undefined until the first (whole) frame. */
  #shown: Frame565 | undefined
  /** A frame came due while the window was full; it is captured when the window opens. */
  #waiting = false
  #seq = 0
  readonly #sentAt: number[] = []
  /** When the last frame went out, keep-alives included; undefined before the first. */
  #lastSentAt: number | undefined
  /** When the source last gave a picture that changed what the device shows; undefined before the first. */
  #changedAt: number | undefined
  #staleAfterMs: number | undefined
  /** The next frame is the whole screen: the device's picture is not `#shown` (it was covered, or refused a rectangle). */
  #whole = false
  /** The device's status showed the screen on another scene since a frame was sent: its picture was drawn over. */
  #covered = false
  /** `#shown` holds exactly the last capture's pixels (lossless, and nothing since), so an unchanged capture needs no diff. */
  #inSync = false

  constructor(options: StreamSessionOptions) {
    this.output = options.output
    this.config = options.config
    this.#width = options.width
    this.#height = options.height
    this.#maxBytes = options.maxBytes
    this.#encodings = options.encodings
    this.#pixelBytes = pixelBytesFor(options.encodings)
    this.#window = new FlowWindow(options.window ?? STREAM_WINDOW)
    this.#staleAfterMs = options.staleAfterMs
    const max = options.config.max_threshold ?? 0
    this.#threshold = max > 0 ? new AdaptiveThreshold(max, streamFps(options.config)) : undefined
  }

  /** Starts taking frames from `source`; the first frame sent from it is the whole screen. */
  attach(source: CaptureSource): void {
    this.#source?.close()
    this.#source = source
    this.#shown = undefined
    this.#error = undefined
    this.#inSync = false
    this.#changedAt = undefined
  }

  /**
   * How long after `now` the next frame is due, ms: a frame time, or NAP_PERIOD_MS (when longer) once the picture
   * has held still for NAP_AFTER_MS. A frame waiting for the window is not napping: it goes out when an ack opens it.
   */
  period(now: number): number {
    const frameTime = 1_000 / streamFps(this.config)
    return this.napping(now) ? Math.max(frameTime, NAP_PERIOD_MS) : frameTime
  }

  /** Whether the picture has held still long enough for the stream to look at its source less often. */
  napping(now: number): boolean {
    return this.#source !== undefined && !this.#waiting && this.#changedAt !== undefined && now - this.#changedAt >= NAP_AFTER_MS
  }

  /** The session's `stale_after_ms` changed (a new config): keep-alives follow it. */
  set staleAfterMs(ms: number | undefined) {
    this.#staleAfterMs = ms
  }

  /**
   * The device's status says the stream's screen shows `scene`. Another scene draws over the picture and the device
   * does not redraw it, so once the screen shows `stream` again the next frame is the whole screen. Before the first
   * frame there is no picture to cover: the status that came before it changes nothing. True when the device now
   * needs the whole screen.
   */
  screenShown(scene: string): boolean {
    if (scene !== 'stream') {
      if (this.#shown !== undefined) this.#covered = true
      return false
    }
    if (!this.#covered) return false
    this.#covered = false
    this.#whole = true
    return true
  }

  /**
   * The device refused a rectangle (its `bad_frame` reason): one of this stream's (`stream 'tft' seq 7 …`), or a
   * payload without a header, which names no stream (`stream: …`). Its picture is then not what the host thinks, so
   * the next frame is the whole screen; a refused frame is never acknowledged, so it leaves the window, and a frame
   * that waited for the window goes out now. A reason about anything else changes nothing (`ours` is false).
   */
  refused(reason: string, now: number): { ours: boolean; chunks: StreamChunk[] } {
    const match = REFUSAL.exec(reason)
    if (match === null || (match[1] !== undefined && match[1] !== this.output)) return { ours: false, chunks: [] }
    this.#whole = true
    if (match[2] !== undefined) this.#window.applied(Number(match[2]))
    return { ours: true, chunks: this.#opened(now) }
  }

  /** The source gives no pictures, for `reason`; true when that is news (a different reason from the last). */
  fail(reason: string): boolean {
    const news = this.#error !== reason
    this.#error = reason
    return news
  }

  get error(): string | undefined {
    return this.#error
  }

  get attached(): boolean {
    return this.#source !== undefined
  }

  /** What the device shows after the frames sent so far; undefined before the first. */
  shown(): Frame565 | undefined {
    return this.#shown
  }

  /**
   * A frame is due. With the window full nothing is captured (capture costs a core's time): the frame waits, and a
   * frame already waiting is dropped in its favour. Else the changed rectangles go out, or nothing when none changed.
   */
  tick(now: number): StreamChunk[] {
    if (this.#source === undefined) return []
    if (this.#window.inFlight >= this.#window.size) {
      if (this.#waiting) this.dropped += 1
      else this.windowWaits += 1
      this.#waiting = true
      return []
    }
    return this.#frame(now)
  }

  /** The device showed frame `seq` (and every frame before it): a frame that waited for the window goes out now. */
  applied(seq: number, now: number): StreamChunk[] {
    this.#window.applied(seq)
    return this.#opened(now)
  }

  /** The window may have room now: the frame that waited for it goes out. */
  #opened(now: number): StreamChunk[] {
    if (!this.#waiting || this.#window.inFlight >= this.#window.size) return []
    this.#waiting = false
    return this.#frame(now)
  }

  info(now: number): StreamInfo {
    const recent = this.#sentAt.filter((at) => now - at < FPS_SPAN_MS).length
    return {
      output: this.output,
      source: this.config.source,
      targetFps: streamFps(this.config),
      fps: Math.round((recent / (FPS_SPAN_MS / 1_000)) * 10) / 10,
      framesSent: this.framesSent,
      bytes: this.bytes,
      dropped: this.dropped,
      windowWaits: this.windowWaits,
      inFlight: this.#window.inFlight,
      threshold: this.#threshold?.value ?? 0,
      ...(this.#error !== undefined ? { error: this.#error } : {}),
    }
  }

  close(): void {
    this.#source?.close()
    this.#source = undefined
  }

  #frame(now: number): StreamChunk[] {
    const source = this.#source
    if (source === undefined) return []
    let next: Frame565
    try {
      next = source.capture()
    } catch (error) {
      this.#inSync = false
      this.fail(`capture failed: ${(error as Error).message}`)
      return []
    }
    if (next.width !== this.#width || next.height !== this.#height) {
      this.#inSync = false
      this.fail(`the source gave a ${next.width}x${next.height} frame for a ${this.#width}x${this.#height} screen`)
      return []
    }
    this.#error = undefined
    const threshold = this.#threshold?.value ?? 0
    const whole = this.#whole || this.#shown === undefined
    // A still screen is the common case: the source may know it unchanged, else one memcmp settles it in
    // microseconds, where the tile diff takes a tenth of a ms.
    const still = !whole && ((this.#inSync && source.unchanged === true) || samePixels(this.#shown as Frame565, next))
    const rects = still ? [] : diffRects(whole ? undefined : this.#shown, next, threshold, this.#pixelBytes)
    this.#whole = false
    this.#inSync = threshold === 0
    if (rects.length === 0) {
      // A still picture keeps up with any rate: it must not raise the threshold, napping or not.
      if (this.napping(now)) this.#threshold?.still()
      else this.#threshold?.frameUnchanged(now)
      return this.#keepAliveDue(now) ? this.#send(this.#shown as Frame565, [KEEP_ALIVE], now, true) : []
    }
    this.#changedAt = now
    this.#shown ??= createFrame(this.#width, this.#height)
    applyRects(this.#shown, next, rects)
    return this.#send(next, rects, now, false)
  }

  /**
   * Whether a still picture needs a keep-alive now: the device would show "no data" before the next tick after half
   * its stale timeout, which leaves the other half for the link.
   */
  #keepAliveDue(now: number): boolean {
    if (this.#staleAfterMs === undefined || this.#lastSentAt === undefined || this.#shown === undefined) return false
    return now - this.#lastSentAt + this.period(now) > this.#staleAfterMs / 2
  }

  /** `rects` of `frame` as one frame for the socket: a new seq in the window, its last chunk marked. */
  #send(frame: Frame565, rects: readonly Rect[], now: number, keepAlive: boolean): StreamChunk[] {
    const chunks = rects.flatMap((rect) => encodeRect(frame, rect, this.#maxBytes, this.#encodings))
    this.#seq += 1
    const seq = this.#seq
    this.#window.offer(this.output, seq, seq)
    const out = chunks.map((chunk, i): StreamChunk => {
      const header: StreamRect = {
        type: 'stream',
        stream: this.output,
        seq,
        ...chunk.rect,
        encoding: chunk.encoding,
        length: chunk.payload.length,
        last: i === chunks.length - 1,
      }
      const text = JSON.stringify(header)
      this.bytes += text.length + chunk.payload.length
      return { header, text, payload: chunk.payload }
    })
    this.framesSent += 1
    this.#lastSentAt = now
    if (keepAlive) return out
    this.#sentAt.push(now)
    while (this.#sentAt.length > 0 && now - (this.#sentAt[0] as number) >= FPS_SPAN_MS) this.#sentAt.shift()
    this.#threshold?.frameSent(now)
    return out
  }
}

const bytesOf = (frame: Frame565): Buffer => Buffer.from(frame.pixels.buffer, frame.pixels.byteOffset, frame.pixels.byteLength)

/** Whether two frames of one size hold the same pixels. */
const samePixels = (a: Frame565, b: Frame565): boolean => a.pixels.length === b.pixels.length && bytesOf(a).equals(bytesOf(b))

/**
 * A running stream as the device's session holds it: acknowledgements in, figures and the picture out. It keeps its
 * own (monotonic) clock, so no call passes the time.
 */
export interface DeviceStream {
  readonly output: string
  readonly config: StreamConfig
  applied(seq: number): void
  /** The device's status says the stream's screen shows `scene`. */
  screenShown(scene: string): void
  /** The device sent a `bad_frame` with `reason`, perhaps about this stream. */
  refused(reason: string): void
  /** The session's `stale_after_ms` is now `ms`. */
  staleAfter(ms: number): void
  info(): StreamInfo
  shown(): Frame565 | undefined
  stop(): void
}

export interface RunOptions {
  session: StreamSession
  /** Opens the source; a failure is retried every `retryMs`. */
  open: () => CaptureResult | Promise<CaptureResult>
  /** Writes a header and its binary frame back to back. */
  send: (chunk: StreamChunk) => void
  /** Told, in a line, when the source fails for a new reason. */
  onNote: (line: string) => void
  retryMs?: number
  /** The clocks and timers; tests pass fake ones. */
  timers?: StreamTimers
  /** Told that a stream runs from now until it stops (the normal JIT thresholds meanwhile); the process's own by default. */
  jit?: Pick<JitPolicy, 'busy' | 'idle'>
}

/**
 * What the edge needs of time: a monotonic clock (ms) for the session's times and the timer's schedule, so that a
 * step of the wall clock neither stops a stream nor makes it race, and timers.
 */
export interface StreamTimers {
  now(): number
  setTimeout(run: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const REAL_STREAM_TIMERS: StreamTimers = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout> | undefined),
}

/** How often a source that would not open is tried again, ms. */
export const STREAM_RETRY_MS = 5_000

/**
 * Runs `session` on a timer at the rate it asks for (its target rate, or its nap's): the thin edge around the sans-IO
 * core. Each tick is due one period after the last was due, as setInterval keeps time, on the monotonic clock (a step
 * of the wall clock neither stops a stream nor makes it race); a tick that came late is not made up for.
 */
export const runStream = (options: RunOptions): DeviceStream => {
  const { session, send, onNote } = options
  const timers = options.timers ?? REAL_STREAM_TIMERS
  const now = (): number => timers.now()
  const retryMs = options.retryMs ?? STREAM_RETRY_MS
  const jit = options.jit ?? JIT_POLICY
  let stopped = false
  let retry: unknown
  jit.busy()
  const noteFailure = (): void => {
    if (session.error !== undefined) onNote(`${session.error}; the metrics go on`)
  }
  const sendAll = (chunks: StreamChunk[]): void => {
    for (const chunk of chunks) send(chunk)
  }
  const open = async (): Promise<void> => {
    let result: CaptureResult
    try {
      result = await options.open()
    } catch (error) {
      result = { ok: false, reason: (error as Error).message }
    }
    if (stopped) {
      if (result.ok) result.source.close()
      return
    }
    if (result.ok) {
      // The frames start now; until a source opens there is nothing to look at, and only the retries run.
      session.attach(result.source)
      due = now()
      arm()
      return
    }
    if (session.fail(result.reason)) noteFailure()
    retry = timers.setTimeout(() => void open(), retryMs)
  }
  let due = now()
  let timer: unknown
  const arm = (): void => {
    timer = timers.setTimeout(tick, Math.max(0, due - now()))
  }
  const tick = (): void => {
    if (stopped) return
    const at = now()
    const before = session.error
    sendAll(session.tick(at))
    if (session.error !== undefined && session.error !== before) noteFailure()
    const period = session.period(at)
    const clock = now()
    due += period
    if (due <= clock) due = clock + period
    arm()
  }
  /** A napping stream looks now rather than at the end of its nap, when the device needs the whole screen again. */
  const lookNow = (): void => {
    if (stopped || !session.napping(now())) return
    timers.clearTimeout(timer)
    due = now()
    arm()
  }
  void open()
  return {
    output: session.output,
    config: session.config,
    applied: (seq) => sendAll(session.applied(seq, now())),
    screenShown: (scene) => {
      if (session.screenShown(scene)) lookNow()
    },
    refused: (reason) => {
      const refusal = session.refused(reason, now())
      sendAll(refusal.chunks)
      if (refusal.ours) lookNow()
    },
    staleAfter: (ms) => {
      session.staleAfterMs = ms
    },
    info: () => session.info(now()),
    shown: () => session.shown(),
    stop: () => {
      if (!stopped) jit.idle()
      stopped = true
      timers.clearTimeout(timer)
      timers.clearTimeout(retry)
      session.close()
    },
  }
}
