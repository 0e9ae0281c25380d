import { describe, expect, it } from 'bun:test'
import { ImageError } from './app-image.ts'
import { sha256Hex } from './catalog.ts'
import { blankBytes, installParts, sectorsOf } from './install-parts.ts'
import { testAppImage, testMergedImage, withPartition } from './test-images.ts'

const C3 = 5
const NVS = { offset: 0x9000, size: 0x6000 }

/** A merged image laid out as Sysboy's: nvs, phy_init, otadata, ota_0 and ota_1. */
const otaImage = (app: Uint8Array): Uint8Array<ArrayBuffer> => {
  const merged = testMergedImage(app, [{ subtype: 0x10, offset: 0x20000 }, { subtype: 0x11, offset: 0x210000 }], 4096)
  withPartition(merged, 1, 1, 0xf000, 0x1000, 'phy_init')
  withPartition(merged, 1, 0, 0x10000, 0x2000, 'otadata')
  // Something other than 0xFF where otadata lies: the part is blank whatever the merged image holds there.
  merged.fill(0x42, 0x10000, 0x10010)
  return merged
}

describe('the install parts of a merged image', () => {
  it('slices the bootloader, the partition table and the app at ota_0, and adds a blank otadata of its size', () => {
    const app = testAppImage('1.2.3', C3)
    const merged = otaImage(app)
    const parts = installParts(merged)
    expect(parts.map(({ name, offset, size, blank }) => ({ name, offset, size, blank }))).toEqual([
      { name: 'bootloader', offset: 0, size: 0x8000, blank: false },
      { name: 'partition-table', offset: 0x8000, size: 0xc00, blank: false },
      { name: 'otadata', offset: 0x10000, size: 0x2000, blank: true },
      { name: 'app', offset: 0x20000, size: app.length, blank: false },
    ])
    for (const part of parts) {
      const bytes = part.blank ? blankBytes(part.size) : merged.subarray(part.offset, part.offset + part.size)
      expect(part.sha256).toBe(sha256Hex(bytes))
    }
    expect(parts[3]?.sha256).toBe(sha256Hex(app))
    expect(parts[2]?.sha256).toBe(sha256Hex(new Uint8Array(0x2000).fill(0xff)))
  })

  it('clears no sector of nvs, so a board not erased keeps its Wi-Fi and pairing', () => {
    for (const part of installParts(otaImage(testAppImage('1.2.3', C3)))) {
      const { start, end } = sectorsOf(part)
      expect(end <= NVS.offset || start >= NVS.offset + NVS.size).toBe(true)
    }
  })

  it('has no otadata part for a table without one, and boots the factory app', () => {
    const app = testAppImage('1.2.3', C3)
    expect(installParts(testMergedImage(app)).map((p) => [p.name, p.offset])).toEqual([
      ['bootloader', 0],
      ['partition-table', 0x8000],
      ['app', 0x10000],
    ])
  })

  it('refuses a table whose otadata would clear a sector of nvs', () => {
    const merged = testMergedImage(testAppImage('1.2.3', C3), [{ subtype: 0x10, offset: 0x20000 }])
    withPartition(merged, 1, 0, 0xe800, 0x2000, 'otadata')
    expect(() => installParts(merged)).toThrow(ImageError)
    expect(() => installParts(merged)).toThrow(/would clear nvs at 0x9000/)
  })
})
