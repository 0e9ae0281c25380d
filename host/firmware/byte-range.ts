// One `Range: bytes=…` request header read against a file's size (RFC 9110 §14): the whole file, one slice, or a
// range that cannot be served. A board fetches its update in slices; several ranges in one request are refused.

export type ByteRange = { kind: 'whole' } | { kind: 'slice'; start: number; end: number } | { kind: 'unsatisfiable' }

const SPEC = /^bytes=(\d*)-(\d*)$/

/** The slice `header` asks of a file of `size` bytes; `end` is inclusive, as in Content-Range. */
export const byteRange = (header: string | undefined, size: number): ByteRange => {
  if (header === undefined) return { kind: 'whole' }
  const match = SPEC.exec(header.trim())
  if (match === null) return { kind: 'unsatisfiable' }
  const [, first = '', last = ''] = match
  if (first === '' && last === '') return { kind: 'unsatisfiable' }
  if (first === '') {
    // `bytes=-N`: the last N bytes.
    const length = Number(last)
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' }
    return { kind: 'slice', start: Math.max(0, size - length), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1)
  if (start >= size || (last !== '' && Number(last) < start)) return { kind: 'unsatisfiable' }
  return { kind: 'slice', start, end }
}
