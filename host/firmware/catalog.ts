// The firmware the host carries: per chip, the app image a board fetches to update itself over the air (its
// version, SHA-256 and size), and the merged image (bootloader, partition table, app) the install page flashes at 0.
import type { Chip } from '../../schema/index.ts'
import { CHIP_IDS, ImageError, appImageLength, appOffsetInMerged, readAppDescriptor } from './app-image.ts'
import { type InstallPart, blankBytes, installParts } from './install-parts.ts'

export const FIRMWARE_CHIPS = ['esp32c3', 'esp32c6'] as const
export type FirmwareChip = (typeof FIRMWARE_CHIPS)[number]

/** ESP Web Tools' name for each chip (its manifest's chipFamily). */
export const CHIP_FAMILY: Readonly<Record<FirmwareChip, 'ESP32-C3' | 'ESP32-C6'>> = { esp32c3: 'ESP32-C3', esp32c6: 'ESP32-C6' }

export const isFirmwareChip = (chip: Chip | string): chip is FirmwareChip => (FIRMWARE_CHIPS as readonly string[]).includes(chip)

/** What the build reads from a chip's images and bakes into the executable beside them. */
export interface FirmwareFacts {
  chip: FirmwareChip
  /** The app descriptor's version. */
  version: string
  /** Bytes of the app image. */
  size: number
  /** SHA-256 of the whole app image, lowercase hex. */
  sha256: string
  /** Where the app image lies in the merged image when it is kept only there; null when it is kept apart. */
  appInMergedAt: number | null
  /**
   * The merged image, for flashing at offset 0, and the parts the install page flashes instead (install-parts.ts);
   * null when the host carries only the app.
   */
  merged: { size: number; sha256: string; parts: InstallPart[] } | null
}

/** A chip's images as the server serves them: the facts, and the bytes (read from the executable when sent). */
export interface FirmwareImage extends Omit<FirmwareFacts, 'merged' | 'appInMergedAt'> {
  bytes: Blob
  merged: { size: number; sha256: string; bytes: Blob; parts: (InstallPart & { bytes: Blob })[] } | null
}

export type FirmwareCatalog = ReadonlyMap<FirmwareChip, FirmwareImage>

export const sha256Hex = (bytes: Uint8Array): string => new Bun.CryptoHasher('sha256').update(bytes).digest('hex')

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b)

/**
 * Reads a chip's images: the merged one, the app alone, or both (then the app must be the merged image's app). Throws
 * ImageError, with what is wrong, for an image that is not for `chip` or that has no readable version.
 */
export const firmwareFacts = (chip: FirmwareChip, images: { merged?: Uint8Array; app?: Uint8Array }): FirmwareFacts => {
  const { merged } = images
  let app = images.app
  let appInMergedAt: number | null = null
  if (merged !== undefined) {
    const at = appOffsetInMerged(merged)
    const inMerged = merged.subarray(at, at + appImageLength(merged.subarray(at)))
    if (app !== undefined && !same(app, inMerged)) {
      throw new ImageError(`the app image is not the one in the merged image at 0x${at.toString(16)}; build both from the same ELF`)
    }
    app = inMerged
    appInMergedAt = at
  }
  if (app === undefined) throw new ImageError('no image')
  const descriptor = readAppDescriptor(app)
  if (descriptor.chipId !== CHIP_IDS[chip]) {
    const named = Object.entries(CHIP_IDS).find(([, id]) => id === descriptor.chipId)?.[0] ?? `chip id ${descriptor.chipId}`
    throw new ImageError(`it is an image for ${named}, not ${chip}`)
  }
  return {
    chip,
    version: descriptor.version,
    size: app.length,
    sha256: sha256Hex(app),
    appInMergedAt,
    merged: merged === undefined ? null : { size: merged.length, sha256: sha256Hex(merged), parts: installParts(merged) },
  }
}

/** The catalog over the facts and the files that hold the images (the app kept apart, or inside the merged one). */
export const firmwareCatalog = (entries: readonly { facts: FirmwareFacts; merged: Blob; app: Blob }[]): FirmwareCatalog => {
  const catalog = new Map<FirmwareChip, FirmwareImage>()
  for (const { facts, merged, app } of entries) {
    const { appInMergedAt, ...rest } = facts
    catalog.set(facts.chip, {
      ...rest,
      bytes: appInMergedAt === null ? app : merged.slice(appInMergedAt, appInMergedAt + facts.size),
      merged:
        facts.merged === null
          ? null
          : {
              ...facts.merged,
              bytes: merged,
              parts: facts.merged.parts.map((part) => ({ ...part, bytes: part.blank ? new Blob([blankBytes(part.size)]) : merged.slice(part.offset, part.offset + part.size) })),
            },
    })
  }
  return catalog
}
