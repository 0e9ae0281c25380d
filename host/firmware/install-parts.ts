// What the install page flashes, sliced from a merged image by its partition table: the bootloader, the partition
// table, a blank otadata (so the board boots the app slot) and the app. No part reaches nvs, so a board the user
// chose not to erase keeps its Wi-Fi and pairing.
import {
  ImageError,
  PARTITION_TABLE_AT,
  PARTITION_TABLE_BYTES,
  PARTITION_TYPE_DATA,
  SUBTYPE_NVS,
  SUBTYPE_OTADATA,
  appImageLength,
  appOffsetInMerged,
  readPartitionTable,
} from './app-image.ts'

export const INSTALL_PART_NAMES = ['bootloader', 'partition-table', 'otadata', 'app'] as const
export type InstallPartName = (typeof INSTALL_PART_NAMES)[number]

export interface InstallPart {
  name: InstallPartName
  /** Where it is written on the board's flash, which is also where it lies in the merged image. */
  offset: number
  size: number
  /** 0xFF bytes rather than the merged image's: an otadata that names no slot, so the board boots ota_0. */
  blank: boolean
  /** SHA-256 of the part's bytes, lowercase hex. */
  sha256: string
}

/** Flash is erased a sector at a time before it is written: a part clears every sector it touches. */
export const FLASH_SECTOR_BYTES = 0x1000

const sha256Hex = (bytes: Uint8Array): string => new Bun.CryptoHasher('sha256').update(bytes).digest('hex')

/** The sectors a part clears: from its offset rounded down to the end rounded up. */
export const sectorsOf = (part: { offset: number; size: number }): { start: number; end: number } => ({
  start: Math.floor(part.offset / FLASH_SECTOR_BYTES) * FLASH_SECTOR_BYTES,
  end: Math.ceil((part.offset + part.size) / FLASH_SECTOR_BYTES) * FLASH_SECTOR_BYTES,
})

/**
 * The parts of a merged image, in flash order. Throws ImageError when its partition table has no app, or when a part
 * would clear a sector of nvs.
 */
export const installParts = (merged: Uint8Array): InstallPart[] => {
  const table = readPartitionTable(merged)
  const appAt = appOffsetInMerged(merged)
  const slice = (name: InstallPartName, offset: number, size: number): InstallPart => {
    if (offset + size > merged.length) throw new ImageError(`the ${name} at 0x${offset.toString(16)} runs past the image's ${merged.length} bytes`)
    return { name, offset, size, blank: false, sha256: sha256Hex(merged.subarray(offset, offset + size)) }
  }
  const otadata = table.find((p) => p.type === PARTITION_TYPE_DATA && p.subtype === SUBTYPE_OTADATA)
  const parts = [
    slice('bootloader', 0, PARTITION_TABLE_AT),
    slice('partition-table', PARTITION_TABLE_AT, PARTITION_TABLE_BYTES),
    ...(otadata === undefined ? [] : [{ name: 'otadata' as const, offset: otadata.offset, size: otadata.size, blank: true, sha256: sha256Hex(blankBytes(otadata.size)) }]),
    slice('app', appAt, appImageLength(merged.subarray(appAt))),
  ]
  for (const nvs of table.filter((p) => p.type === PARTITION_TYPE_DATA && p.subtype === SUBTYPE_NVS)) {
    for (const part of parts) {
      const { start, end } = sectorsOf(part)
      if (start < nvs.offset + nvs.size && nvs.offset < end) {
        throw new ImageError(`the ${part.name} at 0x${part.offset.toString(16)} would clear nvs at 0x${nvs.offset.toString(16)}, the board's Wi-Fi and pairing`)
      }
    }
  }
  return parts
}

/** The bytes of a blank part. */
export const blankBytes = (size: number): Uint8Array<ArrayBuffer> => new Uint8Array(size).fill(0xff)
