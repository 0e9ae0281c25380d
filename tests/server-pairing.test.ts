// Pairing over /ws: the token in hello or as a Bearer header, refusals with their codes, and rate-limited guessing.
import { afterEach, describe, expect, it } from 'bun:test'
import type { TestServer } from './server-harness.ts'
import { DeviceClient, TOKEN, helloFrame, startTestServer } from './server-harness.ts'

let running: TestServer | undefined
afterEach(async () => {
  await running?.stop()
  running = undefined
})

const refusedWith = async (client: DeviceClient): Promise<{ code: string; close: number }> => {
  const closed = await client.closed
  const error = client.received.find((m) => m.type === 'error')
  return { code: error?.type === 'error' ? error.code : 'none', close: closed.code }
}

/** A WebSocket upgrade request as a board sends it, answered over plain HTTP when the host refuses it. */
const upgrade = (server: TestServer, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(server.server.url.replace(/\/?$/, '/ws'), {
    headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
  })

describe('pairing', () => {
  it('welcomes a device with the right token in its hello and sends the seed-shaped vram frame', async () => {
    running = await startTestServer()
    running.set('vram', 60.5)
    const device = await DeviceClient.paired(running.ws)
    const welcome = device.received.find((m) => m.type === 'welcome')
    expect(welcome).toMatchObject({ type: 'welcome', protocol: 1, host: 'test-pc', version: '0.1.0-test' })
    if (welcome?.type !== 'welcome') throw new Error('no welcome')
    expect(welcome.config.bindings).toEqual([{ output: 'meter', metric: 'vram' }])
    expect(welcome.config.interval_ms).toBe(50)
    expect(welcome.config.stale_after_ms).toBeGreaterThanOrEqual(500)
    // The sampler's first read may predate the file write; the next ones carry the new figure.
    const frame = await device.next((m) => m.type === 'vram' && m.value === 60.5)
    expect(frame).toMatchObject({ type: 'vram', value: 60.5, source: 'file', used: 605, total: 1000 })
    device.close()
  })

  it('accepts the token as Authorization: Bearer on the upgrade', async () => {
    running = await startTestServer()
    const device = new DeviceClient(running.ws, { Authorization: `Bearer ${TOKEN}` })
    await device.opened
    device.send(helloFrame({ token: undefined }))
    await device.next((m) => m.type === 'welcome')
    expect(running.server.devices().map((d) => d.id)).toEqual(['dev-1'])
    device.close()
  })

  it('answers a hello without any token with pair_pending and keeps the socket open, pairing nothing yet', async () => {
    running = await startTestServer()
    const device = await DeviceClient.asking(running.ws)
    expect(device.received).toEqual([{ type: 'pair_pending', reason: expect.stringContaining('sysboy pair dev-1') }])
    expect(device.socket.readyState).toBe(WebSocket.OPEN)
    expect(running.server.devices()).toEqual([])
    device.close()
  })

  it('refuses a wrong token in hello (unauthorized, close 1008) and a wrong Bearer header at the upgrade (401)', async () => {
    running = await startTestServer()
    const inHello = new DeviceClient(running.ws)
    await inHello.opened
    inHello.send(helloFrame({ token: 'wrong-token-xyz' }))
    expect(await refusedWith(inHello)).toEqual({ code: 'unauthorized', close: 1008 })
    const inHeader = await upgrade(running, { Authorization: 'Bearer wrong-token-xyz' })
    expect(inHeader.status).toBe(401)
    expect(inHeader.headers.get('www-authenticate')).toContain('Bearer')
    expect(await inHeader.json()).toMatchObject({ error: 'unauthorized' })
    expect(running.server.devices()).toEqual([])
  })

  it('refuses another protocol version with unsupported_version and close 1002', async () => {
    running = await startTestServer()
    const device = new DeviceClient(running.ws)
    await device.opened
    device.send(helloFrame({ protocol: 2 }))
    expect(await refusedWith(device)).toEqual({ code: 'unsupported_version', close: 1002 })
  })

  it('closes a socket whose first frame is not hello, and one that never says hello', async () => {
    running = await startTestServer({}, { helloTimeoutMs: 300 })
    const early = new DeviceClient(running.ws)
    await early.opened
    early.send(JSON.stringify({ type: 'identify', id: 1 }))
    expect(await refusedWith(early)).toEqual({ code: 'bad_frame', close: 1008 })
    const silent = new DeviceClient(running.ws)
    await silent.opened
    expect(await refusedWith(silent)).toEqual({ code: 'bad_frame', close: 1008 })
    expect(silent.received[0]).toMatchObject({ reason: 'no hello within 300 ms' })
  })

  it('rate-limits token guessing per address, then lets the address in again once its bucket refills', async () => {
    running = await startTestServer({}, { guessLimits: { burst: 5, refillMs: 1_500, maxAddresses: 100 } })
    const watcher = await DeviceClient.paired(running.ws, { device: 'already-paired' })
    for (let i = 0; i < 5; i++) {
      const guess = new DeviceClient(running.ws)
      await guess.opened
      guess.send(helloFrame({ token: `guess-number-${i}` }))
      expect(await refusedWith(guess)).toEqual({ code: 'unauthorized', close: 1008 })
    }
    const limited = await upgrade(running)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    // Pairing guesses and API guesses are limited apart: the right API token still works from this address.
    const api = await fetch(`${running.server.url}/api/devices`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    expect(api.status).toBe(200)
    // The device that paired before the guessing is not disturbed.
    await watcher.freshMetric('vram')
    // A bucket refills: after a pause the right token works again from the same address.
    await Bun.sleep(400)
    let paired: DeviceClient | undefined
    for (let attempt = 0; attempt < 20 && paired === undefined; attempt++) {
      try {
        paired = await DeviceClient.paired(running.ws, { device: 'patient' })
      } catch {
        await Bun.sleep(200)
      }
    }
    expect(paired).toBeDefined()
    await paired?.freshMetric('vram')
    paired?.close()
    watcher.close()
  })

  it('never locks a paired device out for wrong API tokens from its address, and still limits the API guesses', async () => {
    running = await startTestServer({}, { guessLimits: { burst: 5, refillMs: 60_000, maxAddresses: 100 } })
    const api = (token: string): Promise<Response> => fetch(`${running!.server.url}/api/devices`, { headers: { Authorization: `Bearer ${token}` } })
    for (let i = 0; i < 5; i++) expect((await api(`wrong-api-token-${i}`)).status).toBe(401)
    const limited = await api('wrong-api-token-5')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    // The right token on the API waits out the bucket too: that limit is the API's.
    expect((await api(TOKEN)).status).toBe(429)
    // A device from the same address pairs at once, with the token in its hello or as a Bearer header on the upgrade.
    const inHello = await DeviceClient.paired(running.ws, { device: 'paired-in-hello' })
    const inHeader = new DeviceClient(running.ws, { Authorization: `Bearer ${TOKEN}` })
    await inHeader.opened
    inHeader.send(helloFrame({ device: 'paired-in-header', token: undefined }))
    await inHeader.next((m) => m.type === 'welcome')
    expect(running.server.devices().map((d) => d.id).sort()).toEqual(['paired-in-header', 'paired-in-hello'])
    await inHello.freshMetric('vram')
    inHello.close()
    inHeader.close()
  })
})
