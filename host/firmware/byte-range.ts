// One `Range: bytes=…` request header read against a file's size (RFC 9110 §14): the whole file, one slice, or a
// range that cannot be served. A board fetches its update in slices. A header this does not serve (malformed, another
// unit, several ranges) is ignored as §14.2 allows, and the whole file is sent.

export type ByteRange = { kind: 'whole' } | { kind: 'slice'; start: number; end: number } | { kind: 'unsatisfiable' }

const SPEC = /^bytes=(\d*)-(\d*)$/

/**
 * The slice `header` asks of a file of `size` bytes; `end` is inclusive, as in Content-Range. Unsatisfiable only for a
 * well-formed single range that starts past the end or asks the last 0 bytes (§14.1.1).
 */
export const byteRange = (header: string | undefined, size: number): ByteRange => {
  if (header === undefined) return { kind: 'whole' }
  const match = SPEC.exec(header.trim())
  if (match === null) return { kind: 'whole' }
  const [, first = '', last = ''] = match
  if (first === '' && last === '') return { kind: 'whole' }
  if (first === '') {
    // `bytes=-N`: the last N bytes.
    const length = Number(last)
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' }
    return { kind: 'slice', start: Math.max(0, size - length), end: size - 1 }
  }
  const start = Number(first)
  // A last-pos before first-pos makes the range invalid (§14.1.1), not unsatisfiable.
  if (last !== '' && Number(last) < start) return { kind: 'whole' }
  if (start >= size) return { kind: 'unsatisfiable' }
  return { kind: 'slice', start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) }
}
