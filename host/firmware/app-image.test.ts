import { describe, expect, it } from 'bun:test'
import { ImageError, appImageLength, appOffsetInMerged, appSegmentsEnd, readAppDescriptor } from './app-image.ts'
import { testAppImage, testMergedImage } from './test-images.ts'

describe('an app image', () => {
  it("gives the version and project from its app descriptor, and the chip from its header", () => {
    expect(readAppDescriptor(testAppImage('0.2.0-rc.1', 5))).toEqual({ chipId: 5, version: '0.2.0-rc.1', project: 'sysboy-esp32' })
  })

  it('is refused without the image magic, or without the descriptor magic', () => {
    const image = testAppImage('0.1.0', 5)
    image[0] = 0
    expect(() => readAppDescriptor(image)).toThrow(ImageError)
    const other = testAppImage('0.1.0', 5)
    other[32] = 0
    expect(() => readAppDescriptor(other)).toThrow(/no app descriptor/)
  })

  it('ends after its checksum and appended SHA-256, whatever follows it', () => {
    const image = testAppImage('0.1.0', 5, 777)
    const padded = new Uint8Array(image.length + 4096).fill(0xff)
    padded.set(image)
    expect(appImageLength(padded)).toBe(image.length)
    expect(() => appImageLength(image.subarray(0, image.length - 1))).toThrow(ImageError)
  })

  it("says where its segments end: the 24-byte header, each segment's 8-byte header and its data", () => {
    // One segment of the 256-byte descriptor and 777 bytes more.
    expect(appSegmentsEnd(testAppImage('0.1.0', 5, 777))).toBe(24 + 8 + 256 + 777)
    // A header that names a second segment where the image ends.
    const cut = testAppImage('0.1.0', 5, 777).slice(0, 24 + 8 + 256 + 777 + 4)
    cut[1] = 2
    expect(() => appSegmentsEnd(cut)).toThrow(/segment 1 starts beyond/)
  })
})

describe('a merged image', () => {
  it('keeps its app in the factory partition when it has one', () => {
    const app = testAppImage('0.1.0', 5)
    expect(appOffsetInMerged(testMergedImage(app))).toBe(0x10000)
    expect(appOffsetInMerged(testMergedImage(app, [{ subtype: 0x10, offset: 0x20000 }, { subtype: 0, offset: 0x40000 }]))).toBe(0x40000)
  })

  it('keeps it in ota_0 with an OTA partition table', () => {
    const app = testAppImage('0.1.0', 5)
    expect(appOffsetInMerged(testMergedImage(app, [{ subtype: 0x10, offset: 0x20000 }, { subtype: 0x11, offset: 0x200000 }]))).toBe(0x20000)
  })

  it('is refused without a partition table', () => {
    expect(() => appOffsetInMerged(new Uint8Array(0x20000).fill(0xff))).toThrow(/no partition table/)
  })
})
