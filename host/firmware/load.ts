// The firmware this host carries, from the images embedded at build time and the facts the build read of them (the
// SYSBOY_FIRMWARE define). Run from source, the facts are read from generated/ at start; before any build, there
// are no images and the catalog is empty.
import { buildDefine } from '../build-define.ts'
import { FIRMWARE_CHIPS, type FirmwareCatalog, type FirmwareFacts, firmwareCatalog, firmwareFacts } from './catalog.ts'

// The build (host/build-config.ts) defines this identifier as the facts of the images host/build.ts embeds; from
// source it is not declared.
declare const SYSBOY_FIRMWARE: FirmwareFacts[]

const nonEmpty = async (path: string): Promise<Uint8Array | undefined> => {
  const bytes = await Bun.file(path).bytes()
  return bytes.length === 0 ? undefined : bytes
}

/** Read once per process: every server started in it (the tests start many) shares the catalog. */
let loaded: Promise<FirmwareCatalog> | undefined

export const loadEmbeddedFirmware = (): Promise<FirmwareCatalog> => {
  loaded ??= load()
  return loaded
}

const load = async (): Promise<FirmwareCatalog> => {
  let files: (typeof import('./embedded.ts'))['EMBEDDED_FILES']
  try {
    files = (await import('./embedded.ts')).EMBEDDED_FILES
  } catch {
    return new Map()
  }
  let facts = buildDefine<FirmwareFacts[] | undefined>(() => SYSBOY_FIRMWARE, undefined)
  if (facts === undefined) {
    facts = []
    for (const chip of FIRMWARE_CHIPS) {
      const merged = await nonEmpty(files[chip].merged)
      const app = await nonEmpty(files[chip].app)
      if (merged !== undefined || app !== undefined) facts.push(firmwareFacts(chip, { ...(merged === undefined ? {} : { merged }), ...(app === undefined ? {} : { app }) }))
    }
  }
  return firmwareCatalog(facts.map((f) => ({ facts: f, merged: Bun.file(files[f.chip].merged), app: Bun.file(files[f.chip].app) })))
}
