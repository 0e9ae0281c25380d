// One stream to one device's TFT: at the target rate, while the flow-control window has room, capture, send only the
// rectangles that differ from what the device will show, and drop frames rather than queue them (sans-IO core),
// with the timer and the source's opening at a thin edge.
import type { HostMessage } from '../../schema/index.ts'
import { FlowWindow } from '../hub/flow-window.ts'
import type { CaptureResult } from './capture.ts'
import { encodeRect } from './encode.ts'
import type { CaptureSource, Frame565 } from './frame.ts'
import { applyRects, createFrame } from './frame.ts'
import type { StreamConfig, StreamEncoding } from './stream-config.ts'
import { streamFps } from './stream-config.ts'
import { AdaptiveThreshold } from './threshold.ts'
import { diffRects } from './tile-diff.ts'

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

/** What the API and /metrics show about one stream. */
export interface StreamInfo {
  output: string
  source: StreamConfig['source']
  /** The frame rate aimed for. */
  targetFps: number
  /** Frames sent per second over the last two seconds; 0 while nothing changes. */
  fps: number
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
}

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

  constructor(options: StreamSessionOptions) {
    this.output = options.output
    this.config = options.config
    this.#width = options.width
    this.#height = options.height
    this.#maxBytes = options.maxBytes
    this.#encodings = options.encodings
    this.#window = new FlowWindow(options.window ?? STREAM_WINDOW)
    const max = options.config.max_threshold ?? 0
    this.#threshold = max > 0 ? new AdaptiveThreshold(max, streamFps(options.config)) : undefined
  }

  /** Starts taking frames from `source`; the first frame sent from it is the whole screen. */
  attach(source: CaptureSource): void {
    this.#source?.close()
    this.#source = source
    this.#shown = undefined
    this.#error = undefined
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
      this.fail(`capture failed: ${(error as Error).message}`)
      return []
    }
    if (next.width !== this.#width || next.height !== this.#height) {
      this.fail(`the source gave a ${next.width}x${next.height} frame for a ${this.#width}x${this.#height} screen`)
      return []
    }
    this.#error = undefined
    const threshold = this.#threshold?.value ?? 0
    // A still screen is the common case: one memcmp settles it in microseconds, where the tile diff takes a tenth of a ms.
    const rects = this.#shown !== undefined && samePixels(this.#shown, next) ? [] : diffRects(this.#shown, next, threshold)
    if (rects.length === 0) {
      // A still picture keeps up with any rate: it must not raise the threshold.
      this.#threshold?.frameUnchanged(now)
      return []
    }
    this.#shown ??= createFrame(this.#width, this.#height)
    applyRects(this.#shown, next, rects)
    const chunks = rects.flatMap((rect) => encodeRect(next, rect, this.#maxBytes, this.#encodings))
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
    this.#sentAt.push(now)
    while (this.#sentAt.length > 0 && now - (this.#sentAt[0] as number) >= FPS_SPAN_MS) this.#sentAt.shift()
    this.#threshold?.frameSent(now)
    return out
  }
}

const bytesOf = (frame: Frame565): Buffer => Buffer.from(frame.pixels.buffer, frame.pixels.byteOffset, frame.pixels.byteLength)

/** Whether two frames of one size hold the same pixels. */
const samePixels = (a: Frame565, b: Frame565): boolean => a.pixels.length === b.pixels.length && bytesOf(a).equals(bytesOf(b))

/** A running stream as the device's session holds it: acknowledgements in, figures and the picture out. */
export interface DeviceStream {
  readonly output: string
  readonly config: StreamConfig
  applied(seq: number, now: number): void
  info(now: number): StreamInfo
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
  now?: () => number
}

/** How often a source that would not open is tried again, ms. */
export const STREAM_RETRY_MS = 5_000

/** Runs `session` on a timer at its target rate: the thin edge around the sans-IO core. */
export const runStream = (options: RunOptions): DeviceStream => {
  const { session, send, onNote } = options
  const now = options.now ?? Date.now
  const retryMs = options.retryMs ?? STREAM_RETRY_MS
  let stopped = false
  let retry: ReturnType<typeof setTimeout> | undefined
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
      session.attach(result.source)
      return
    }
    if (session.fail(result.reason)) noteFailure()
    retry = setTimeout(() => void open(), retryMs)
  }
  const timer = setInterval(() => {
    const before = session.error
    sendAll(session.tick(now()))
    if (session.error !== undefined && session.error !== before) noteFailure()
  }, 1_000 / streamFps(session.config))
  void open()
  return {
    output: session.output,
    config: session.config,
    applied: (seq, at) => sendAll(session.applied(seq, at)),
    info: (at) => session.info(at),
    shown: () => session.shown(),
    stop: () => {
      stopped = true
      clearInterval(timer)
      clearTimeout(retry)
      session.close()
    },
  }
}
