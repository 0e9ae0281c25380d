// The firmware the built host carries: ESP Web Tools' manifest naming each chip's install parts (bootloader, partition
// table, blank otadata, app) at their offsets and never nvs, the parts, merged and app images byte for byte as
// scripts/firmware-build.sh wrote them, the app image in exact ranges for a
// board with the install token or its own credential (and for nobody else), and updates over the air offered to a
// board only when the host has a newer image for its chip, from the REST API and from `sysboy update`.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HostMessage, UpdateOffer } from '../schema/index.ts'
import { ROOT, RunningSysboy, cleanEnv, runSysboy } from './cli-harness.ts'
import { DeviceClient, helloFrame } from './device-client.ts'
import { entry, expectedParts } from './fixtures/install-layout.ts'

const TOKEN = 'firmware-test-token-01'
const CHIPS = ['esp32c3', 'esp32c6'] as const
const FIRMWARE = join(ROOT, 'target', 'firmware')

/** What scripts/firmware-build.sh wrote: the merged image, and the app alone. */
const images = (chip: string): { merged: Uint8Array<ArrayBuffer>; app: Uint8Array<ArrayBuffer> } => ({
  merged: new Uint8Array(readFileSync(join(FIRMWARE, `sysboy-${chip}.bin`))),
  app: new Uint8Array(readFileSync(join(FIRMWARE, `sysboy-${chip}-app.bin`))),
})

/** The version in the app descriptor: first segment's data at 32, version[32] at +16, NUL-padded. */
const versionOf = (app: Uint8Array): string => new TextDecoder().decode(app.subarray(48, 80)).replace(/\0+$/, '')

const sha256 = (bytes: Uint8Array): string => new Bun.CryptoHasher('sha256').update(bytes).digest('hex')

let host: RunningSysboy
let port: number
let base: string
const boards: DeviceClient[] = []

const api = (method: string, path: string, token = TOKEN): Promise<Response> => fetch(`${base}${path}`, { method, headers: { Authorization: `Bearer ${token}` } })

const fetchApp = (chip: string, token: string | undefined, range?: string): Promise<Response> =>
  fetch(`${base}/firmware/${chip}/app.bin`, {
    headers: { ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }), ...(range === undefined ? {} : { Range: range }) },
  })

/** A board of `chip` running `firmware`, paired with the install token. */
const board = async (device: string, chip: string, firmware: string): Promise<DeviceClient> => {
  const client = new DeviceClient(`ws://127.0.0.1:${port}/ws`)
  boards.push(client)
  await client.opened
  client.send(JSON.stringify({ ...JSON.parse(helloFrame({ device, firmware, token: TOKEN })), chip }))
  await client.next((m) => m.type === 'welcome')
  return client
}

beforeAll(async () => {
  host = RunningSysboy.onLoopback('cpu', TOKEN)
  port = await host.port()
  base = `http://127.0.0.1:${port}`
})

afterAll(async () => {
  for (const client of boards) client.close()
  await host?.stop()
})

describe('the firmware the host carries (built host)', () => {
  it("lists both chips' install parts in ESP Web Tools' manifest, sliced by the partition table, with the images' version", async () => {
    const response = await fetch(`${base}/firmware/manifest.json`)
    expect(response.status).toBe(200)
    const manifest = (await response.json()) as { name: string; version: string; new_install_prompt_erase: boolean; builds: unknown[] }
    const versions = [...new Set(CHIPS.map((chip) => versionOf(images(chip).app)))]
    const parts = (chip: string): { path: string; offset: number }[] => {
      const { merged, app } = images(chip)
      return expectedParts(merged, app).map((part) => ({ path: `/firmware/${chip}/install/${part.name}.bin`, offset: part.offset }))
    }
    expect(manifest).toEqual({
      name: 'Sysboy',
      version: versions.join(', '),
      new_install_prompt_erase: true,
      builds: [
        { chipFamily: 'ESP32-C3', parts: parts('esp32c3') },
        { chipFamily: 'ESP32-C6', parts: parts('esp32c6') },
      ],
    })
  })

  it('serves each install part without a token, byte for byte, and none of them clears a sector of nvs', async () => {
    for (const chip of CHIPS) {
      const { merged, app } = images(chip)
      const nvs = entry(merged, 'nvs')
      for (const part of expectedParts(merged, app)) {
        const response = await fetch(`${base}/firmware/${chip}/install/${part.name}.bin`)
        expect(response.status).toBe(200)
        expect(response.headers.get('cache-control')).toBe('public, no-cache')
        expect(new Uint8Array(await response.arrayBuffer())).toEqual(part.bytes)
        // Flash is erased 4 KiB at a time before it is written: the sectors the part touches stay clear of nvs.
        const start = Math.floor(part.offset / 0x1000) * 0x1000
        const end = Math.ceil((part.offset + part.bytes.length) / 0x1000) * 0x1000
        expect(end <= nvs.offset || start >= nvs.offset + nvs.size).toBe(true)
      }
    }
    expect((await fetch(`${base}/firmware/esp32c3/install/nvs.bin`)).status).toBe(404)
    expect((await fetch(`${base}/firmware/sim/install/app.bin`)).status).toBe(404)
  })

  it('serves each merged image, without a token, byte for byte as the firmware build wrote it', async () => {
    for (const chip of CHIPS) {
      const response = await fetch(`${base}/firmware/${chip}/merged.bin`)
      expect(response.status).toBe(200)
      expect(response.headers.get('cache-control')).toBe('public, no-cache')
      expect(response.headers.get('content-type')).toBe('application/octet-stream')
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(images(chip).merged)
    }
    expect((await fetch(`${base}/firmware/sim/merged.bin`)).status).toBe(404)
  })

  it('serves each app image whole with the install token, byte for byte', async () => {
    for (const chip of CHIPS) {
      const response = await fetchApp(chip, TOKEN)
      expect(response.status).toBe(200)
      expect(response.headers.get('accept-ranges')).toBe('bytes')
      expect(response.headers.get('etag')).toBe(`"${sha256(images(chip).app)}"`)
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(images(chip).app)
    }
  })

  it('serves the exact slice each Range asks, as a board fetches it in chunks, 416 for a range beyond the image, and the whole for a Range it ignores', async () => {
    const { app } = images('esp32c3')
    const size = app.length
    const cases: [string, number, number][] = [
      ['bytes=0-4095', 0, 4095],
      ['bytes=4096-8191', 4096, 8191],
      [`bytes=${size - 100}-${size + 5000}`, size - 100, size - 1],
      [`bytes=${size - 10}-`, size - 10, size - 1],
      ['bytes=-32', size - 32, size - 1],
    ]
    for (const [range, start, end] of cases) {
      const response = await fetchApp('esp32c3', TOKEN, range)
      expect(response.status).toBe(206)
      expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/${size}`)
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(app.subarray(start, end + 1))
    }
    // Chunk by chunk, the board gets the whole image.
    const chunks: Uint8Array[] = []
    for (let start = 0; start < size; start += 256 * 1024) {
      chunks.push(new Uint8Array(await (await fetchApp('esp32c3', TOKEN, `bytes=${start}-${Math.min(size, start + 256 * 1024) - 1}`)).arrayBuffer()))
    }
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(app))
    for (const range of [`bytes=${size}-`, 'bytes=-0']) {
      const refused = await fetchApp('esp32c3', TOKEN, range)
      expect(refused.status).toBe(416)
      expect(refused.headers.get('content-range')).toBe(`bytes */${size}`)
    }
    // A Range this does not serve (malformed, backwards, several ranges, another unit) is ignored: the whole image.
    for (const range of ['bytes=500-100', 'bytes=0-1,5-9', 'bytes=x-y', 'items=0-9']) {
      const whole = await fetchApp('esp32c3', TOKEN, range)
      expect(whole.status).toBe(200)
      expect(whole.headers.get('content-range')).toBeNull()
      expect(sha256(new Uint8Array(await whole.arrayBuffer()))).toBe(sha256(app))
    }
  })

  it('refuses the app image without a token and with a wrong one', async () => {
    const none = await fetchApp('esp32c3', undefined)
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toContain('Bearer')
    expect((await fetchApp('esp32c3', 'not-the-token-at-all')).status).toBe(401)
    expect((await fetchApp('esp32c3', `${TOKEN}x`)).status).toBe(401)
  })

  it("serves it to a board with its own credential from pairing, and no longer once that is revoked", async () => {
    const client = new DeviceClient(`ws://127.0.0.1:${port}/ws`)
    boards.push(client)
    await client.opened
    client.send(JSON.stringify({ ...JSON.parse(helloFrame({ device: 'c3-approved', firmware: '0.0.1', token: undefined })), chip: 'esp32c3' }))
    await client.next((m) => m.type === 'pair_pending')
    expect((await api('POST', '/api/pairing/c3-approved/approve')).status).toBe(200)
    const credential = await client.credential()
    const range = await fetchApp('esp32c3', credential, 'bytes=0-1023')
    expect(range.status).toBe(206)
    expect(new Uint8Array(await range.arrayBuffer())).toEqual(images('esp32c3').app.subarray(0, 1024))
    expect((await api('DELETE', '/api/credentials/c3-approved')).status).toBe(200)
    expect((await fetchApp('esp32c3', credential, 'bytes=0-1023')).status).toBe(401)
  })
})

describe('updates over the air (built host)', () => {
  it('says in the device list which boards the host has newer firmware for', async () => {
    const { app } = images('esp32c3')
    await board('c3-list-old', 'esp32c3', '0.0.1')
    await board('c3-list-current', 'esp32c3', versionOf(app))
    await board('sim-list', 'sim', '0.0.1')
    const listed = (await (await api('GET', '/api/devices')).json()) as { id: string; update: unknown }[]
    const update = (id: string): unknown => listed.find((d) => d.id === id)?.update
    expect(update('c3-list-old')).toEqual({ available: versionOf(app) })
    expect(update('c3-list-current')).toBeNull()
    expect(update('sim-list')).toBeNull()
  })

  it("sends a board of an older version the offer of its chip's app image, with the image's size and SHA-256", async () => {
    const { app } = images('esp32c6')
    const client = await board('c6-old', 'esp32c6', '0.0.1')
    const response = await api('POST', '/api/devices/c6-old/update')
    expect(response.status).toBe(202)
    const expected: UpdateOffer = { type: 'update', version: versionOf(app), chip: 'esp32c6', size: app.length, sha256: sha256(app), path: '/firmware/esp32c6/app.bin' }
    expect(((await response.json()) as { offered: unknown }).offered).toEqual(expected)
    const offer = await client.next((m: HostMessage) => m.type === 'update')
    expect(offer).toEqual(expected)
    // The path it names, on the host and port the board is connected to, gives that image.
    const fetched = new Uint8Array(await (await fetchApp('esp32c6', TOKEN)).arrayBuffer())
    expect(fetched.length).toBe(expected.size)
    expect(sha256(fetched)).toBe(expected.sha256)
  })

  it('refuses with 409 a board that runs that version or a newer one, and with 400 a board whose chip it has no image for', async () => {
    const { app } = images('esp32c3')
    const current = await board('c3-current', 'esp32c3', versionOf(app))
    const newer = await board('c3-newer', 'esp32c3', '999.0.0')
    const sim = await board('sim-board', 'sim', '0.0.1')
    for (const id of ['c3-current', 'c3-newer']) {
      const response = await api('POST', `/api/devices/${id}/update`)
      expect(response.status).toBe(409)
      expect(await response.json()).toEqual({ error: 'not_newer', reason: expect.stringContaining('which is not newer') })
    }
    const none = await api('POST', '/api/devices/sim-board/update')
    expect(none.status).toBe(400)
    expect(await none.json()).toEqual({ error: 'no_firmware', reason: 'this host carries no firmware for sim boards (it carries: esp32c3, esp32c6)' })
    expect((await api('POST', '/api/devices/nobody/update')).status).toBe(404)
    for (const client of [current, newer, sim]) expect((await client.sentUntilAnswered()).some((m) => m.type === 'update')).toBe(false)
  })

  it("shows the board's progress, and refuses a second offer while it downloads", async () => {
    const client = await board('c3-busy', 'esp32c3', '0.0.1')
    const progress = { state: 'downloading', version: '9.9.9', written: 4096, total: 8192 }
    client.send(JSON.stringify({ type: 'status', link: 'wifi', heap_free: 50_000, uptime_ms: 1_000, update: progress }))
    let listed: { id: string; lastStatus: { update?: unknown } | null }[] = []
    for (let i = 0; i < 50 && listed.find((d) => d.id === 'c3-busy')?.lastStatus?.update === undefined; i++) {
      await Bun.sleep(50)
      listed = (await (await api('GET', '/api/devices')).json()) as typeof listed
    }
    expect(listed.find((d) => d.id === 'c3-busy')?.lastStatus?.update).toEqual(progress)
    const refused = await api('POST', '/api/devices/c3-busy/update')
    expect(refused.status).toBe(409)
    expect(((await refused.json()) as { error: string }).error).toBe('update_in_progress')
  })

  it('starts one from the command line, and sysboy devices shows what is available and under way', async () => {
    await board('c3-cli', 'esp32c3', '0.0.1')
    const flags = ['--port', String(port), '--bind', '127.0.0.1', '--token', TOKEN]
    const offered = await runSysboy(['update', 'c3-cli', ...flags], cleanEnv())
    expect(offered.stderr).toBe('')
    expect(offered.code).toBe(0)
    expect(offered.stdout).toContain(`c3-cli: offered firmware ${versionOf(images('esp32c3').app)} (${images('esp32c3').app.length} bytes)`)
    const current = await runSysboy(['update', 'c3-current', ...flags], cleanEnv())
    expect(current.code).toBe(0)
    expect(current.stdout).toContain('c3-current: the board runs')
    const sim = await runSysboy(['update', 'sim-board', ...flags], cleanEnv())
    expect(sim.code).toBe(2)
    expect(sim.stderr).toBe('sysboy: this host carries no firmware for sim boards (it carries: esp32c3, esp32c6)\n')
    const devices = await runSysboy(['devices', ...flags], cleanEnv())
    expect(devices.code).toBe(0)
    const lines = devices.stdout.split('\n')
    expect(lines[0]).toContain('update')
    expect(lines.find((l) => l.startsWith('c3-cli '))).toContain(`${versionOf(images('esp32c3').app)} available`)
    expect(lines.find((l) => l.startsWith('c3-busy '))).toContain('downloading 9.9.9 50%')
  })
})
