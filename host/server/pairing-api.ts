// The pairing routes: boards waiting for approval (list, approve, deny) and the boards' own credentials (list,
// revoke), relative to where the REST API mounts them (/api).
import type { Context } from 'hono'
import { Hono } from './hono.ts'
import { printable } from '../../schema/printable.ts'
import type { ApproveResult, DeviceGate } from './device-gate.ts'

const noRequest = (c: Context, device: string): Response =>
  c.json({ error: 'unknown_device', reason: `no board '${printable(device, 64)}' is waiting to pair; see GET /api/pairing` }, 404)

export const pairingApi = (gate: DeviceGate): Hono => {
  const api = new Hono()
  api.get('/pairing', (c) => c.json(gate.pairRequests()))
  api.post('/pairing/:device/approve', (c) => {
    const device = c.req.param('device')
    let approved: ApproveResult
    try {
      approved = gate.approve(device, Date.now())
    } catch (error) {
      return c.json({ error: 'internal', reason: printable((error as Error).message, 200) }, 500)
    }
    if (approved.ok) return c.json({ device, paired: true })
    if (approved.code === 'not_waiting') return noRequest(c, device)
    if (approved.code === 'already_paired') {
      // A second board under a paired id never takes the credential over silently: the user revokes it first.
      const id = printable(device, 64)
      const reason = `board '${id}' already holds its own credential; revoke it first (sysboy revoke ${id}, or DELETE /api/credentials/${id}) to pair it again`
      return c.json({ error: 'already_paired', reason }, 409)
    }
    return c.json({ error: 'credentials_full', reason: printable(approved.reason, 200) }, 409)
  })
  api.post('/pairing/:device/deny', (c) => {
    const device = c.req.param('device')
    return gate.deny(device) ? c.json({ device, denied: true }) : noRequest(c, device)
  })
  api.get('/credentials', (c) => c.json(gate.credentials()))
  api.delete('/credentials/:device', (c) => {
    const device = c.req.param('device')
    let revoked: boolean
    try {
      revoked = gate.revoke(device)
    } catch (error) {
      return c.json({ error: 'internal', reason: printable((error as Error).message, 200) }, 500)
    }
    if (!revoked) {
      return c.json({ error: 'unknown_device', reason: `board '${printable(device, 64)}' has no credential; see GET /api/credentials` }, 404)
    }
    return c.json({ device, revoked: true })
  })
  return api
}
