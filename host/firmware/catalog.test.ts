import { describe, expect, it } from 'bun:test'
import { firmwareCatalog, firmwareFacts, sha256Hex } from './catalog.ts'
import { installParts } from './install-parts.ts'
import { testAppImage, testMergedImage, withPartition } from './test-images.ts'

const C3 = 5

describe('the facts of a chip’s images', () => {
  it('reads the version, size and SHA-256 of the app inside a merged image', () => {
    const app = testAppImage('0.3.1', C3)
    const merged = testMergedImage(app, undefined, 64)
    expect(firmwareFacts('esp32c3', { merged })).toEqual({
      chip: 'esp32c3',
      version: '0.3.1',
      size: app.length,
      sha256: sha256Hex(app),
      appInMergedAt: 0x10000,
      merged: { size: merged.length, sha256: sha256Hex(merged), parts: installParts(merged) },
    })
  })

  it('takes an app image alone', () => {
    const app = testAppImage('0.4.0', C3)
    expect(firmwareFacts('esp32c3', { app })).toMatchObject({ version: '0.4.0', size: app.length, appInMergedAt: null, merged: null })
  })

  it('refuses an image for another chip, and an app that is not the merged image’s', () => {
    expect(() => firmwareFacts('esp32c6', { app: testAppImage('0.1.0', C3) })).toThrow('it is an image for esp32c3, not esp32c6')
    const merged = testMergedImage(testAppImage('0.1.0', C3))
    expect(() => firmwareFacts('esp32c3', { merged, app: testAppImage('0.1.1', C3) })).toThrow(/not the one in the merged image/)
  })
})

describe('the catalog', () => {
  it('serves the app as the slice of the merged image that holds it', async () => {
    const app = testAppImage('0.3.1', C3)
    const merged = testMergedImage(app, undefined, 64)
    const catalog = firmwareCatalog([{ facts: firmwareFacts('esp32c3', { merged }), merged: new Blob([merged]), app: new Blob([]) }])
    const image = catalog.get('esp32c3')
    expect(new Uint8Array(await (image?.bytes as Blob).arrayBuffer())).toEqual(app)
    expect(image?.merged?.bytes.size).toBe(merged.length)
  })

  it('serves each install part as its slice of the merged image, and a blank part as 0xFF bytes', async () => {
    const app = testAppImage('0.3.1', C3)
    const merged = withPartition(testMergedImage(app, [{ subtype: 0x10, offset: 0x20000 }]), 1, 0, 0x10000, 0x2000, 'otadata')
    const catalog = firmwareCatalog([{ facts: firmwareFacts('esp32c3', { merged }), merged: new Blob([merged]), app: new Blob([]) }])
    const parts = catalog.get('esp32c3')?.merged?.parts ?? []
    expect(parts.map((p) => p.name)).toEqual(['bootloader', 'partition-table', 'otadata', 'app'])
    for (const part of parts) {
      const expected = part.blank ? new Uint8Array(part.size).fill(0xff) : merged.subarray(part.offset, part.offset + part.size)
      expect(new Uint8Array(await part.bytes.arrayBuffer())).toEqual(expected)
    }
  })
})
