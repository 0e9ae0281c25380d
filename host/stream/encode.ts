// One rectangle of a frame as chunks the device can take: row bands whose payload fits its stream buffer, each in
// whichever of its encodings is smallest (raw565, rle565, lz4_565; see StreamEncoding in schema/common.ts).
import type { Static } from 'typebox'
import type { StreamEncoding as StreamEncodingSchema } from '../../schema/common.ts'
import type { Frame565, Rect } from './frame.ts'
import { compressLz4Block, lz4BlockBound } from './lz4-block.ts'
import { RECT_OVERHEAD_BYTES } from './tile-diff.ts'

export type StreamEncoding = Static<typeof StreamEncodingSchema>

export interface EncodedChunk {
  rect: Rect
  encoding: StreamEncoding
  payload: Uint8Array
}

const RLE_MAX_RUN = 256

// Scratch buffers grow to the largest band seen and are reused: encoding is synchronous, so one set serves all.
let bandPixels = new Uint16Array(0)
let scratch = new Uint8Array(0)
const ensureScratch = (pixels: number, bytes: number): void => {
  if (bandPixels.length < pixels) bandPixels = new Uint16Array(pixels)
  if (scratch.length < bytes) scratch = new Uint8Array(bytes)
}

const copyBand = (frame: Frame565, x: number, y: number, width: number, rows: number): number => {
  for (let row = 0; row < rows; row++) {
    const start = (y + row) * frame.width + x
    bandPixels.set(frame.pixels.subarray(start, start + width), row * width)
  }
  return width * rows
}

const rawPayload = (count: number): Uint8Array => {
  const payload = new Uint8Array(count * 2)
  for (let index = 0; index < count; index++) {
    const pixel = bandPixels[index] as number
    payload[index * 2] = pixel >> 8
    payload[index * 2 + 1] = pixel & 255
  }
  return payload
}

/**
 * RLE of the rows of `frame` from `y` on, `x`..`x + width`, runs carrying over row ends; stops before the first row
 * that would take the payload past `maxBytes`. Writes into `out` when given. Returns the rows taken and bytes.
 */
const rleRows = (
  frame: Frame565,
  x: number,
  y: number,
  width: number,
  maxRows: number,
  maxBytes: number,
  out: Uint8Array | undefined,
): { rows: number; bytes: number } => {
  const { pixels } = frame
  let runValue = -1
  let runLength = 0
  let bytes = 0
  let rows = 0
  // The state at the end of the last row that fit, to go back to when the next one does not.
  let fitBytes = 0
  let fitValue = -1
  let fitLength = 0
  for (; rows < maxRows; rows++) {
    let index = (y + rows) * frame.width + x
    const end = index + width
    for (; index < end; index++) {
      const pixel = pixels[index] as number
      if (pixel === runValue && runLength < RLE_MAX_RUN) {
        runLength++
        continue
      }
      if (runLength > 0) {
        if (out !== undefined && bytes + 3 <= out.length) {
          out[bytes] = runLength - 1
          out[bytes + 1] = runValue >> 8
          out[bytes + 2] = runValue & 255
        }
        bytes += 3
      }
      runValue = pixel
      runLength = 1
    }
    if (bytes + 3 > maxBytes) break
    fitBytes = bytes
    fitValue = runValue
    fitLength = runLength
  }
  if (fitLength > 0 && out !== undefined) {
    out[fitBytes] = fitLength - 1
    out[fitBytes + 1] = fitValue >> 8
    out[fitBytes + 2] = fitValue & 255
  }
  return { rows, bytes: fitLength > 0 ? fitBytes + 3 : 0 }
}

const encodeStrip = (frame: Frame565, rect: Rect, maxBytes: number, encodings: readonly StreamEncoding[], chunks: EncodedChunk[]): void => {
  const useRle = encodings.includes('rle565')
  const useLz4 = encodings.includes('lz4_565')
  const bandRows = Math.max(1, Math.floor(maxBytes / (rect.width * 2)))
  ensureScratch(bandRows * rect.width, Math.max(lz4BlockBound(bandRows * rect.width), maxBytes))
  let y = rect.y
  const bottom = rect.y + rect.height
  while (y < bottom) {
    const rows = Math.min(bandRows, bottom - y)
    const rawBytes = rows * rect.width * 2
    // Bytes per pixel with the chunk's header counted, since RLE may cover more rows in one chunk than raw or LZ4.
    const perPixel = (bytes: number, chunkRows: number): number => (bytes + RECT_OVERHEAD_BYTES) / (chunkRows * rect.width)
    let best: StreamEncoding = 'raw565'
    let bestCost = perPixel(rawBytes, rows)
    let rleReach = 0
    if (useRle) {
      // Within the raw band: a device takes no rectangle whose pixels are over its buffer, whatever the encoding,
      // so that writing one to its panel never holds the board long (firmware-rs/device/src/stream/receiver.rs).
      const reach = rleRows(frame, rect.x, y, rect.width, rows, maxBytes, undefined)
      if (reach.rows > 0 && perPixel(reach.bytes, reach.rows) < bestCost) {
        best = 'rle565'
        bestCost = perPixel(reach.bytes, reach.rows)
        rleReach = reach.rows
      }
    }
    let lz4Bytes = -1
    if (useLz4) {
      copyBand(frame, rect.x, y, rect.width, rows)
      // The most bytes that would still cost less per pixel than the best so far.
      const limit = Math.ceil(bestCost * rows * rect.width - RECT_OVERHEAD_BYTES) - 1
      lz4Bytes = compressLz4Block(bandPixels, rows * rect.width, scratch, Math.min(limit, rawBytes - 1))
      if (lz4Bytes > 0 && perPixel(lz4Bytes, rows) < bestCost) best = 'lz4_565'
    }
    if (best === 'rle565') {
      const payload = new Uint8Array(maxBytes)
      const taken = rleRows(frame, rect.x, y, rect.width, rleReach, maxBytes, payload)
      chunks.push({ rect: { x: rect.x, y, width: rect.width, height: taken.rows }, encoding: 'rle565', payload: payload.slice(0, taken.bytes) })
      y += taken.rows
      continue
    }
    if (best === 'raw565' && !useLz4) copyBand(frame, rect.x, y, rect.width, rows)
    const payload = best === 'lz4_565' ? scratch.slice(0, lz4Bytes) : rawPayload(rows * rect.width)
    chunks.push({ rect: { x: rect.x, y, width: rect.width, height: rows }, encoding: best, payload })
    y += rows
  }
}

/**
 * `rect` of `frame` as chunks in row bands (and column strips where one row is over the buffer), each payload at
 * most `maxBytes` and its pixels (two bytes each) too, whatever the encoding; each chunk in the smallest of `encodings`, raw565
 * (which every device takes) when nothing is smaller.
 */
export const encodeRect = (frame: Frame565, rect: Rect, maxBytes: number, encodings: readonly StreamEncoding[]): EncodedChunk[] => {
  if (rect.width < 1 || rect.height < 1 || rect.x < 0 || rect.y < 0 || rect.x + rect.width > frame.width || rect.y + rect.height > frame.height) {
    throw new RangeError(`rectangle ${rect.width}x${rect.height} at ${rect.x},${rect.y} is not inside the ${frame.width}x${frame.height} frame`)
  }
  if (!Number.isInteger(maxBytes) || maxBytes < 2) throw new RangeError(`a chunk of at most ${maxBytes} bytes cannot hold a pixel`)
  const chunks: EncodedChunk[] = []
  const stripWidth = Math.floor(maxBytes / 2)
  for (let x = rect.x; x < rect.x + rect.width; x += stripWidth) {
    const width = Math.min(stripWidth, rect.x + rect.width - x)
    encodeStrip(frame, { x, y: rect.y, width, height: rect.height }, maxBytes, encodings, chunks)
  }
  return chunks
}
