// Reads what the host needs from ESP-IDF image bytes: an app image's chip and its version (from the esp_app_desc_t the
// firmware carries), and where a merged image (bootloader, partition table, app) keeps its app (from its partition
// table). The bytes are the truth: nothing here assumes a version or an offset.

/** ESP image header: magic, segment count, SPI mode/size/speed, entry point, then the extended header. */
const IMAGE_MAGIC = 0xe9
const IMAGE_HEADER_BYTES = 24
const SEGMENT_HEADER_BYTES = 8
const CHIP_ID_AT = 12
/** The last byte of the extended header: 1 when a SHA-256 of the image follows its checksum. */
const HASH_APPENDED_AT = 23
const SHA256_BYTES = 32
/** esp_app_desc_t opens the first segment's data: magic, secure_version, two reserved words, then version[32]. */
const APP_DESC_MAGIC = 0xabcd5432
const APP_DESC_VERSION_AT = 16
const APP_DESC_PROJECT_AT = 48
const APP_DESC_TEXT_BYTES = 32

/** Where the bootloader puts the partition table on every ESP32 chip, and the shape of its entries. */
export const PARTITION_TABLE_AT = 0x8000
/** One entry of the table. */
export const PARTITION_ENTRY_BYTES = 32
/** The bytes the partition table takes at PARTITION_TABLE_AT, its MD5 entry and 0xFF padding included. */
export const PARTITION_TABLE_BYTES = 0xc00
const PARTITION_TYPE_APP = 0x00
const SUBTYPE_FACTORY = 0x00
const SUBTYPE_OTA_0 = 0x10

/** The esp_chip_id_t values of the extended image header, for the chips Sysboy builds. */
export const CHIP_IDS: Readonly<Record<string, number>> = { esp32: 0, esp32c3: 5, esp32c6: 13 }

export class ImageError extends Error {}

const view = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

const text = (bytes: Uint8Array, at: number): string => {
  const field = bytes.subarray(at, at + APP_DESC_TEXT_BYTES)
  const end = field.indexOf(0)
  return new TextDecoder().decode(end === -1 ? field : field.subarray(0, end))
}

export interface AppDescriptor {
  /** The esp_chip_id_t the image header names. */
  chipId: number
  version: string
  project: string
}

/** The chip and the app descriptor of an app image (the bytes an OTA slot holds); throws ImageError when it is none. */
export const readAppDescriptor = (image: Uint8Array): AppDescriptor => {
  if (image.length < IMAGE_HEADER_BYTES + SEGMENT_HEADER_BYTES + APP_DESC_PROJECT_AT + APP_DESC_TEXT_BYTES) {
    throw new ImageError(`${image.length} bytes is too short for an app image`)
  }
  if (image[0] !== IMAGE_MAGIC) throw new ImageError(`no ESP image header (first byte 0x${(image[0] ?? 0).toString(16)}, not 0xe9)`)
  const bytes = view(image)
  const descriptorAt = IMAGE_HEADER_BYTES + SEGMENT_HEADER_BYTES
  const magic = bytes.getUint32(descriptorAt, true)
  if (magic !== APP_DESC_MAGIC) {
    throw new ImageError(`no app descriptor in the first segment (magic 0x${magic.toString(16)}, not 0x${APP_DESC_MAGIC.toString(16)})`)
  }
  const version = text(image, descriptorAt + APP_DESC_VERSION_AT)
  if (version === '') throw new ImageError('the app descriptor has an empty version')
  return { chipId: bytes.getUint16(CHIP_ID_AT, true), version, project: text(image, descriptorAt + APP_DESC_PROJECT_AT) }
}

/** Where an app image's segments end: after the header, each segment's 8-byte header and its data. */
export const appSegmentsEnd = (image: Uint8Array): number => {
  if (image.length < IMAGE_HEADER_BYTES || image[0] !== IMAGE_MAGIC) throw new ImageError('no ESP image header')
  const bytes = view(image)
  let at = IMAGE_HEADER_BYTES
  for (let segment = 0; segment < (image[1] as number); segment++) {
    if (at + SEGMENT_HEADER_BYTES > image.length) throw new ImageError(`segment ${segment} starts beyond the image's ${image.length} bytes`)
    at += SEGMENT_HEADER_BYTES + bytes.getUint32(at + 4, true)
  }
  return at
}

/**
 * The bytes an app image takes: the header, each segment, the checksum padded to 16 bytes, and the SHA-256 when the
 * header says one is appended. What follows (a merged image's padding) is no part of it.
 */
export const appImageLength = (image: Uint8Array): number => {
  const checksummed = Math.ceil((appSegmentsEnd(image) + 1) / 16) * 16
  const length = checksummed + (image[HASH_APPENDED_AT] === 1 ? SHA256_BYTES : 0)
  if (length > image.length) throw new ImageError(`the image's segments need ${length} bytes; it has ${image.length}`)
  return length
}

/** One entry of an ESP partition table. */
export interface Partition {
  type: number
  subtype: number
  offset: number
  size: number
}

/** A partition table of data partitions: nvs (Wi-Fi, pairing) and otadata (which OTA slot boots). */
export const PARTITION_TYPE_DATA = 0x01
export const SUBTYPE_OTADATA = 0x00
export const SUBTYPE_NVS = 0x02

/** The entries of a merged image's partition table at 0x8000, up to its MD5 entry or first blank; empty when none. */
export const readPartitionTable = (merged: Uint8Array): Partition[] => {
  const partitions: Partition[] = []
  const bytes = view(merged)
  for (let at = PARTITION_TABLE_AT; at + PARTITION_ENTRY_BYTES <= Math.min(merged.length, PARTITION_TABLE_AT + PARTITION_TABLE_BYTES); at += PARTITION_ENTRY_BYTES) {
    if (merged[at] !== 0xaa || merged[at + 1] !== 0x50) break
    partitions.push({
      type: merged[at + 2] as number,
      subtype: merged[at + 3] as number,
      offset: bytes.getUint32(at + 4, true),
      size: bytes.getUint32(at + 8, true),
    })
  }
  return partitions
}

/**
 * Where a merged image's app starts: the factory partition of its partition table, else ota_0, else the first app
 * partition, as espflash places it (and as the bootloader boots with a blank otadata).
 */
export const appOffsetInMerged = (merged: Uint8Array): number => {
  const apps = readPartitionTable(merged).filter((p) => p.type === PARTITION_TYPE_APP)
  if (apps.length === 0) throw new ImageError(`no partition table with an app partition at 0x${PARTITION_TABLE_AT.toString(16)}`)
  const chosen = apps.find((p) => p.subtype === SUBTYPE_FACTORY) ?? apps.find((p) => p.subtype === SUBTYPE_OTA_0) ?? (apps[0] as Partition)
  if (chosen.offset >= merged.length) throw new ImageError(`the app partition at 0x${chosen.offset.toString(16)} lies beyond the image's ${merged.length} bytes`)
  return chosen.offset
}
