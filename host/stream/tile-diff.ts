// Which rectangles of a new frame to send: a 16×16 tile diff against what the device shows, each dirty tile cut
// down to the bounding box of its changed pixels, then merged wherever one larger rectangle costs fewer bytes than
// its parts (each rectangle costs a JSON header and WebSocket framing besides its pixels).
import type { StreamEncoding } from './encode.ts'
import type { Frame565, Rect } from './frame.ts'

const TILE = 16
/** Bytes one more rectangle costs besides its pixels: the JSON header, its WebSocket frame and the binary frame's. */
export const RECT_OVERHEAD_BYTES = 120
/** Bytes a pixel costs in raw565. */
export const RAW_PIXEL_BYTES = 2
// What merging assumes a pixel costs where the device decodes rle565 or lz4_565: the unchanged pixels a merge takes
// in are mostly flat or repeated, and compress. Picked by measurement (bench/stream-codec.ts, clock and graph):
// 2 → 1 → 0.5 → 0.25 took the graph's rectangles 33 → 26 → 16 → 12 a frame and its bytes from 11.4 to 9.5 KB at
// 0.5, with the clock at 0.6 KB from 0.73; below 0.5 the gains stop and large merges begin to cost.
export const COMPRESSED_PIXEL_BYTES = 0.5

/** The pixel cost diffRects should merge by for a device that decodes `encodings`. */
export const pixelBytesFor = (encodings: readonly StreamEncoding[]): number =>
  encodings.includes('rle565') || encodings.includes('lz4_565') ? COMPRESSED_PIXEL_BYTES : RAW_PIXEL_BYTES

/** Whether two RGB565 values differ by more than `threshold` in red (5 bits), green (6 bits) or blue (5 bits). */
export const differsBeyond = (a: number, b: number, threshold: number): boolean =>
  Math.abs((a >> 11) - (b >> 11)) > threshold ||
  Math.abs(((a >> 5) & 63) - ((b >> 5) & 63)) > threshold ||
  Math.abs((a & 31) - (b & 31)) > threshold

// Per tile: left, right, top, bottom of its changed pixels (inclusive); left = -1 while the tile is clean.
const markTiles = (shown: Uint16Array, next: Uint16Array, width: number, height: number, threshold: number, tilesX: number): Int32Array => {
  const bounds = new Int32Array(tilesX * Math.ceil(height / TILE) * 4).fill(-1)
  for (let y = 0; y < height; y++) {
    const rowStart = y * width
    const tileRow = ((y / TILE) | 0) * tilesX
    for (let tileX = 0; tileX < tilesX; tileX++) {
      const start = rowStart + tileX * TILE
      const end = Math.min(start + TILE, rowStart + width)
      let first = start
      if (threshold === 0) {
        while (first < end && shown[first] === next[first]) first++
      } else {
        while (first < end && !differsBeyond(shown[first] as number, next[first] as number, threshold)) first++
      }
      if (first === end) continue
      let last = end - 1
      if (threshold === 0) {
        while (last > first && shown[last] === next[last]) last--
      } else {
        while (last > first && !differsBeyond(shown[last] as number, next[last] as number, threshold)) last--
      }
      const at = (tileRow + tileX) * 4
      const left = first - rowStart
      const right = last - rowStart
      if (bounds[at] === -1) {
        bounds[at] = left
        bounds[at + 1] = right
        bounds[at + 2] = y
      } else {
        if (left < (bounds[at] as number)) bounds[at] = left
        if (right > (bounds[at + 1] as number)) bounds[at + 1] = right
      }
      bounds[at + 3] = y
    }
  }
  return bounds
}

// Half-open edges make the union and the cost arithmetic plain.
interface Box {
  left: number
  top: number
  right: number
  bottom: number
}

/** The union of a and b when sending it costs no more than sending both; undefined otherwise. */
const cheaperUnion = (a: Box, b: Box, pixelBytes: number): Box | undefined => {
  const union = {
    left: Math.min(a.left, b.left),
    top: Math.min(a.top, b.top),
    right: Math.max(a.right, b.right),
    bottom: Math.max(a.bottom, b.bottom),
  }
  const area = (box: Box): number => (box.right - box.left) * (box.bottom - box.top)
  return area(union) * pixelBytes <= RECT_OVERHEAD_BYTES + (area(a) + area(b)) * pixelBytes ? union : undefined
}

// Greedy: fold into each box every later box whose union is cheaper, and repeat until a pass merges nothing.
const mergeBoxes = (boxes: Box[], pixelBytes: number): Box[] => {
  let merged = true
  while (merged) {
    merged = false
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; ) {
        const union = cheaperUnion(boxes[i] as Box, boxes[j] as Box, pixelBytes)
        if (union === undefined) {
          j++
          continue
        }
        boxes[i] = union
        boxes[j] = boxes[boxes.length - 1] as Box
        boxes.pop()
        merged = true
        // The grown box may now be worth merging with one already passed over.
        j = i + 1
      }
    }
  }
  return boxes
}

/**
 * Rectangles that together cover every pixel of `next` that differs from `shown` (by more than `threshold` in any
 * 5/6/5-bit channel when it is above 0). Without `shown`, or at another size, the whole frame. `pixelBytes` is what
 * one more pixel is expected to cost against a rectangle's header: 2 for raw565 (the default); less where the
 * device decodes a compressed encoding (pixelBytesFor).
 */
export const diffRects = (shown: Frame565 | undefined, next: Frame565, threshold = 0, pixelBytes = RAW_PIXEL_BYTES): Rect[] => {
  const { width, height } = next
  if (!(pixelBytes > 0)) throw new RangeError(`a pixel must cost more than 0 bytes, not ${pixelBytes}`)
  if (width === 0 || height === 0) return []
  if (shown === undefined || shown.width !== width || shown.height !== height) return [{ x: 0, y: 0, width, height }]
  const tilesX = Math.ceil(width / TILE)
  const tilesY = Math.ceil(height / TILE)
  const bounds = markTiles(shown.pixels, next.pixels, width, height, Math.max(0, threshold), tilesX)
  // Runs of dirty tiles along each tile row first: cheap, and they leave the greedy merge few boxes.
  const boxes: Box[] = []
  for (let tileY = 0; tileY < tilesY; tileY++) {
    let run: Box | undefined
    for (let tileX = 0; tileX < tilesX; tileX++) {
      const at = (tileY * tilesX + tileX) * 4
      if (bounds[at] === -1) continue
      const box = {
        left: bounds[at] as number,
        right: (bounds[at + 1] as number) + 1,
        top: bounds[at + 2] as number,
        bottom: (bounds[at + 3] as number) + 1,
      }
      const union = run === undefined ? undefined : cheaperUnion(run, box, pixelBytes)
      if (union !== undefined) {
        run = union
        continue
      }
      if (run !== undefined) boxes.push(run)
      run = box
    }
    if (run !== undefined) boxes.push(run)
  }
  return mergeBoxes(boxes, pixelBytes).map((box) => ({ x: box.left, y: box.top, width: box.right - box.left, height: box.bottom - box.top }))
}
