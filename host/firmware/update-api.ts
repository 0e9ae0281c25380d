// Updates over the air, as the REST API starts them: POST /devices/:id/update sends a board the offer of the newer
// app image the host carries for its chip; the board fetches it (firmware-routes.ts) and reports in its status.
import { Hono } from '../server/hono.ts'
import type { Hello, UpdateOffer } from '../../schema/index.ts'
import { printable } from '../../schema/printable.ts'
import type { Hub } from '../hub/hub.ts'
import { type FirmwareCatalog, type FirmwareImage, isFirmwareChip } from './catalog.ts'
import { appPath } from './firmware-routes.ts'
import { compareVersions } from './version.ts'

export type UpdateDecision =
  | { kind: 'offer'; offer: UpdateOffer }
  /** The host carries no image for the board's chip. */
  | { kind: 'none'; reason: string }
  /** The board runs that version or a newer one, or a version that cannot be compared. */
  | { kind: 'not_newer'; reason: string }

export const updateOffer = (image: FirmwareImage): UpdateOffer => ({
  type: 'update',
  version: image.version,
  chip: image.chip,
  size: image.size,
  sha256: image.sha256,
  path: appPath(image.chip),
})

/** Whether the host has a newer image for the board that said `hello`, and the offer if so. */
export const decideUpdate = (catalog: FirmwareCatalog, hello: Pick<Hello, 'chip' | 'firmware'>): UpdateDecision => {
  const image = isFirmwareChip(hello.chip) ? catalog.get(hello.chip) : undefined
  if (image === undefined) {
    const carried = [...catalog.keys()].join(', ') || 'none'
    return { kind: 'none', reason: `this host carries no firmware for ${hello.chip} boards (it carries: ${carried})` }
  }
  const order = compareVersions(image.version, hello.firmware)
  if (order === undefined) return { kind: 'not_newer', reason: `cannot compare the board's version '${printable(hello.firmware, 32)}' with ${image.version}` }
  if (order <= 0) return { kind: 'not_newer', reason: `the board runs ${printable(hello.firmware, 32)}; this host carries ${image.version} for ${image.chip}, which is not newer` }
  return { kind: 'offer', offer: updateOffer(image) }
}

/** What DeviceInfo.update says: the newer version the host carries for the board, or null. */
export const availableUpdate = (catalog: FirmwareCatalog, hello: Pick<Hello, 'chip' | 'firmware'>): { available: string } | null => {
  const decision = decideUpdate(catalog, hello)
  return decision.kind === 'offer' ? { available: decision.offer.version } : null
}

/** A state in which the board is busy with an update, so another offer is refused until it reports the end. */
const BUSY = new Set(['downloading', 'verifying', 'restarting'])

/** POST /devices/:id/update, relative to where the REST API mounts it. */
export const updateApi = (hub: Hub, catalog: FirmwareCatalog): Hono => {
  const api = new Hono()
  api.post('/:id/update', (c) => {
    const session = hub.get(c.req.param('id'))
    if (session === undefined) return c.json({ error: 'unknown_device', reason: `no connected device '${printable(c.req.param('id'), 64)}'` }, 404)
    const progress = session.lastStatus?.update
    if (progress !== undefined && BUSY.has(progress.state)) {
      return c.json({ error: 'update_in_progress', reason: `the board is ${progress.state} ${progress.version} (${progress.written} of ${progress.total} bytes)` }, 409)
    }
    const decision = decideUpdate(catalog, session.hello)
    switch (decision.kind) {
      case 'none':
        return c.json({ error: 'no_firmware', reason: decision.reason }, 400)
      case 'not_newer':
        return c.json({ error: 'not_newer', reason: decision.reason }, 409)
      case 'offer':
        session.sendControl(decision.offer)
        return c.json({ device: session.id, offered: decision.offer, reason: 'sent; the board reports its progress in lastStatus.update' }, 202)
    }
  })
  return api
}
