// ESP-IDF images built in memory for the tests: an app image with an app descriptor, and a merged image around it.
import { PARTITION_ENTRY_BYTES, PARTITION_TABLE_AT } from './app-image.ts'

/** An app image of one segment that opens with esp_app_desc_t, then the checksum and the appended SHA-256. */
export const testAppImage = (version: string, chipId: number, payloadBytes = 1000): Uint8Array<ArrayBuffer> => {
  const segment = 256 + payloadBytes
  const end = Math.ceil((24 + 8 + segment + 1) / 16) * 16 + 32
  const image = new Uint8Array(end)
  const view = new DataView(image.buffer)
  image[0] = 0xe9
  image[1] = 1
  view.setUint16(12, chipId, true)
  image[23] = 1
  view.setUint32(24, 0x3c000020, true)
  view.setUint32(28, segment, true)
  view.setUint32(32, 0xabcd5432, true)
  image.set(new TextEncoder().encode(version), 32 + 16)
  image.set(new TextEncoder().encode('sysboy-esp32'), 32 + 48)
  for (let i = 32 + 256; i < 32 + segment; i++) image[i] = i % 251
  for (let i = end - 32; i < end; i++) image[i] = 0x5a
  return image
}

const partition = (type: number, subtype: number, offset: number, size: number, label: string): Uint8Array => {
  const entry = new Uint8Array(32)
  const view = new DataView(entry.buffer)
  entry[0] = 0xaa
  entry[1] = 0x50
  entry[2] = type
  entry[3] = subtype
  view.setUint32(4, offset, true)
  view.setUint32(8, size, true)
  entry.set(new TextEncoder().encode(label), 12)
  return entry
}

/** A merged image: a bootloader stand-in at 0, a partition table at 0x8000 (nvs, then the app partitions), the app. */
export const testMergedImage = (app: Uint8Array, apps: { subtype: number; offset: number }[] = [{ subtype: 0, offset: 0x10000 }], padding = 0): Uint8Array<ArrayBuffer> => {
  const appAt = (apps.find((p) => p.subtype === 0) ?? apps.find((p) => p.subtype === 0x10) ?? (apps[0] as { offset: number })).offset
  const merged = new Uint8Array(appAt + app.length + padding).fill(0xff)
  merged.set([0xe9, 3, 2, 0x1f], 0)
  merged.set(partition(1, 2, 0x9000, 0x6000, 'nvs'), PARTITION_TABLE_AT)
  for (const [i, p] of apps.entries()) merged.set(partition(0, p.subtype, p.offset, 0x1e0000, `app${i}`), PARTITION_TABLE_AT + PARTITION_ENTRY_BYTES * (i + 1))
  merged.set(app, appAt)
  return merged
}

/** Adds a partition to a merged image's table, after its last entry. */
export const withPartition = (merged: Uint8Array<ArrayBuffer>, type: number, subtype: number, offset: number, size: number, label: string): Uint8Array<ArrayBuffer> => {
  let at = PARTITION_TABLE_AT
  while (merged[at] === 0xaa && merged[at + 1] === 0x50) at += PARTITION_ENTRY_BYTES
  merged.set(partition(type, subtype, offset, size, label), at)
  return merged
}
