// Frames for the stream's tests and bench: arbitrary ones for properties (fast-check), and decoders of the three
// encodings written from their definitions in schema/common.ts, independent of the encoders.
import fc from 'fast-check'
import type { EncodedChunk } from './encode.ts'
import type { Frame565 } from './frame.ts'

/** A frame up to `max` on a side whose pixels come from a small palette or anywhere, so runs and noise both occur. */
export const anyFrame = (max = 48): fc.Arbitrary<Frame565> =>
  fc
    .record({ width: fc.integer({ min: 1, max }), height: fc.integer({ min: 1, max }), palette: fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 6 }), noisy: fc.boolean(), seed: fc.integer() })
    .map(({ width, height, palette, noisy, seed }) => {
      const pixels = new Uint16Array(width * height)
      let state = seed | 1
      for (let i = 0; i < pixels.length; i++) {
        state ^= state << 13
        state ^= state >>> 17
        state ^= state << 5
        // Mostly long runs of a palette colour, some noise when asked.
        if (noisy && (state & 7) === 0) pixels[i] = state & 0xffff
        else pixels[i] = (state & 15) < 13 && i > 0 ? (pixels[i - 1] as number) : (palette[(state >>> 8) % palette.length] as number)
      }
      return { width, height, pixels }
    })

/** `frame` with some rectangles painted over and some single pixels changed, small channel nudges among them. */
export const changedFrame = (frame: Frame565): fc.Arbitrary<Frame565> =>
  fc
    .array(
      fc.record({
        x: fc.nat(frame.width - 1),
        y: fc.nat(frame.height - 1),
        width: fc.integer({ min: 1, max: frame.width }),
        height: fc.integer({ min: 1, max: frame.height }),
        colour: fc.integer({ min: 0, max: 0xffff }),
        nudge: fc.boolean(),
      }),
      { maxLength: 6 },
    )
    .map((paints) => {
      const pixels = frame.pixels.slice()
      for (const paint of paints) {
        for (let y = paint.y; y < Math.min(frame.height, paint.y + paint.height); y++) {
          for (let x = paint.x; x < Math.min(frame.width, paint.x + paint.width); x++) {
            const at = y * frame.width + x
            // A nudge moves blue by one unit: under any threshold above 0.
            pixels[at] = paint.nudge ? ((pixels[at] as number) & ~31) | (((pixels[at] as number) + 1) & 31) : paint.colour
          }
        }
      }
      return { width: frame.width, height: frame.height, pixels }
    })

export const decodeRaw565 = (payload: Uint8Array): number[] => {
  if (payload.length % 2 !== 0) throw new Error(`raw565 payload of odd length ${payload.length}`)
  const out: number[] = []
  for (let i = 0; i < payload.length; i += 2) out.push(((payload[i] as number) << 8) | (payload[i + 1] as number))
  return out
}

export const decodeRle565 = (payload: Uint8Array): number[] => {
  if (payload.length % 3 !== 0) throw new Error(`rle565 payload of length ${payload.length}, not runs of 3 bytes`)
  const out: number[] = []
  for (let i = 0; i < payload.length; i += 3) {
    const pixel = ((payload[i + 1] as number) << 8) | (payload[i + 2] as number)
    for (let n = 0; n <= (payload[i] as number); n++) out.push(pixel)
  }
  return out
}

/** An LZ4 block decoder from the block format description, checking its end rules as a strict decoder would. */
export const decodeLz4Block = (payload: Uint8Array, expectedBytes: number): Uint8Array => {
  const out = new Uint8Array(expectedBytes)
  let ip = 0
  let op = 0
  const readLength = (base: number): number => {
    let length = base
    if (base !== 15) return length
    for (;;) {
      const byte = payload[ip++]
      if (byte === undefined) throw new Error('lz4: length runs past the block')
      length += byte
      if (byte !== 255) return length
    }
  }
  for (;;) {
    const token = payload[ip++]
    if (token === undefined) throw new Error('lz4: block ends without a final literal run')
    const literals = readLength(token >> 4)
    if (ip + literals > payload.length || op + literals > out.length) throw new Error('lz4: literals run past the end')
    out.set(payload.subarray(ip, ip + literals), op)
    ip += literals
    op += literals
    if (ip === payload.length) break
    const offset = (payload[ip] as number) | ((payload[ip + 1] as number) << 8)
    ip += 2
    if (offset === 0 || offset > op) throw new Error(`lz4: offset ${offset} at ${op}`)
    const matchStart = op
    const length = readLength(token & 15) + 4
    if (op + length > out.length) throw new Error('lz4: match runs past the end')
    if (matchStart > expectedBytes - 12) throw new Error(`lz4: a match starts ${expectedBytes - matchStart} bytes from the end (12 at least)`)
    for (let n = 0; n < length; n++, op++) out[op] = out[op - offset] as number
    if (op > expectedBytes - 5) throw new Error('lz4: the last 5 bytes must be literals')
  }
  if (op !== expectedBytes) throw new Error(`lz4: ${op} bytes decoded, ${expectedBytes} expected`)
  return out
}

/** The pixels of one chunk, row-major over its rectangle, decoded by its encoding. */
export const decodeChunk = (chunk: EncodedChunk): number[] => {
  const count = chunk.rect.width * chunk.rect.height
  const pixels =
    chunk.encoding === 'raw565'
      ? decodeRaw565(chunk.payload)
      : chunk.encoding === 'rle565'
        ? decodeRle565(chunk.payload)
        : decodeRaw565(decodeLz4Block(chunk.payload, count * 2))
  if (pixels.length !== count) throw new Error(`${chunk.encoding}: ${pixels.length} pixels for a ${chunk.rect.width}x${chunk.rect.height} chunk`)
  return pixels
}
