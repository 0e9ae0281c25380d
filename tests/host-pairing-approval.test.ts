// Pairing by approval against the built host: a board without a token waits, is listed, is approved through the REST
// API (paired, then the welcome and frames on the same socket), comes back with its own credential, and is shut out
// at once when that credential is revoked; the install token keeps working throughout.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MAX_CREDENTIALS } from '../schema/constants.ts'
import { RunningSysboy, cleanEnv } from './cli-harness.ts'
import { DeviceClient, helloFrame } from './device-client.ts'

const TOKEN = 'pairing-approval-token'
let host: RunningSysboy
let env: Record<string, string>
let base: string
let ws: string

const api = (method: string, path: string, token = TOKEN): Promise<Response> =>
  fetch(`${base}${path}`, { method, headers: { Authorization: `Bearer ${token}` } })

const refusal = async (client: DeviceClient): Promise<{ code: string; reason: string; close: number }> => {
  const closed = await client.closed
  const error = client.received.findLast((m) => m.type === 'error')
  return { code: error?.type === 'error' ? error.code : 'none', reason: error?.type === 'error' ? error.reason : '', close: closed.code }
}

beforeAll(async () => {
  env = cleanEnv()
  host = new RunningSysboy(['--metric', 'ram', '--interval', '100', '--bind', '127.0.0.1', '--port', '0', '--no-mdns', '--token', TOKEN], env)
  const port = await host.port()
  base = `http://127.0.0.1:${port}`
  ws = `ws://127.0.0.1:${port}/ws`
})
afterAll(async () => {
  await host.stop()
})

describe('pairing by approval (built host)', () => {
  it('keeps a tokenless board waiting, lists it, and on approval sends paired, the welcome and frames on the same socket', async () => {
    const board = await DeviceClient.asking(ws, { device: 'desk-board-1', firmware: '0.2.0' })
    const pending = board.received[0]
    expect(pending).toMatchObject({ type: 'pair_pending', reason: expect.stringContaining('sysboy pair desk-board-1') })
    const listed = (await (await api('GET', '/api/pairing')).json()) as Array<Record<string, string>>
    expect(listed).toEqual([{ device: 'desk-board-1', chip: 'sim', firmware: '0.2.0', address: '127.0.0.1', since: expect.any(String) }])
    expect((await (await api('GET', '/api/devices')).json()) as unknown[]).toEqual([])
    // Approving takes the API token: nobody on the LAN approves themselves.
    expect((await api('POST', '/api/pairing/desk-board-1/approve', 'not-the-token-1')).status).toBe(401)

    const approved = await api('POST', '/api/pairing/desk-board-1/approve')
    expect(approved.status).toBe(200)
    expect(await approved.json()).toEqual({ device: 'desk-board-1', paired: true })
    const credential = await board.credential()
    expect(credential).toMatch(/^[A-Za-z0-9_-]{43}$/)
    await board.next((m) => m.type === 'welcome')
    expect(board.received.map((m) => m.type).slice(0, 3)).toEqual(['pair_pending', 'paired', 'welcome'])
    await board.freshMetric('ram')
    expect((await (await api('GET', '/api/pairing')).json()) as unknown[]).toEqual([])
    expect((await (await api('GET', '/api/credentials')).json()) as unknown[]).toEqual([{ device: 'desk-board-1', issued: expect.any(String) }])
    expect((await api('POST', '/api/pairing/desk-board-1/approve')).status).toBe(404)

    // Beside the config, owner-only, and never the credential itself.
    const file = join(env.XDG_CONFIG_HOME as string, 'sysboy', 'credentials.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const stored = readFileSync(file, 'utf8')
    expect(stored).toContain('desk-board-1')
    expect(stored).not.toContain(credential)

    board.close()
    await board.closed
    const back = await DeviceClient.paired(ws, { device: 'desk-board-1', token: credential })
    await back.freshMetric('ram')

    // Revoked: its live session closes at once, and its next hello with that credential is refused.
    const revoked = await api('DELETE', '/api/credentials/desk-board-1')
    expect(revoked.status).toBe(200)
    expect(await revoked.json()).toEqual({ device: 'desk-board-1', revoked: true })
    expect(await refusal(back)).toEqual({ code: 'unauthorized', reason: "this board's credential was revoked", close: 1008 })
    expect((await api('DELETE', '/api/credentials/desk-board-1')).status).toBe(404)
    const again = new DeviceClient(ws)
    await again.opened
    again.send(helloFrame({ device: 'desk-board-1', token: credential }))
    expect(await refusal(again)).toMatchObject({ code: 'unauthorized', close: 1008 })

    // The install-wide token works as before.
    const withToken = await DeviceClient.paired(ws, { device: 'desk-board-1', token: TOKEN })
    await withToken.freshMetric('ram')
    withToken.close()
  }, 30_000)

  it('closes a denied board with unauthorized, and answers 404 for a board that is not waiting', async () => {
    const board = await DeviceClient.asking(ws, { device: 'desk-board-2' })
    const denied = await api('POST', '/api/pairing/desk-board-2/deny')
    expect(denied.status).toBe(200)
    expect(await refusal(board)).toMatchObject({ code: 'unauthorized', reason: expect.stringContaining('denied'), close: 1008 })
    expect((await api('POST', '/api/pairing/desk-board-2/deny')).status).toBe(404)
    const unknown = await api('POST', '/api/pairing/nobody/approve')
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ error: 'unknown_device', reason: expect.stringContaining("'nobody'") })
  }, 30_000)

  it('refuses a second address asking under a waiting id (the first keeps waiting and gets the approval), and a paired id until revoked', async () => {
    // A host on both loopbacks: the board comes over IPv4, the impostor over IPv6, so the host sees two addresses.
    const dual = new RunningSysboy(['--metric', 'ram', '--interval', '100', '--bind', '::', '--port', '0', '--no-mdns', '--token', TOKEN], cleanEnv())
    try {
      const port = await dual.port()
      const rest = (method: string, path: string): Promise<Response> =>
        fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { Authorization: `Bearer ${TOKEN}` } })
      const board = await DeviceClient.asking(`ws://127.0.0.1:${port}/ws`, { device: 'taken-board' })
      const impostor = new DeviceClient(`ws://[::1]:${port}/ws`)
      await impostor.opened
      impostor.send(helloFrame({ device: 'taken-board', token: undefined }))
      expect(await refusal(impostor)).toMatchObject({ code: 'unauthorized', reason: expect.stringContaining('already waiting to pair from another address'), close: 1008 })
      const listed = (await (await rest('GET', '/api/pairing')).json()) as Array<Record<string, string>>
      expect(listed).toEqual([expect.objectContaining({ device: 'taken-board', address: expect.not.stringContaining('::1') })])
      expect((await rest('POST', '/api/pairing/taken-board/approve')).status).toBe(200)
      await board.next((m) => m.type === 'welcome')
      expect(board.received.map((m) => m.type).slice(0, 3)).toEqual(['pair_pending', 'paired', 'welcome'])

      // Another board under the paired id waits, but is not approved over the credential until it is revoked.
      const again = await DeviceClient.asking(`ws://127.0.0.1:${port}/ws`, { device: 'taken-board' })
      const conflict = await rest('POST', '/api/pairing/taken-board/approve')
      expect(conflict.status).toBe(409)
      expect(await conflict.json()).toEqual({
        error: 'already_paired',
        reason: "board 'taken-board' already holds its own credential; revoke it first (sysboy revoke taken-board, or DELETE /api/credentials/taken-board) to pair it again",
      })
      expect((await rest('DELETE', '/api/credentials/taken-board')).status).toBe(200)
      expect((await rest('POST', '/api/pairing/taken-board/approve')).status).toBe(200)
      await again.next((m) => m.type === 'welcome')
      again.close()
    } finally {
      await dual.stop()
    }
  }, 30_000)

  it('refuses to approve a board with 409 credentials_full while the credentials file holds the most it may, and keeps it waiting', async () => {
    const fullEnv = cleanEnv()
    const dir = join(fullEnv.XDG_CONFIG_HOME as string, 'sysboy')
    mkdirSync(dir, { recursive: true })
    const credentials = Array.from({ length: MAX_CREDENTIALS }, (_, i) => ({ device: `board-${i}`, sha256: 'A'.repeat(43), issued: new Date(0).toISOString() }))
    writeFileSync(join(dir, 'credentials.json'), JSON.stringify({ credentials }), { mode: 0o600 })
    const full = new RunningSysboy(['--metric', 'ram', '--bind', '127.0.0.1', '--port', '0', '--no-mdns', '--token', TOKEN], fullEnv)
    try {
      const port = await full.port()
      const board = await DeviceClient.asking(`ws://127.0.0.1:${port}/ws`, { device: 'one-too-many' })
      const refused = await fetch(`http://127.0.0.1:${port}/api/pairing/one-too-many/approve`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } })
      expect(refused.status).toBe(409)
      expect(await refused.json()).toEqual({
        error: 'credentials_full',
        reason: `${MAX_CREDENTIALS} boards are paired already, the most the credentials file holds; revoke one first`,
      })
      const waiting = (await (await fetch(`http://127.0.0.1:${port}/api/pairing`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as Array<{ device: string }>
      expect(waiting.map((r) => r.device)).toEqual(['one-too-many'])
      board.close()
    } finally {
      await full.stop()
    }
  }, 30_000)

  it('forgets a request whose board went away, and limits new requests per address (3), refusing with rate_limited', async () => {
    const gone = await DeviceClient.asking(ws, { device: 'desk-board-3' })
    gone.close()
    const deadline = Date.now() + 5_000
    while (((await (await api('GET', '/api/pairing')).json()) as unknown[]).length > 0) {
      if (Date.now() > deadline) throw new Error('the request of a closed board is still listed')
      await Bun.sleep(20)
    }
    // desk-board-1 approved, -2 and -3 asked: this address has used its three new requests this minute.
    const fourth = new DeviceClient(ws)
    await fourth.opened
    fourth.send(helloFrame({ device: 'desk-board-4', token: undefined }))
    expect(await refusal(fourth)).toMatchObject({ code: 'rate_limited', reason: expect.stringContaining('too many pairing requests from this address'), close: 1008 })
    // A wrong token is still a guess, counted apart: the pairing allowance does not lock out the install token.
    const paired = await DeviceClient.paired(ws, { device: 'desk-board-5', token: TOKEN })
    paired.close()
  }, 30_000)
})
