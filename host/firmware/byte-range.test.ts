import { describe, expect, it } from 'bun:test'
import { byteRange } from './byte-range.ts'

describe('a Range header against a 1000-byte file', () => {
  it('asks the whole file without a header', () => {
    expect(byteRange(undefined, 1000)).toEqual({ kind: 'whole' })
  })

  it('reads a closed range, an open one, and a suffix', () => {
    expect(byteRange('bytes=0-99', 1000)).toEqual({ kind: 'slice', start: 0, end: 99 })
    expect(byteRange('bytes=900-', 1000)).toEqual({ kind: 'slice', start: 900, end: 999 })
    expect(byteRange('bytes=-100', 1000)).toEqual({ kind: 'slice', start: 900, end: 999 })
    expect(byteRange('bytes=-5000', 1000)).toEqual({ kind: 'slice', start: 0, end: 999 })
  })

  it('clips an end past the file to its last byte', () => {
    expect(byteRange('bytes=990-4095', 1000)).toEqual({ kind: 'slice', start: 990, end: 999 })
  })

  it('answers unsatisfiable to a well-formed single range that starts past the end or asks no bytes', () => {
    for (const header of ['bytes=1000-', 'bytes=1000-1100', 'bytes=-0']) {
      expect(byteRange(header, 1000)).toEqual({ kind: 'unsatisfiable' })
    }
    expect(byteRange('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' })
  })

  it('ignores a malformed header, a range that runs backwards, several ranges, and another unit: the whole file', () => {
    for (const header of ['bytes=500-400', 'bytes=0-1,5-9', 'items=0-1', 'bytes=-', 'bytes=a-b', 'bytes=', 'bytes 0-1', '']) {
      expect(byteRange(header, 1000)).toEqual({ kind: 'whole' })
    }
  })
})
