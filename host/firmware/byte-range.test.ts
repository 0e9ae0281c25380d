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

  it('refuses a start past the end, a range that runs backwards, several ranges, and another unit', () => {
    for (const header of ['bytes=1000-', 'bytes=1000-1100', 'bytes=500-400', 'bytes=0-1,5-9', 'items=0-1', 'bytes=-0', 'bytes=-', 'bytes=a-b']) {
      expect(byteRange(header, 1000)).toEqual({ kind: 'unsatisfiable' })
    }
  })
})
