// Build time: reads each chip's images from target/firmware/ (scripts/firmware-build.sh) or the folder --firmware
// names, checks them, and copies them under generated/, where host/firmware/embedded.ts imports them for
// `bun build --compile` to embed. Gives back what it read of them, which the build bakes in beside them.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { isAbsolute, join, relative } from 'node:path'
import { FIRMWARE_CHIPS, type FirmwareFacts, firmwareFacts } from './catalog.ts'
import { ImageError } from './app-image.ts'

const ROOT = join(import.meta.dir, '..', '..')

/** Where scripts/firmware-build.sh leaves the images. */
export const FIRMWARE_DIR = join(ROOT, 'target', 'firmware')
/** Where embedded.ts imports them from (git-ignored). */
export const GENERATED_DIR = join(import.meta.dir, 'generated')

/** The file names in both folders: the merged image (flashed at 0) and the app image alone (an OTA slot's). */
export const mergedFile = (chip: string): string => `sysboy-${chip}.bin`
export const appFile = (chip: string): string => `sysboy-${chip}-app.bin`

const read = (path: string): Uint8Array | undefined => (existsSync(path) ? new Uint8Array(readFileSync(path)) : undefined)

/**
 * Copies the images in `dir` to generated/ (or `into`) and gives back their facts. The default folder must hold the merged image
 * of every chip; a folder named with --firmware may hold fewer (an app alone, for an update test), but one at least.
 * Throws an Error whose message says what to do.
 */
export const prepareFirmware = (dir: string = FIRMWARE_DIR, named = false, into: string = GENERATED_DIR): FirmwareFacts[] => {
  const inside = relative(process.cwd(), dir)
  const shown = inside === '' ? '.' : inside.startsWith('..') || isAbsolute(inside) ? dir : inside
  const facts: FirmwareFacts[] = []
  // Written only once every image is read and checked, so a failed build leaves the last good ones in place.
  const files = new Map<string, Uint8Array>()
  for (const chip of FIRMWARE_CHIPS) {
    const merged = read(join(dir, mergedFile(chip)))
    const app = read(join(dir, appFile(chip)))
    let chipFacts: FirmwareFacts | undefined
    if (merged === undefined && !named) {
      throw new Error(
        `no firmware image for ${chip} in ${shown} (${mergedFile(chip)}): build the images first with sh scripts/firmware-build.sh, or name another folder with --firmware DIR`,
      )
    }
    if (merged !== undefined || app !== undefined) {
      try {
        chipFacts = firmwareFacts(chip, { ...(merged === undefined ? {} : { merged }), ...(app === undefined ? {} : { app }) })
      } catch (error) {
        if (!(error instanceof ImageError)) throw error
        throw new Error(`${join(shown, merged === undefined ? appFile(chip) : mergedFile(chip))}: ${error.message}; rebuild it with sh scripts/firmware-build.sh`)
      }
      facts.push(chipFacts)
    }
    // Every file embedded.ts imports exists; an image the host does not carry, or an app kept inside the merged image,
    // is an empty file.
    files.set(mergedFile(chip), merged ?? new Uint8Array())
    files.set(appFile(chip), chipFacts?.appInMergedAt === null ? (app as Uint8Array) : new Uint8Array())
  }
  if (facts.length === 0) {
    throw new Error(`no firmware images in ${shown} (${FIRMWARE_CHIPS.map(mergedFile).join(', ')} or ${FIRMWARE_CHIPS.map(appFile).join(', ')}): build them with sh scripts/firmware-build.sh`)
  }
  rmSync(into, { recursive: true, force: true })
  mkdirSync(into, { recursive: true })
  for (const [name, bytes] of files) writeFileSync(join(into, name), bytes)
  return facts
}
