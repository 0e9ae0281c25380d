import { describe, expect, it } from 'bun:test'
import { StreamScreen } from '../../tests/fixtures/stream-decoder.ts'
import type { CaptureSource, Frame565 } from './frame.ts'
import type { StreamConfig, StreamEncoding } from './stream-config.ts'
import type { StreamChunk } from './stream-session.ts'
import { STREAM_WINDOW, StreamSession, runStream } from './stream-session.ts'

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

const started = (fields: Partial<StreamConfig> = {}, encodings: StreamEncoding[] = ALL): { stream: StreamSession; source: PaintedSource } => {
  const stream = new StreamSession({ output: 'tft', config: config(fields), width: WIDTH, height: HEIGHT, maxBytes: BUFFER, encodings })
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

  it('sends nothing for a static screen after the first frame', () => {
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
      for (let i = 0; i < 100 && sent.length === 0; i++) await Bun.sleep(10)
      expect(opens).toBe(3)
      expect(notes).toEqual(['cannot open display :99; the metrics go on'])
      expect(sent.at(-1)?.header.last).toBe(true)
      expect(stream.info(Date.now()).error).toBeUndefined()
    } finally {
      stream.stop()
    }
    expect(source.closed).toBe(true)
    const count = sent.length
    await Bun.sleep(50)
    expect(sent.length).toBe(count)
  })
})
