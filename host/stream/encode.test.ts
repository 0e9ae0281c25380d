import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { holds } from '../../schema/fuzz/property.ts'
import type { EncodedChunk, StreamEncoding } from './encode.ts'
import { encodeRect } from './encode.ts'
import type { Frame565, Rect } from './frame.ts'
import { createFrame } from './frame.ts'
import { anyFrame, decodeChunk, decodeLz4Block } from './test-frames.ts'
import { compressLz4Block, lz4BlockBound } from './lz4-block.ts'

const ENCODING_SETS: StreamEncoding[][] = [['raw565'], ['raw565', 'rle565'], ['raw565', 'lz4_565'], ['raw565', 'rle565', 'lz4_565']]

/** Decodes every chunk into a blank frame; throws where a chunk lies outside `rect` or covers a pixel twice. */
const paint = (frame: Frame565, rect: Rect, chunks: readonly EncodedChunk[]): Uint16Array => {
  const out = new Uint16Array(frame.width * frame.height)
  const seen = new Uint8Array(frame.width * frame.height)
  for (const chunk of chunks) {
    const { x, y, width, height } = chunk.rect
    if (x < rect.x || y < rect.y || x + width > rect.x + rect.width || y + height > rect.y + rect.height) throw new Error('chunk outside its rectangle')
    const pixels = decodeChunk(chunk)
    for (let row = 0; row < height; row++) {
      for (let col = 0; col < width; col++) {
        const at = (y + row) * frame.width + x + col
        if (seen[at] === 1) throw new Error('a pixel sent twice')
        seen[at] = 1
        out[at] = pixels[row * width + col] as number
      }
    }
  }
  return out
}

const frameAndRect = anyFrame(64).chain((frame) =>
  fc
    .record({ x: fc.nat(frame.width - 1), y: fc.nat(frame.height - 1) })
    .chain(({ x, y }) =>
      fc.record({ width: fc.integer({ min: 1, max: frame.width - x }), height: fc.integer({ min: 1, max: frame.height - y }) }).map((size) => ({ frame, rect: { x, y, ...size } })),
    ),
)

describe('stream encoders', () => {
  it('decode(encode(rect)) is the rectangle for every encoding set, and no payload exceeds the buffer', () => {
    holds(
      'encodeRect round trip',
      fc.property(frameAndRect, fc.oneof(fc.integer({ min: 2, max: 300 }), fc.integer({ min: 1_024, max: 9_000 })), fc.constantFrom(...ENCODING_SETS), ({ frame, rect }, maxBytes, encodings) => {
        const chunks = encodeRect(frame, rect, maxBytes, encodings)
        for (const chunk of chunks) {
          if (chunk.payload.length > maxBytes || chunk.payload.length === 0) return false
          if (!encodings.includes(chunk.encoding)) return false
          if (chunk.rect.width * chunk.rect.height * 2 > maxBytes) return false
        }
        const out = paint(frame, rect, chunks)
        for (let y = 0; y < frame.height; y++) {
          for (let x = 0; x < frame.width; x++) {
            const inRect = x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height
            if (inRect && out[y * frame.width + x] !== frame.pixels[y * frame.width + x]) return false
          }
        }
        return true
      }),
    )
  })

  it('sends a flat rectangle as a few runs, in bands whose pixels fit the buffer, and full-frame noise as raw', () => {
    const flat = createFrame(320, 240).pixels.fill(0x1234)
    const chunks = encodeRect({ width: 320, height: 240, pixels: flat }, { x: 0, y: 0, width: 320, height: 240 }, 16_384, ['raw565', 'rle565'])
    // 16 KiB holds 25 rows of 320 pixels: ten bands, the last of 15 rows, each 8000 (or 4800) pixels in runs of 256.
    expect(chunks.map((chunk) => chunk.rect.height)).toEqual([25, 25, 25, 25, 25, 25, 25, 25, 25, 15])
    expect(chunks.every((chunk) => chunk.encoding === 'rle565')).toBe(true)
    expect(chunks.map((chunk) => chunk.payload.length)).toEqual([...Array(9).fill(Math.ceil(8000 / 256) * 3), Math.ceil(4800 / 256) * 3])
    const noise = new Uint16Array(320 * 240).map(() => Math.floor(Math.random() * 0x10000))
    const noisy = encodeRect({ width: 320, height: 240, pixels: noise }, { x: 0, y: 0, width: 320, height: 240 }, 16_384, ['raw565', 'rle565', 'lz4_565'])
    expect(noisy.every((chunk) => chunk.encoding === 'raw565' && chunk.payload.length <= 16_384)).toBe(true)
    expect(noisy.reduce((sum, chunk) => sum + chunk.payload.length, 0)).toBe(320 * 240 * 2)
  })

  it('splits a row wider than the buffer into column strips', () => {
    const frame = createFrame(1024, 2)
    frame.pixels.forEach((_, i) => (frame.pixels[i] = i))
    const chunks = encodeRect(frame, { x: 0, y: 0, width: 1024, height: 2 }, 1024, ['raw565'])
    expect(chunks.map((chunk) => chunk.rect)).toEqual([
      { x: 0, y: 0, width: 512, height: 1 },
      { x: 0, y: 1, width: 512, height: 1 },
      { x: 512, y: 0, width: 512, height: 1 },
      { x: 512, y: 1, width: 512, height: 1 },
    ])
    expect(chunks.every((chunk) => chunk.payload.length === 1024)).toBe(true)
  })

  it('refuses a rectangle outside the frame', () => {
    expect(() => encodeRect(createFrame(10, 10), { x: 5, y: 5, width: 6, height: 1 }, 1024, ['raw565'])).toThrow(/not inside the 10x10 frame/)
  })

  it('writes LZ4 blocks that the reference lz4 tool decodes', async () => {
    const lz4 = Bun.which('lz4')
    if (lz4 === null) throw new Error('the lz4 tool is missing: scripts/setup/host.sh installs it')
    // A line graph's band: background, grid and a line, the content lz4_565 is for.
    const width = 300
    const rows = 20
    const pixels = new Uint16Array(width * rows).fill(0x0841)
    for (let x = 0; x < width; x++) {
      pixels[(x % rows) * width + x] = 0x07e0
      if (x % 50 === 0) for (let y = 0; y < rows; y++) pixels[y * width + x] = 0x4208
    }
    const out = new Uint8Array(lz4BlockBound(pixels.length))
    const length = compressLz4Block(pixels, pixels.length, out, pixels.length * 2)
    expect(length).toBeGreaterThan(0)
    expect(length).toBeLessThan(pixels.length)
    // The legacy frame: a magic number, then each block after its length, both little-endian, and no checksums.
    const legacy = new Uint8Array(8 + length)
    const view = new DataView(legacy.buffer)
    view.setUint32(0, 0x184c2102, true)
    view.setUint32(4, length, true)
    legacy.set(out.subarray(0, length), 8)
    const run = Bun.spawnSync([lz4, '-d', '-c'], { stdin: legacy })
    expect(run.stderr.toString()).toBe('')
    const expected = decodeLz4Block(out.subarray(0, length), pixels.length * 2)
    expect([...run.stdout]).toEqual([...expected])
    expect(expected[2]).toBe(0x08)
    expect(expected[3]).toBe(0x41)
  })
})
