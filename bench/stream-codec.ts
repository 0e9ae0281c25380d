// Benchmark: the stream's codec on recorded frames (bench/stream-frames.ts), beside the seed's scheme (one bounding
// box of every changed pixel, raw RGB565 in chunks of at most 8 KiB, a 12-byte header each) on the same frames:
// rectangles and bytes per frame for each set of encodings, and host CPU per frame for the diff and the encoding.
// With Xvfb installed it also times the X11 capture of a 320x240 region.
import type { StreamEncoding } from '../host/stream/encode.ts'
import { encodeRect } from '../host/stream/encode.ts'
import type { Frame565 } from '../host/stream/frame.ts'
import { applyRects, createFrame } from '../host/stream/frame.ts'
import { diffRects, pixelBytesFor } from '../host/stream/tile-diff.ts'
import { buildColourLut, convertBgrx } from '../host/stream/colour.ts'
import { openRegionCapture } from '../host/stream/capture.ts'
import { RootPainter, startXvfb } from '../tests/fixtures/xvfb.ts'
import { decodeChunk } from '../host/stream/test-frames.ts'
import type { StreamScenario } from './stream-frames.ts'
import { CAPTURE_HZ, REGION_HEIGHT, REGION_WIDTH, streamScenarios } from './stream-frames.ts'

/** The device's stream buffer (firmware-rs/device/src/board/mod.rs STREAM_BUFFER); the seed's chunks are 8 KiB too. */
const MAX_BYTES = 8_192
const SEED_CHUNK = 8_192
const SEED_HEADER = 12
const ENCODING_SETS: StreamEncoding[][] = [['raw565'], ['raw565', 'rle565'], ['raw565', 'lz4_565'], ['raw565', 'rle565', 'lz4_565']]

// A server's WebSocket frame header: 2 bytes up to 125 bytes of payload, 4 up to 65,535.
const wsFrame = (length: number): number => (length < 126 ? 2 : length < 65_536 ? 4 : 10)

interface Figures {
  sentFrames: number
  rects: number
  chunks: number
  bytes: number
  cpuMs: number[]
}

const summary = (figures: Figures, frames: number): { bytesPerSent: number; bytesPerFrame: number; meanMs: number; p95Ms: number; rectsPerSent: number; chunksPerSent: number } => {
  const sorted = [...figures.cpuMs].sort((a, b) => a - b)
  return {
    bytesPerSent: figures.sentFrames === 0 ? 0 : figures.bytes / figures.sentFrames,
    bytesPerFrame: figures.bytes / frames,
    meanMs: sorted.reduce((sum, v) => sum + v, 0) / sorted.length,
    p95Ms: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] as number,
    rectsPerSent: figures.sentFrames === 0 ? 0 : figures.rects / figures.sentFrames,
    chunksPerSent: figures.sentFrames === 0 ? 0 : figures.chunks / figures.sentFrames,
  }
}

/** This host's scheme; the first frame (everything) is sent but not counted, as in the seed's column. */
const ours = (frames: readonly Frame565[], encodings: StreamEncoding[], verify: boolean): Figures => {
  const figures: Figures = { sentFrames: 0, rects: 0, chunks: 0, bytes: 0, cpuMs: [] }
  let shown: Frame565 | undefined
  frames.forEach((next, index) => {
    const started = performance.now()
    const rects = diffRects(shown, next, 0, pixelBytesFor(encodings))
    shown ??= createFrame(next.width, next.height)
    applyRects(shown, next, rects)
    const chunks = rects.flatMap((rect) => encodeRect(next, rect, MAX_BYTES, encodings))
    const ms = performance.now() - started
    if (verify) {
      for (const chunk of chunks) {
        const pixels = decodeChunk(chunk)
        for (let row = 0; row < chunk.rect.height; row++) {
          for (let col = 0; col < chunk.rect.width; col++) {
            if (pixels[row * chunk.rect.width + col] !== next.pixels[(chunk.rect.y + row) * next.width + chunk.rect.x + col]) throw new Error('a chunk did not decode to its frame')
          }
        }
      }
    }
    if (index === 0) return
    figures.cpuMs.push(ms)
    if (chunks.length === 0) return
    figures.sentFrames++
    figures.rects += rects.length
    chunks.forEach((chunk, i) => {
      const header = JSON.stringify({ type: 'stream', stream: 'tft', seq: 1000 + index, ...chunk.rect, encoding: chunk.encoding, length: chunk.payload.length, last: i === chunks.length - 1 })
      figures.bytes += wsFrame(header.length) + header.length + wsFrame(chunk.payload.length) + chunk.payload.length
      figures.chunks++
    })
  })
  return figures
}

/** The seed's scheme, reimplemented: one bounding box of every changed pixel, raw big-endian RGB565, 8 KiB chunks. */
const seed = (frames: readonly Frame565[]): Figures => {
  const figures: Figures = { sentFrames: 0, rects: 0, chunks: 0, bytes: 0, cpuMs: [] }
  let previous: Frame565 | undefined
  frames.forEach((next, index) => {
    const started = performance.now()
    let left = next.width
    let right = -1
    let top = next.height
    let bottom = -1
    for (let y = 0; y < next.height; y++) {
      for (let x = 0; x < next.width; x++) {
        const at = y * next.width + x
        if (previous !== undefined && previous.pixels[at] === next.pixels[at]) continue
        if (x < left) left = x
        if (x > right) right = x
        if (y < top) top = y
        bottom = y
      }
    }
    let bytes = 0
    let chunks = 0
    if (right >= 0) {
      const width = right - left + 1
      const rows = Math.max(1, Math.floor(SEED_CHUNK / (width * 2)))
      for (let y = top; y <= bottom; y += rows) {
        const height = Math.min(rows, bottom + 1 - y)
        const payload = new Uint8Array(width * height * 2)
        for (let row = 0; row < height; row++) {
          for (let col = 0; col < width; col++) {
            const pixel = next.pixels[(y + row) * next.width + left + col] as number
            payload[(row * width + col) * 2] = pixel >> 8
            payload[(row * width + col) * 2 + 1] = pixel & 255
          }
        }
        bytes += SEED_HEADER + payload.length
        chunks++
      }
    }
    const ms = performance.now() - started
    previous = next
    if (index === 0) return
    figures.cpuMs.push(ms)
    if (chunks === 0) return
    figures.sentFrames++
    figures.rects++
    figures.chunks += chunks
    figures.bytes += bytes
  })
  return figures
}

const kb = (bytes: number): string => (bytes >= 10_000 ? `${(bytes / 1000).toFixed(1)} KB` : `${Math.round(bytes)} B`)

const benchScenario = (scenario: StreamScenario): void => {
  const frames = scenario.frames.length - 1
  console.log(`\n${scenario.name}: ${scenario.about}; ${frames} frames after the first`)
  // Twice: the first pass warms the JIT (and checks every chunk decodes to its frame), the second is measured.
  seed(scenario.frames)
  const seedFigures = summary(seed(scenario.frames), frames)
  console.log('  scheme                         rects  chunks  bytes/sent frame  bytes/frame  vs seed  CPU ms/frame mean  p95')
  const row = (name: string, s: ReturnType<typeof summary>, ratio: string): void =>
    console.log(
      `  ${name.padEnd(30)} ${s.rectsPerSent.toFixed(1).padStart(5)} ${s.chunksPerSent.toFixed(1).padStart(7)} ${kb(s.bytesPerSent).padStart(17)} ${kb(s.bytesPerFrame).padStart(12)} ${ratio.padStart(8)} ${s.meanMs.toFixed(3).padStart(18)} ${s.p95Ms.toFixed(3).padStart(6)}`,
    )
  row('seed: bounding box, raw565', seedFigures, '1')
  for (const encodings of ENCODING_SETS) {
    ours(scenario.frames, encodings, true)
    const s = summary(ours(scenario.frames, encodings, false), frames)
    const ratio = seedFigures.bytesPerFrame === 0 ? '-' : `${((100 * s.bytesPerFrame) / seedFigures.bytesPerFrame).toFixed(1)} %`
    row(`tiles, ${encodings.join('+')}`, s, ratio)
  }
}

const benchCapture = async (): Promise<void> => {
  const lut = buildColourLut({ gamma: 2.2, whiteBalance: { red: 1, green: 0.95, blue: 1.1 } })
  const source = new Uint32Array(REGION_WIDTH * REGION_HEIGHT).map((_, i) => Math.imul(i, 2_654_435_761))
  const target = new Uint16Array(REGION_WIDTH * REGION_HEIGHT)
  for (let i = 0; i < 200; i++) convertBgrx(lut, source, REGION_WIDTH, REGION_WIDTH, REGION_HEIGHT, target)
  let started = performance.now()
  for (let i = 0; i < 1000; i++) convertBgrx(lut, source, REGION_WIDTH, REGION_WIDTH, REGION_HEIGHT, target)
  console.log(`\ncolour tables, BGRX → RGB565 with gamma and white balance: ${((performance.now() - started) / 1000).toFixed(3)} ms per 320x240 region`)
  if (Bun.which('Xvfb') === null) {
    console.log('X11 capture: not measured (no Xvfb; scripts/setup/host.sh installs it)')
    return
  }
  const xvfb = await startXvfb(1280, 1024)
  try {
    const painter = new RootPainter(xvfb.display)
    for (let i = 0; i < 64; i++) painter.fill((i * 37) % 1200, (i * 53) % 1000, 80, 60, Math.imul(i + 1, 2_654_435_761) & 0xffffff)
    painter.sync()
    const opened = openRegionCapture({ display: xvfb.display, x: 400, y: 300, width: REGION_WIDTH, height: REGION_HEIGHT })
    if (!opened.ok) throw new Error(opened.reason)
    const capture = opened.source
    for (let i = 0; i < 100; i++) capture.capture()
    const runs = 1000
    started = performance.now()
    for (let i = 0; i < runs; i++) capture.capture()
    console.log(`X11 capture (Xvfb, MIT-SHM XShmGetImage + colour tables): ${((performance.now() - started) / runs).toFixed(3)} ms per 320x240 region, mean of ${runs}`)
    capture.close()
    painter.close()
  } finally {
    await xvfb.stop()
  }
}

export const main = async (): Promise<void> => {
  console.log(
    `stream codec on ${REGION_WIDTH}x${REGION_HEIGHT} frames at ${CAPTURE_HZ} Hz, device buffer ${MAX_BYTES} bytes; bytes count the JSON header and WebSocket framing of each chunk (the seed: its 12-byte header); lossless (threshold 0) on both sides`,
  )
  for (const scenario of streamScenarios()) benchScenario(scenario)
  await benchCapture()
}

if (import.meta.main) await main()
