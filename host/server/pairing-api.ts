// The pairing routes: boards waiting for approval (list, approve, deny) and the boards' own credentials (list,
// revoke), relative to where the REST API mounts them (/api).
import type { Context } from 'hono'
import { Hono } from 'hono'
import { printable } from '../../schema/printable.ts'
import type { DeviceGate } from './device-gate.ts'

const noRequest = (c: Context, device: string): Response =>
  c.json({ error: 'unknown_device', reason: `no board '${printable(device, 64)}' is waiting to pair; see GET /api/pairing` }, 404)

export const pairingApi = (gate: DeviceGate): Hono => {
  const api = new Hono()
  api.get('/pairing', (c) => c.json(gate.pairRequests()))
  api.post('/pairing/:device/approve', (c) => {
    const device = c.req.param('device')
    let approved: boolean
    try {
      approved = gate.approve(device, Date.now())
    } catch (error) {
      return c.json({ error: 'internal', reason: printable((error as Error).message, 200) }, 500)
    }
    return approved ? c.json({ device, paired: true }) : noRequest(c, device)
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
