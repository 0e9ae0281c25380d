// An LZ4 block compressor for RGB565 pixels, as the device's `lz4_flex` decoder reads them: the pixels' big-endian
// bytes as one LZ4 block (no frame header). Matches are whole pixels, which is where screen content repeats and
// halves the work; the block format itself is byte-oriented, so any LZ4 block decoder reads the result.
// Format: https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md

const HASH_BITS = 12
// The format's end rules, in bytes: the last 5 bytes are literals, and the last match starts 12 or more bytes
// before the end. In whole pixels that is: a match ends 3 or more pixels before the end, and starts 6 or more.
const END_LITERAL_PIXELS = 3
const LAST_MATCH_START_PIXELS = 6
// An offset is 16 bits of bytes: at most 32,767 pixels back.
const MAX_OFFSET_PIXELS = 32_767
// After this many misses in a row the search steps over more pixels each time, as LZ4's own fast mode does, so
// incompressible content costs little.
const SKIP_SHIFT = 5

const table = new Int32Array(1 << HASH_BITS)

/** The most bytes a block of `count` pixels can take (all literals). */
export const lz4BlockBound = (count: number): number => count * 2 + Math.ceil((count * 2) / 255) + 16

const writeLength = (out: Uint8Array, at: number, length: number): number => {
  let rest = length
  while (rest >= 255) {
    out[at++] = 255
    rest -= 255
  }
  out[at++] = rest
  return at
}

const writeLiterals = (out: Uint8Array, at: number, pixels: Uint16Array, from: number, to: number): number => {
  for (let index = from; index < to; index++) {
    const pixel = pixels[index] as number
    out[at++] = pixel >> 8
    out[at++] = pixel & 255
  }
  return at
}

/**
 * Compresses `pixels[0..count)` into `out` (at least lz4BlockBound(count) long) and returns the block's length,
 * or -1 as soon as it is sure to exceed `limit` bytes.
 */
export const compressLz4Block = (pixels: Uint16Array, count: number, out: Uint8Array, limit: number): number => {
  let op = 0
  let anchor = 0
  const lastMatchStart = count - LAST_MATCH_START_PIXELS
  const lastMatchEnd = count - END_LITERAL_PIXELS
  if (lastMatchStart > 0) {
    table.fill(0)
    let ip = 0
    let misses = 0
    while (ip <= lastMatchStart) {
      const high = pixels[ip] as number
      const low = pixels[ip + 1] as number
      const hash = Math.imul((high << 16) | low, 2_654_435_761) >>> (32 - HASH_BITS)
      const ref = (table[hash] as number) - 1
      table[hash] = ip + 1
      if (ref < 0 || ip - ref > MAX_OFFSET_PIXELS || pixels[ref] !== high || pixels[ref + 1] !== low) {
        ip += 1 + (misses++ >> SKIP_SHIFT)
        continue
      }
      misses = 0
      let start = ip
      let from = ref
      while (start > anchor && from > 0 && pixels[start - 1] === pixels[from - 1]) {
        start--
        from--
      }
      let end = ip + 2
      let reference = ref + 2
      while (end < lastMatchEnd && pixels[end] === pixels[reference]) {
        end++
        reference++
      }
      const literalBytes = (start - anchor) * 2
      const matchExtra = (end - start) * 2 - 4
      if (op + literalBytes + 3 > limit) return -1
      out[op++] = (Math.min(literalBytes, 15) << 4) | Math.min(matchExtra, 15)
      if (literalBytes >= 15) op = writeLength(out, op, literalBytes - 15)
      op = writeLiterals(out, op, pixels, anchor, start)
      const offset = (start - from) * 2
      out[op++] = offset & 255
      out[op++] = offset >> 8
      if (matchExtra >= 15) op = writeLength(out, op, matchExtra - 15)
      anchor = end
      ip = end
      if (end - 2 >= 0) {
        const before = Math.imul(((pixels[end - 2] as number) << 16) | (pixels[end - 1] as number), 2_654_435_761) >>> (32 - HASH_BITS)
        table[before] = end - 2 + 1
      }
    }
  }
  const literalBytes = (count - anchor) * 2
  if (op + literalBytes + 1 + Math.ceil(literalBytes / 255) > limit) return -1
  out[op++] = Math.min(literalBytes, 15) << 4
  if (literalBytes >= 15) op = writeLength(out, op, literalBytes - 15)
  return writeLiterals(out, op, pixels, anchor, count)
}
