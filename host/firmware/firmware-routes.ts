// The firmware routes, mounted at /firmware: ESP Web Tools' manifest, each chip's install parts and its merged image
// (public: nothing secret is in them), and each chip's app image for a board updating itself (its token or
// credential, fetched in ranges).
import type { Context, MiddlewareHandler } from 'hono'
import { Hono } from '../server/hono.ts'
import { printable } from '../../schema/printable.ts'
import { byteRange } from './byte-range.ts'
import { CHIP_FAMILY, type FirmwareCatalog, type FirmwareImage, isFirmwareChip } from './catalog.ts'
import { INSTALL_PART_NAMES, type InstallPartName } from './install-parts.ts'

/** Where a board fetches a chip's app image; the update offer names it. */
export const appPath = (chip: string): string => `/firmware/${chip}/app.bin`
export const mergedPath = (chip: string): string => `/firmware/${chip}/merged.bin`
/** Where the install page fetches one part of a chip's firmware (install-parts.ts). */
export const installPartPath = (chip: string, part: InstallPartName): string => `/firmware/${chip}/install/${part}.bin`

/** ESP Web Tools' manifest (esp-web-tools/dist/const.d.ts `Manifest`). */
export interface InstallManifest {
  name: string
  version: string
  new_install_prompt_erase: boolean
  builds: { chipFamily: (typeof CHIP_FAMILY)[keyof typeof CHIP_FAMILY]; parts: { path: string; offset: number }[] }[]
}

/** The manifest of every chip the host has a merged image of, listing its parts; undefined when it has none. */
export const installManifest = (catalog: FirmwareCatalog): InstallManifest | undefined => {
  const images = [...catalog.values()].filter((image) => image.merged !== null)
  if (images.length === 0) return undefined
  return {
    name: 'Sysboy',
    version: [...new Set(images.map((image) => image.version))].join(', '),
    // ESP Web Tools asks whether to erase first. Erasing clears a board's saved Wi-Fi and its credential; not erasing
    // keeps them, since it writes only the sectors of the parts, and none of them reaches nvs.
    new_install_prompt_erase: true,
    builds: images.map((image) => ({
      chipFamily: CHIP_FAMILY[image.chip],
      parts: (image.merged?.parts ?? []).map((part) => ({ path: installPartPath(image.chip, part.name), offset: part.offset })),
    })),
  }
}

const OCTETS = 'application/octet-stream'

const noImage = (c: Context, what: string): Response => {
  const chip = c.req.param('chip') ?? ''
  const reason = isFirmwareChip(chip) ? `this host carries no ${what} for ${chip}` : `no firmware for chip '${printable(chip, 32)}'; chips: esp32c3, esp32c6`
  return c.json({ error: 'no_firmware', reason }, 404)
}

/** A whole image or the slice the Range header asks, with what a client needs to resume or check it. */
const sendImage = (c: Context, bytes: Blob, sha256: string, cacheControl: string, filename: string): Response => {
  const size = bytes.size
  const headers: Record<string, string> = {
    'Content-Type': OCTETS,
    'Content-Disposition': `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    'Accept-Ranges': 'bytes',
    'Cache-Control': cacheControl,
    ETag: `"${sha256}"`,
  }
  if (c.req.header('if-none-match') === `"${sha256}"` && c.req.header('range') === undefined) return new Response(null, { status: 304, headers })
  const range = byteRange(c.req.header('range'), size)
  switch (range.kind) {
    case 'whole':
      return new Response(bytes, { status: 200, headers })
    case 'slice':
      return new Response(bytes.slice(range.start, range.end + 1), { status: 206, headers: { ...headers, 'Content-Range': `bytes ${range.start}-${range.end}/${size}` } })
    case 'unsatisfiable':
      return c.json({ error: 'bad_range', reason: `ask one range of bytes=START-END within the ${size} bytes` }, 416, { ...headers, 'Content-Type': 'application/json', 'Content-Range': `bytes */${size}` })
  }
}

export interface FirmwareRoutesOptions {
  catalog: FirmwareCatalog
  /** Checks the board's token or credential (board-auth.ts) before an app image is sent. */
  boardAuth: MiddlewareHandler
}

export const firmwareRoutes = ({ catalog, boardAuth }: FirmwareRoutesOptions): Hono => {
  const routes = new Hono()
  const image = (c: Context): FirmwareImage | undefined => {
    const chip = c.req.param('chip') ?? ''
    return isFirmwareChip(chip) ? catalog.get(chip) : undefined
  }
  routes.get('/manifest.json', (c) => {
    const manifest = installManifest(catalog)
    c.header('Cache-Control', 'no-cache')
    if (manifest === undefined) return c.json({ error: 'no_firmware', reason: 'this sysboy was built without firmware images' }, 404)
    return c.json(manifest)
  })
  // Checked again on every use: a newer sysboy at the same address carries other images.
  routes.get('/:chip/merged.bin', (c) => {
    const found = image(c)
    if (found?.merged === undefined || found.merged === null) return noImage(c, 'merged image')
    return sendImage(c, found.merged.bytes, found.merged.sha256, 'public, no-cache', `sysboy-${found.chip}-${found.version}.bin`)
  })
  routes.get('/:chip/install/:file', (c) => {
    const found = image(c)
    const file = c.req.param('file')
    const part = found?.merged?.parts.find((p) => `${p.name}.bin` === file)
    if (found === undefined || part === undefined) return noImage(c, `install part '${printable(file, 32)}' (parts: ${INSTALL_PART_NAMES.join(', ')})`)
    return sendImage(c, part.bytes, part.sha256, 'public, no-cache', `sysboy-${found.chip}-${part.name}-${found.version}.bin`)
  })
  routes.get('/:chip/app.bin', boardAuth, (c) => {
    const app = image(c)
    if (app === undefined) return noImage(c, 'app image')
    return sendImage(c, app.bytes, app.sha256, 'private, no-store', `sysboy-${app.chip}-app-${app.version}.bin`)
  })
  return routes
}
