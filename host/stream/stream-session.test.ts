import { describe, expect, it, spyOn } from 'bun:test'
import { StreamScreen } from '../../tests/fixtures/stream-decoder.ts'
import { until } from '../../tests/fixtures/until.ts'
import { JitPolicy } from '../jit-policy.ts'
import type { CaptureSource, Frame565 } from './frame.ts'
import type { StreamConfig, StreamEncoding } from './stream-config.ts'
import type { StreamChunk, StreamTimers } from './stream-session.ts'
import { NAP_AFTER_MS, NAP_PERIOD_MS, STREAM_WINDOW, StreamSession, runStream } from './stream-session.ts'

const WIDTH = 320
const HEIGHT = 240
const BUFFER = 4_096
const ALL: StreamEncoding[] = ['raw565', 'rle565', 'lz4_565']

/** A screen region the test paints; counts its captures and hands out the same buffer each time, as X11 does. */
class PaintedSource implements CaptureSource {
  readonly width = WIDTH
  readonly height = HEIGHT
  readonly frame: Frame565 = { width: WIDTH, height: HEIGHT, pixels: new Uint16Array(WIDTH * HEIGHT) }
  captures = 0
  failWith: string | undefined
  closed = false

  constructor() {
    // A gradient with stripes: runs for RLE, repeats for LZ4, and some noise-like change along each row.
    for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) this.frame.pixels[y * WIDTH + x] = ((x >> 3) << 11) | ((y >> 2) << 5) | ((x * y) & 31)
  }

  paint(x: number, y: number, width: number, height: number, colour: number): void {
    for (let row = y; row < y + height; row++) this.frame.pixels.fill(colour, row * WIDTH + x, row * WIDTH + x + width)
  }

  capture(): Frame565 {
    this.captures += 1
    if (this.failWith !== undefined) throw new Error(this.failWith)
    return this.frame
  }

  close(): void {
    this.closed = true
  }
}

const config = (fields: Partial<StreamConfig> = {}): StreamConfig => ({ output: 'tft', source: 'region', region: { x: 0, y: 0 }, ...fields })

const started = (
  fields: Partial<StreamConfig> = {},
  encodings: StreamEncoding[] = ALL,
  staleAfterMs?: number,
): { stream: StreamSession; source: PaintedSource } => {
  const stream = new StreamSession({ output: 'tft', config: config(fields), width: WIDTH, height: HEIGHT, maxBytes: BUFFER, encodings, staleAfterMs })
  const source = new PaintedSource()
  stream.attach(source)
  return { stream, source }
}

/** Applies chunks as a device would and gives the seqs of the frames they completed. */
const show = (screen: StreamScreen, chunks: readonly StreamChunk[]): number[] => {
  const done: number[] = []
  for (const chunk of chunks) {
    expect(JSON.parse(chunk.text)).toEqual(chunk.header)
    if (screen.apply(chunk.header, chunk.payload)) done.push(chunk.header.seq)
  }
  return done
}

/** Applies chunks as a device would, acknowledging each frame completed at `now`; gives what the acks let out. */
const shownAndAcked = (stream: StreamSession, screen: StreamScreen, chunks: readonly StreamChunk[], now: number): StreamChunk[] => {
  const more: StreamChunk[] = []
  for (const seq of show(screen, chunks)) more.push(...stream.applied(seq, now))
  return more
}

const area = (chunks: readonly StreamChunk[]): number => chunks.reduce((sum, c) => sum + c.header.width * c.header.height, 0)

describe('a stream session', () => {
  it('sends the whole screen first, in chunks no larger than the stream buffer, the last one closing the frame', () => {
    for (const encodings of [['raw565'], ['rle565'], ['lz4_565'], ALL] as StreamEncoding[][]) {
      const { stream, source } = started({}, encodings)
      const chunks = stream.tick(0)
      expect(area(chunks)).toBe(WIDTH * HEIGHT)
      for (const chunk of chunks) {
        expect(chunk.payload.length).toBeLessThanOrEqual(BUFFER)
        expect(chunk.header.length).toBe(chunk.payload.length)
        // raw565 is the fallback every device that streams decodes.
        expect([...encodings, 'raw565']).toContain(chunk.header.encoding)
        expect(chunk.header.seq).toBe(1)
      }
      expect(chunks.map((c) => c.header.last)).toEqual(chunks.map((_, i) => i === chunks.length - 1))
      const screen = new StreamScreen(WIDTH, HEIGHT)
      expect(show(screen, chunks)).toEqual([1])
      expect(screen.pixels).toEqual(source.frame.pixels)
      expect(stream.shown()?.pixels).toEqual(source.frame.pixels)
    }
  })

  it('sends nothing for a static screen after the first frame, with no stale timeout to keep alive', () => {
    const { stream } = started()
    const first = stream.tick(0)
    stream.applied(1, 10)
    for (let t = 1; t <= 100; t++) expect(stream.tick(t * 33)).toEqual([])
    expect(stream.framesSent).toBe(1)
    expect(stream.info(100 * 33).bytes).toBe(first.reduce((sum, c) => sum + c.text.length + c.payload.length, 0))
  })

  it('sends only small rectangles for a small change, and the device then shows the new picture', () => {
    const { stream, source } = started()
    const screen = new StreamScreen(WIDTH, HEIGHT)
    show(screen, stream.tick(0))
    stream.applied(1, 5)
    source.paint(100, 50, 3, 3, 0xf800)
    source.paint(300, 200, 8, 1, 0x07e0)
    const chunks = stream.tick(33)
    expect(area(chunks)).toBeLessThanOrEqual(2 * 16 * 16)
    expect(chunks.every((c) => c.header.seq === 2)).toBe(true)
    expect(show(screen, chunks)).toEqual([2])
    expect(screen.pixels).toEqual(source.frame.pixels)
  })

  it('captures nothing while the window is full, drops the frames that come due, and sends the newest when an ack opens it', () => {
    const { stream, source } = started({ fps: 30 })
    const screen = new StreamScreen(WIDTH, HEIGHT)
    for (let i = 0; i < STREAM_WINDOW; i++) {
      source.paint(i * 20, 0, 10, 10, 0x001f + i)
      show(screen, stream.tick(i * 33))
    }
    expect(source.captures).toBe(STREAM_WINDOW)
    expect(stream.info(100).inFlight).toBe(STREAM_WINDOW)
    for (let i = 0; i < 5; i++) {
      source.paint(200, 100, 10, 10, 0x1234 + i)
      expect(stream.tick(100 + i * 33)).toEqual([])
    }
    expect(source.captures).toBe(STREAM_WINDOW)
    expect(stream.windowWaits).toBe(1)
    expect(stream.dropped).toBe(4)
    // An ack of a seq never sent changes nothing.
    expect(stream.applied(99, 300)).toEqual([])
    // The device showed the first frame: the waiting frame is captured now, with the newest picture.
    const sent = stream.applied(1, 300)
    expect(source.captures).toBe(STREAM_WINDOW + 1)
    expect(show(screen, sent)).toEqual([STREAM_WINDOW + 1])
    expect(screen.pixels).toEqual(source.frame.pixels)
    // The window holds frame 2 and 3; nothing more waits, so a further ack sends nothing by itself.
    expect(stream.applied(2, 310)).toEqual([])
    expect(stream.info(310)).toMatchObject({ framesSent: STREAM_WINDOW + 1, dropped: 4, windowWaits: 1, inFlight: 1 })
  })

  it('an ack covers every frame before it', () => {
    const { stream, source } = started()
    stream.tick(0)
    source.paint(0, 0, 4, 4, 1)
    stream.tick(33)
    expect(stream.info(33).inFlight).toBe(2)
    stream.applied(2, 40)
    expect(stream.info(40).inFlight).toBe(0)
  })

  it('keeps, with a threshold, exactly what the device shows: small drifts are held back until they add up', () => {
    const { stream, source } = started({ max_threshold: 8, fps: 30 })
    const screen = new StreamScreen(WIDTH, HEIGHT)
    // A slow link: acks come late, so the stream falls behind and the threshold rises.
    let t = 0
    for (let frame = 0; frame < 60; frame++) {
      source.paint((frame * 7) % 300, (frame * 5) % 220, 20, 20, (frame * 2113) & 0xffff)
      t += 100
      for (const seq of show(screen, stream.tick(t))) show(screen, stream.applied(seq, t + 50))
    }
    expect(stream.info(t).threshold).toBeGreaterThan(0)
    expect(screen.pixels).toEqual(stream.shown()?.pixels as Uint16Array)
  })

  it('reports a source that fails and goes on when it gives pictures again', () => {
    const { stream, source } = started()
    source.failWith = 'the X server went away'
    expect(stream.tick(0)).toEqual([])
    expect(stream.info(0).error).toBe('capture failed: the X server went away')
    source.failWith = undefined
    expect(stream.tick(33).length).toBeGreaterThan(0)
    expect(stream.info(33).error).toBeUndefined()
  })

  it('starts again from the whole screen with a new source, and closes the old one', () => {
    const { stream, source } = started()
    stream.tick(0)
    stream.applied(1, 1)
    const next = new PaintedSource()
    stream.attach(next)
    expect(source.closed).toBe(true)
    expect(area(stream.tick(33))).toBe(WIDTH * HEIGHT)
  })

  it('measures the recent frame rate', () => {
    const { stream, source } = started({ fps: 30 })
    for (let i = 0; i < 60; i++) {
      source.paint(0, 0, 1, 1, i)
      stream.tick(i * 33)
      stream.applied(i + 1, i * 33 + 1)
    }
    expect(stream.info(60 * 33).fps).toBeCloseTo(30, 0)
    expect(stream.info(60 * 33 + 5_000).fps).toBe(0)
  })
})

describe("a stream session keeping the device's picture right", () => {
  /** A device that shows the stream: every frame is applied to its screen and acknowledged at once. */
  it('sends the whole screen again once the status shows the stream back after another scene covered it', () => {
    const { stream, source } = started()
    const screen = new StreamScreen(WIDTH, HEIGHT)
    // The status the device sent before the first frame reached it: nothing was there to cover.
    stream.screenShown('state')
    shownAndAcked(stream, screen, stream.tick(0), 1)
    stream.screenShown('stream')
    expect(stream.tick(33)).toEqual([])
    // An alert covers the picture; the stream goes on, as the device takes (and acknowledges) what it does not draw.
    stream.screenShown('alert')
    source.paint(10, 10, 4, 4, 0xf800)
    const covered = stream.tick(66)
    expect(area(covered)).toBeLessThanOrEqual(16 * 16)
    expect(covered.at(-1)?.header.last).toBe(true)
    stream.applied(2, 70)
    stream.screenShown('alert')
    expect(stream.tick(100)).toEqual([])
    // The stream is back on the screen, with the alert's pixels on it: the next frame is the whole screen, once.
    stream.screenShown('stream')
    const again = stream.tick(133)
    expect(area(again)).toBe(WIDTH * HEIGHT)
    expect(again.every((c) => c.header.seq === 3)).toBe(true)
    stream.applied(3, 140)
    stream.screenShown('stream')
    expect(stream.tick(166)).toEqual([])
  })

  it('waits for the window to send the whole screen again, and sends it whole when it opens', () => {
    const { stream, source } = started()
    stream.tick(0)
    source.paint(0, 0, 2, 2, 7)
    stream.tick(33)
    stream.screenShown('state')
    stream.screenShown('stream')
    expect(stream.tick(66)).toEqual([])
    expect(area(stream.applied(2, 70))).toBe(WIDTH * HEIGHT)
  })

  it('sends the whole screen again after the device refused one of its rectangles, and the refused frame leaves the window', () => {
    const { stream, source } = started()
    const screen = new StreamScreen(WIDTH, HEIGHT)
    shownAndAcked(stream, screen, stream.tick(0), 1)
    source.paint(50, 50, 8, 8, 0x07e0)
    expect(stream.tick(33).every((c) => c.header.seq === 2)).toBe(true)
    source.paint(60, 60, 8, 8, 0x001f)
    expect(stream.tick(66).every((c) => c.header.seq === 3)).toBe(true)
    // The window is full: the frame that comes due waits.
    source.paint(70, 70, 8, 8, 0xffff)
    expect(stream.tick(100)).toEqual([])
    // Others' errors are not this stream's: nothing changes.
    for (const reason of ["stream 'tft2' seq 3 rect 0,0 1x1 raw565 length 2: the payload is not the header's 2 bytes", 'hello: this session already said hello']) {
      expect(stream.refused(reason, 110)).toEqual({ ours: false, chunks: [] })
    }
    expect(stream.info(110).inFlight).toBe(2)
    // Frame 3 was refused: it will never be acknowledged, so it and frame 2 before it leave the window, and the
    // frame that waited goes out as the whole screen.
    const refused = stream.refused("stream 'tft' seq 3 rect 60,60 8x8 raw565 length 128: the rectangle lies outside the 320x240 screen", 120)
    expect(refused.ours).toBe(true)
    expect(area(refused.chunks)).toBe(WIDTH * HEIGHT)
    expect(refused.chunks.every((c) => c.header.seq === 4)).toBe(true)
    expect(show(screen, refused.chunks)).toEqual([4])
    expect(screen.pixels).toEqual(source.frame.pixels)
    // A binary frame without its header names no stream; every stream of the device starts again from the whole screen.
    stream.applied(4, 130)
    expect(stream.refused('stream: a binary frame came without its header', 140)).toEqual({ ours: true, chunks: [] })
    expect(area(stream.tick(166))).toBe(WIDTH * HEIGHT)
  })

  it('sends a one-pixel keep-alive of what the device shows every half stale timeout while the picture holds still', () => {
    // Half of 1 150 ms is no multiple of a frame time or a nap, so a keep-alive timed on the wrong period comes late.
    const { stream, source } = started({ fps: 30 }, ALL, 1_150)
    const screen = new StreamScreen(WIDTH, HEIGHT)
    shownAndAcked(stream, screen, stream.tick(0), 1)
    const at: number[] = []
    // Ticks come when the session asks for them, as runStream times them: a frame time, then its nap.
    for (let t = 33; t <= 5_000; t += stream.period(t)) {
      const chunks = stream.tick(t)
      if (chunks.length === 0) continue
      at.push(t)
      expect(chunks.map((c) => [c.header.x, c.header.y, c.header.width, c.header.height, c.header.last])).toEqual([[0, 0, 1, 1, true]])
      shownAndAcked(stream, screen, chunks, t + 5)
      expect(screen.pixels).toEqual(source.frame.pixels)
    }
    // Never more than half the stale timeout between two, and not much less.
    expect(at.length).toBeGreaterThanOrEqual(8)
    const gaps = at.map((t, i) => t - (at[i - 1] ?? 0))
    expect(Math.max(...gaps)).toBeLessThanOrEqual(575)
    expect(Math.min(...gaps)).toBeGreaterThan(450)
    expect(stream.info(5_000)).toMatchObject({ framesSent: 1 + at.length, fps: 0 })
    // A longer timeout from a new config spaces them out.
    stream.staleAfterMs = 4_000
    const before = stream.framesSent
    const last = at.at(-1) as number
    for (let t = 5_000; t < last + 1_900; t += stream.period(t)) stream.tick(t)
    expect(stream.framesSent).toBe(before)
  })

  it('sends a keep-alive only after the last frame that changed something, and never past the window', () => {
    const { stream, source } = started({ fps: 30 }, ALL, 1_000)
    stream.tick(0)
    stream.applied(1, 1)
    source.paint(0, 0, 5, 5, 3)
    stream.tick(400)
    stream.applied(2, 401)
    expect(stream.tick(700)).toEqual([])
    expect(stream.tick(880).length).toBe(1)
    // Unacknowledged: two frames in the window, then nothing, keep-alives neither.
    for (let t = 900; t < 5_000; t += 33) stream.tick(t)
    expect(stream.info(5_000)).toMatchObject({ framesSent: 4, inFlight: 2 })
  })

  it('trusts a source that knows its capture unchanged, except for the first frame of a source', () => {
    const { stream, source } = started()
    Object.assign(source, { unchanged: true })
    expect(area(stream.tick(0))).toBe(WIDTH * HEIGHT)
    stream.applied(1, 1)
    // A source that says so is believed: this change is not looked for.
    source.paint(0, 0, 1, 1, 0xabcd)
    expect(stream.tick(33)).toEqual([])
    Object.assign(source, { unchanged: false })
    expect(area(stream.tick(66))).toBe(1)
  })
})

describe('a stream napping through a still picture', () => {
  it('looks at its source every NAP_PERIOD_MS once the picture held still for NAP_AFTER_MS, and at the full rate from the first change', () => {
    const { stream, source } = started({ fps: 30 })
    const frameTime = 1_000 / 30
    // Before the first frame, and right after it, the full rate.
    expect(stream.period(0)).toBe(frameTime)
    stream.tick(0)
    stream.applied(1, 1)
    let t = 0
    const periods: number[] = []
    while (t < 3_000) {
      periods.push(stream.period(t))
      t += stream.period(t)
      expect(stream.tick(t)).toEqual([])
    }
    // A frame time until a second after the last change, then a look every NAP_PERIOD_MS.
    expect(new Set(periods.filter((_, i) => i * frameTime < NAP_AFTER_MS - frameTime))).toEqual(new Set([frameTime]))
    expect(periods.at(-1)).toBe(NAP_PERIOD_MS)
    expect(stream.napping(t)).toBe(true)
    // A change is seen at the next look, goes out, and the stream is back at the full rate.
    source.paint(10, 10, 4, 4, 0x1234)
    t += stream.period(t)
    expect(area(stream.tick(t))).toBe(16)
    expect(stream.napping(t)).toBe(false)
    expect(stream.period(t)).toBe(frameTime)
  })

  it('never naps a stream slower than the nap: a 5 fps stream keeps its 200 ms', () => {
    const { stream } = started({ fps: 5 })
    stream.tick(0)
    stream.applied(1, 1)
    for (let t = 200; t <= 3_000; t += 200) stream.tick(t)
    expect(stream.napping(3_000)).toBe(true)
    expect(stream.period(3_000)).toBe(200)
  })

  it('does not nap while a frame waits for the window: it goes out when the ack comes', () => {
    const { stream, source } = started({ fps: 30 })
    stream.tick(0)
    source.paint(0, 0, 2, 2, 1)
    stream.tick(33)
    for (let t = 66; t < 3_000; t += 33) stream.tick(t)
    expect(stream.info(3_000).inFlight).toBe(STREAM_WINDOW)
    expect(stream.napping(3_000)).toBe(false)
    expect(stream.period(3_000)).toBe(1_000 / 30)
  })

  it('does not raise the threshold while it naps, and forgets the nap when the picture moves again', () => {
    const { stream, source } = started({ fps: 30, max_threshold: 12 })
    const screen = new StreamScreen(WIDTH, HEIGHT)
    let t = 0
    shownAndAcked(stream, screen, stream.tick(t), 1)
    for (; t < 3_000; t += stream.period(t)) stream.tick(t)
    expect(stream.napping(t)).toBe(true)
    expect(stream.info(t).threshold).toBe(0)
    // Moving at the full rate again: lossless throughout, as a stream that keeps up is (the nap's gaps, counted as
    // frame times, would raise it once ten frames came after them).
    let highest = 0
    for (let i = 0; i < 40; i++, t += stream.period(t)) {
      source.paint(i % 300, 0, 1, 1, i)
      shownAndAcked(stream, screen, stream.tick(t), t + 1)
      highest = Math.max(highest, stream.info(t).threshold)
    }
    expect(highest).toBe(0)
  })
})

describe('the stream edge', () => {
  it('retries a source that would not open, saying why once, and stops its timers', async () => {
    const session = new StreamSession({ output: 'tft', config: config({ fps: 60 }), width: WIDTH, height: HEIGHT, maxBytes: BUFFER, encodings: ALL })
    const notes: string[] = []
    const sent: StreamChunk[] = []
    let opens = 0
    const source = new PaintedSource()
    const stream = runStream({
      session,
      open: () => (++opens < 3 ? { ok: false, reason: 'cannot open display :99' } : { ok: true, source }),
      send: (chunk) => sent.push(chunk),
      onNote: (line) => notes.push(line),
      retryMs: 20,
    })
    try {
      await until('a frame sent once the source opens', () => sent.length > 0, 1_000)
      expect(opens).toBe(3)
      expect(notes).toEqual(['cannot open display :99; the metrics go on'])
      expect(sent.at(-1)?.header.last).toBe(true)
      expect(stream.info().error).toBeUndefined()
    } finally {
      stream.stop()
    }
    expect(source.closed).toBe(true)
    const count = sent.length
    await Bun.sleep(50)
    expect(sent.length).toBe(count)
  })
})

/** Timers on a clock the test moves. */
class FakeTimers implements StreamTimers {
  mono = 0
  /** Timers set so far. */
  armed = 0
  #nextId = 1
  readonly #due = new Map<number, { at: number; run: () => void }>()

  now(): number {
    return this.mono
  }

  setTimeout(run: () => void, ms: number): unknown {
    const id = this.#nextId++
    this.armed += 1
    this.#due.set(id, { at: this.mono + ms, run })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.#due.delete(handle as number)
  }

  /** Moves both clocks on by `ms`, running each timer when its time comes, earliest first. */
  advance(ms: number): void {
    const end = this.mono + ms
    for (;;) {
      let first: [number, { at: number; run: () => void }] | undefined
      for (const entry of this.#due) if (entry[1].at <= end && (first === undefined || entry[1].at < first[1].at)) first = entry
      if (first === undefined) break
      this.mono = first[1].at
      this.#due.delete(first[0])
      first[1].run()
    }
    this.mono = end
  }
}

/** A stream on fake timers whose device acknowledges every frame at once; `looks` holds when the source was read. */
const napping = async (fps: number): Promise<{ timers: FakeTimers; source: PaintedSource; sent: StreamChunk[]; looks: number[]; stream: ReturnType<typeof runStream> }> => {
  const timers = new FakeTimers()
  const session = new StreamSession({ output: 'tft', config: config({ fps }), width: WIDTH, height: HEIGHT, maxBytes: BUFFER, encodings: ALL })
  const source = new PaintedSource()
  const looks: number[] = []
  const capture = source.capture.bind(source)
  source.capture = () => {
    looks.push(timers.mono)
    return capture()
  }
  const sent: StreamChunk[] = []
  const stream: ReturnType<typeof runStream> = runStream({
    session,
    open: () => ({ ok: true, source }),
    send: (chunk) => {
      sent.push(chunk)
      if (chunk.header.last) stream.applied(chunk.header.seq)
    },
    onNote: () => {},
    timers,
  })
  // The source opens on a promise.
  await Promise.resolve()
  await Promise.resolve()
  return { timers, source, sent, looks, stream }
}

const gaps = (times: readonly number[]): number[] => times.slice(1).map((t, i) => Math.round((t - (times[i] as number)) * 100) / 100)

describe('the stream edge, napping', () => {
  it('looks at the frame rate, every NAP_PERIOD_MS once the picture held still, at the next look after a change, then at the frame rate again', async () => {
    const { timers, source, sent, looks, stream } = await napping(60)
    try {
      timers.advance(3_000)
      const first = looks[0] as number
      const awake = looks.filter((t) => t - first < NAP_AFTER_MS)
      const asleep = looks.filter((t) => t - first > NAP_AFTER_MS + NAP_PERIOD_MS)
      expect(new Set(gaps(awake))).toEqual(new Set([16.67]))
      expect(new Set(gaps(asleep))).toEqual(new Set([NAP_PERIOD_MS]))
      // Painted just after a look: the worst case, the change goes out at the next one, a nap later.
      const before = sent.length
      const paintedAt = looks.at(-1) as number
      const next = looks.length
      source.paint(0, 0, 8, 8, 0xf800)
      timers.advance(NAP_PERIOD_MS)
      expect(sent.length).toBeGreaterThan(before)
      expect((looks[next] as number) - paintedAt).toBe(NAP_PERIOD_MS)
      const from = looks.length
      timers.advance(500)
      expect(new Set(gaps(looks.slice(from - 1)))).toEqual(new Set([16.67]))
    } finally {
      stream.stop()
    }
  })

  it('looks at once, not at the end of its nap, when the device shows the stream again after another scene covered it', async () => {
    const { timers, sent, stream } = await napping(30)
    try {
      timers.advance(2_000)
      stream.screenShown('hub')
      stream.screenShown('stream')
      const before = sent.length
      timers.advance(0)
      expect(area(sent.slice(before))).toBe(WIDTH * HEIGHT)
    } finally {
      stream.stop()
    }
  })

  it('keeps napping through a status that shows the stream it already shows and a refusal about another stream', async () => {
    const { timers, looks, stream } = await napping(30)
    try {
      timers.advance(2_000)
      const from = looks.length - 1
      // The periodic status, and a bad_frame about the OLED's stream: the picture on the TFT is as the host thinks,
      // so the looks stay on the nap's beat (a look now would fall between two of them).
      timers.advance(NAP_PERIOD_MS / 2)
      stream.screenShown('stream')
      stream.refused("stream 'oled' seq 3: rectangle outside the screen")
      timers.advance(3 * NAP_PERIOD_MS)
      expect(new Set(gaps(looks.slice(from)))).toEqual(new Set([NAP_PERIOD_MS]))
    } finally {
      stream.stop()
    }
  })

  it('keeps its time on the monotonic clock: a wall clock stepped back an hour does not stop it', async () => {
    const session = new StreamSession({ output: 'tft', config: config({ fps: 10 }), width: WIDTH, height: HEIGHT, maxBytes: BUFFER, encodings: ALL })
    const source = new PaintedSource()
    const stream = runStream({ session, open: () => ({ ok: true, source }), send: (chunk) => chunk.header.last && stream.applied(chunk.header.seq), onNote: () => {} })
    const stepped = Date.now() - 3_600_000
    const wall = spyOn(Date, 'now').mockImplementation(() => stepped)
    try {
      await Bun.sleep(600)
      // Ten looks a second on the real timers; a schedule kept on the wall clock would wait the hour.
      expect(source.captures).toBeGreaterThanOrEqual(3)
    } finally {
      wall.mockRestore()
      stream.stop()
    }
  })

  it('arms no frame timer while its source would not open: only the retries run, and stop ends them', async () => {
    const timers = new FakeTimers()
    const session = new StreamSession({ output: 'tft', config: config({ fps: 60 }), width: WIDTH, height: HEIGHT, maxBytes: BUFFER, encodings: ALL })
    let opens = 0
    const stream = runStream({ session, open: () => ({ ok: false, reason: `no display (${++opens})` }), send: () => {}, onNote: () => {}, retryMs: 1_000, timers })
    // Each open resolves on a promise before its retry is armed: the clock moves in steps with those settled.
    const advance = async (ms: number): Promise<void> => {
      for (let t = 0; t < ms; t += 50) {
        timers.advance(50)
        await Promise.resolve()
        await Promise.resolve()
      }
    }
    await advance(2_500)
    expect(opens).toBe(3)
    // One retry armed after each failed open, and nothing else.
    expect(timers.armed).toBe(opens)
    stream.stop()
    await advance(10_000)
    expect(opens).toBe(3)
  })
})

describe('the stream edge and the JIT policy', () => {
  it('runs with the normal JIT thresholds from its start until the last stream stops, however often stop is called', () => {
    const scales: number[] = []
    const jit = new JitPolicy(16, (scale) => scales.push(scale))
    const start = (): ReturnType<typeof runStream> => {
      const session = new StreamSession({ output: 'tft', config: config({ fps: 60 }), width: WIDTH, height: HEIGHT, maxBytes: BUFFER, encodings: ALL })
      return runStream({ session, open: () => ({ ok: false, reason: 'no display' }), send: () => {}, onNote: () => {}, timers: new FakeTimers(), jit })
    }
    const first = start()
    expect(scales).toEqual([1])
    const second = start()
    first.stop()
    first.stop()
    expect(scales).toEqual([1])
    second.stop()
    expect(scales).toEqual([1, 16])
    second.stop()
    expect(scales).toEqual([1, 16])
  })
})
