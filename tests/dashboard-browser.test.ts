// The embedded dashboard in headless Chromium, against the built host on loopback and scripted devices: figures in
// human units pushed (not polled), device cards with their status in words and a needle from the board's own meter
// logic, an identified board flashing, strings shown as text, settings confirmed or not, a held output said as held,
// a firmware update offered, started and followed, a stale figure shown unknown, a dropped stream said and recovered,
// and a wrong token said plainly.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'
import { RunningSysboy, cleanEnv, freePort } from './cli-harness.ts'
import { DeviceClient, helloFrame } from './device-client.ts'
import type { HelloFields } from './device-client.ts'
import { buildFakeNvml } from './fixtures/nvml/build.ts'

const GIB = 1024 ** 3
const TOKEN = 'dashboard-token-0123456789'

let host: RunningSysboy
let port: number
let library: string
let browser: Browser
let shots: string
const devices: DeviceClient[] = []

const startHost = async (): Promise<void> => {
  host = new RunningSysboy(
    ['--metric', 'vram', '--bind', '127.0.0.1', '--port', String(port), '--token', TOKEN, '--no-mdns'],
    cleanEnv({ SYSBOY_NVML_LIB: library }),
  )
  await host.port()
}

const device = async (id: string, fields: { firmware?: string } = {}): Promise<DeviceClient> => {
  const client = await DeviceClient.paired(`ws://127.0.0.1:${port}/ws`, { device: id, token: TOKEN, ...fields })
  devices.push(client)
  return client
}

/** A board of a chip the host carries firmware for (the DeviceClient's own hello says chip 'sim'). */
const esp32c3 = async (fields: HelloFields): Promise<DeviceClient> => {
  const client = new DeviceClient(`ws://127.0.0.1:${port}/ws`)
  devices.push(client)
  await client.opened
  client.send(JSON.stringify({ ...JSON.parse(helloFrame({ token: TOKEN, ...fields })), chip: 'esp32c3' }))
  await client.next((m) => m.type === 'welcome')
  return client
}

/** A status line as a board sends it, with `fields` over the plain facts. */
const status = (fields: Record<string, unknown>): string =>
  JSON.stringify({ type: 'status', link: 'wifi', rssi: -60, heap_free: 120_000, uptime_ms: 10_000, light: 'live', ...fields })

/** A page on the dashboard with the token in the address, as the link sysboy prints. */
const openDashboard = async (width = 1280, token = TOKEN): Promise<Page> => {
  const page = await browser.newPage({ viewport: { width, height: 900 } })
  await page.goto(`http://127.0.0.1:${port}/#token=${token}`)
  return page
}

beforeAll(async () => {
  library = await buildFakeNvml({ FAKE_NVML_TOTAL: String(16 * GIB), FAKE_NVML_USED: String(6 * GIB) })
  port = await freePort()
  await startHost()
  shots = mkdtempSync(join(tmpdir(), 'sysboy-dashboard-shots-'))
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    chromiumSandbox: false,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
})

afterAll(async () => {
  for (const client of devices) client.close()
  await browser?.close()
  await host?.stop()
  rmSync(shots, { recursive: true, force: true })
})

describe('the dashboard', () => {
  it('shows the figure in human units with its source and a sparkline, pushed by the host rather than polled', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const asked: string[] = []
    page.on('request', (request) => asked.push(new URL(request.url()).pathname))
    await page.goto(`http://127.0.0.1:${port}/#token=${TOKEN}`)
    const vram = page.locator('.figure[data-metric="vram"]')
    // The headline is the figure in its own unit; the percent of the needle's scale comes second.
    await vram.locator('.value', { hasText: '6.0 GiB of 16.0 GiB' }).waitFor({ timeout: 10_000 })
    expect(await vram.locator('.scale').innerText()).toBe('37.5 % used')
    expect(await vram.locator('.source').innerText()).toBe('from nvml')
    // uPlot drew the sparkline into a canvas of the card's width.
    expect(await vram.locator('.sparkline canvas').count()).toBeGreaterThan(0)
    // The token left the address bar once read.
    expect(page.url()).toBe(`http://127.0.0.1:${port}/`)
    await page.waitForTimeout(3_000)
    // Over seconds of live figures the page asked the API twice: the one stream that brings everything, and the
    // history that seeds the sparklines.
    expect(asked.filter((path) => path.startsWith('/api/')).sort()).toEqual(['/api/events', '/api/metrics/history'])
    expect(await page.locator('#state').innerText()).toMatch(/^Live · 0 devices connected · /)
    await page.close()
  }, 30_000)

  it('shows each device as a card with its status in words, and flashes the one that asked to be identified', async () => {
    const desk = await device('desk-meter', { firmware: '<b>fw</b><script>x()</script>' })
    desk.send(
      JSON.stringify({
        type: 'status', link: 'wifi', rssi: -61, heap_free: 142_000, uptime_ms: 65_000, host: '<b>pc</b>', ip: '10.0.0.7',
        reset_reason: 'power_on', missing: ['mcp4725'], light: 'live',
      }),
    )
    const shelf = await device('shelf-meter')
    shelf.send(JSON.stringify({ type: 'identify', id: 1 }))
    const page = await openDashboard()
    await page.waitForFunction(() => document.querySelectorAll('#devices article.device').length === 2, undefined, { timeout: 10_000 })
    const card = page.locator('article.device[data-device="desk-meter"]')
    await card.locator('.light', { hasText: 'live' }).waitFor({ timeout: 10_000 })
    const fact = async (name: string): Promise<string> => card.locator('.facts div', { has: page.locator('dt', { hasText: new RegExp(`^${name}$`) }) }).locator('dd').innerText()
    expect(await fact('Link')).toBe('wifi')
    expect(await fact('Signal')).toBe('-61 dBm')
    expect(await card.getByRole('img', { name: '3 of 4 bars' }).count()).toBe(1)
    expect(await fact('Up')).toBe('1 min 5 s')
    expect(await fact('Last reset')).toBe('power on')
    expect(await fact('Address')).toBe('10.0.0.7')
    expect(await fact('Heap free')).toBe('139 KiB')
    expect(await fact('Missing parts')).toBe('mcp4725')
    // Strings from the board arrive with markup and must show as those characters, not as elements.
    expect(await fact('Host')).toBe('<b>pc</b>')
    expect(await fact('Firmware')).toBe('<b>fw</b><script>x()</script>')
    expect(await card.locator('b, script').count()).toBe(0)
    // The meter output has a virtual meter, moved by the board's meter logic to the figure it is sent.
    const meter = card.getByRole('meter', { name: "meter 'meter' showing vram" })
    await page.waitForFunction(() => Math.abs(Number(document.querySelector('[data-device="desk-meter"] svg[role=meter]')?.getAttribute('data-percent')) - 37.5) < 0.5, undefined, { timeout: 10_000 })
    expect(await meter.getAttribute('data-state')).toBe('live')
    const identified = page.locator('article.device.identified')
    expect(await identified.count()).toBe(1)
    expect(await identified.locator('h3').innerText()).toBe('shelf-meter')
    expect(await page.locator('#state').innerText()).toMatch(/^Live · 2 devices connected · /)
    await page.screenshot({ path: join(shots, 'devices-1280.png'), fullPage: true })
    await page.close()
  }, 30_000)

  it('applies a new metric for a meter, and says whether the device confirmed it', async () => {
    const confirming = await device('confirming-meter')
    const page = await openDashboard()
    const card = page.locator('article.device[data-device="confirming-meter"]')
    await card.locator('summary', { hasText: 'Settings' }).click()
    await card.getByLabel('Metric on meter meter').selectOption('ram')
    const from = confirming.received.length
    await card.getByRole('button', { name: 'Apply' }).click()
    const config = await confirming.next((m) => m.type === 'config', 5_000, from)
    if (config.type !== 'config') throw new Error('not a config')
    expect(config.bindings).toEqual([{ output: 'meter', metric: 'ram' }])
    expect(typeof config.id).toBe('number')
    // The scripted device confirms each config with its id, as the firmware does.
    await card.locator('.outcome', { hasText: 'Applied: the device confirmed it.' }).waitFor({ timeout: 10_000 })
    // The card follows the device's new config, pushed by the host.
    await card.getByRole('meter', { name: "meter 'meter' showing ram" }).waitFor({ timeout: 10_000 })

    // A device that never answers: the host sends the config and says it was not confirmed.
    const silent = await device('silent-meter')
    silent.confirmConfigs = false
    const quiet = page.locator('article.device[data-device="silent-meter"]')
    await quiet.locator('summary', { hasText: 'Settings' }).click()
    await quiet.getByLabel('Needle settles in (ms, 50–5000)').fill('900')
    await quiet.getByRole('button', { name: 'Apply' }).click()
    const sent = await silent.next((m) => m.type === 'config', 5_000)
    if (sent.type !== 'config') throw new Error('not a config')
    expect(sent.ballistics?.settle_ms).toBe(900)
    await quiet.locator('.outcome', { hasText: /\S/ }).waitFor({ timeout: 20_000 })
    expect(await quiet.locator('.outcome').innerText()).toMatch(/^Sent, not confirmed by the device: sent; the device did not confirm it in time/)

    // A device that refuses: its reason is shown, said to be the device's.
    const refusing = await device('refusing-meter')
    refusing.confirmConfigs = false
    const stubborn = page.locator('article.device[data-device="refusing-meter"]')
    await stubborn.locator('summary', { hasText: 'Settings' }).click()
    await stubborn.getByLabel('Update interval (ms)').fill('500')
    await stubborn.getByRole('button', { name: 'Apply' }).click()
    const refused = await refusing.next((m) => m.type === 'config', 5_000)
    if (refused.type !== 'config') throw new Error('not a config')
    expect(refused.interval_ms).toBe(500)
    refusing.send(JSON.stringify({ type: 'error', code: 'bad_config', reason: 'this board cannot <b>update</b> that fast', id: refused.id }))
    refusing.send(JSON.stringify({ type: 'configured', id: refused.id, ok: false }))
    await stubborn.locator('.outcome', { hasText: /\S/ }).waitFor({ timeout: 10_000 })
    expect(await stubborn.locator('.outcome').innerText()).toBe('The device refused it: this board cannot <b>update</b> that fast')
    expect(await stubborn.locator('.outcome b').count()).toBe(0)
    await page.close()
  }, 40_000)

  it('says a held output is held at its code, with the needle where that code puts it, and live again once let go', async () => {
    const board = await device('held-meter')
    const page = await openDashboard()
    const meter = page.locator('article.device[data-device="held-meter"] svg[role=meter][data-output="meter"]')
    const words = page.locator('article.device[data-device="held-meter"] .meter-words')
    await page.waitForFunction(() => document.querySelector('[data-device="held-meter"] svg[role=meter]')?.getAttribute('data-state') === 'live', undefined, { timeout: 10_000 })
    // Held at code 600 of a curve that puts 50 % at 200 and 100 % at 1000: the needle stands at 75 %.
    const curve = [{ output: 'meter', points: [{ percent: 0, code: 0 }, { percent: 50, code: 200 }, { percent: 100, code: 1000 }] }]
    board.send(status({ calibration: curve, held: [{ output: 'meter', code: 600 }] }))
    await words.filter({ hasText: 'held at code 600' }).waitFor({ timeout: 10_000 })
    expect(await meter.getAttribute('data-state')).toBe('held')
    expect(await meter.getAttribute('data-code')).toBe('600')
    expect(Number(await meter.getAttribute('data-percent'))).toBeCloseTo(75, 1)
    expect(await meter.getAttribute('aria-valuetext')).toBe('held at code 600, 75.0 %')
    // A status that does not name the holds leaves them as they were: the board sends them again when they change.
    board.send(status({}))
    await page.waitForTimeout(500)
    expect(await words.innerText()).toBe('held at code 600')
    board.send(status({ held: [] }))
    await page.waitForFunction(() => document.querySelector('[data-device="held-meter"] svg[role=meter]')?.getAttribute('data-state') === 'live', undefined, { timeout: 10_000 })
    await page.waitForFunction(() => Math.abs(Number(document.querySelector('[data-device="held-meter"] svg[role=meter]')?.getAttribute('data-percent')) - 37.5) < 0.5, undefined, { timeout: 10_000 })
    // The words follow the needle within a tenth of a second.
    await words.filter({ hasText: /^37\.5 % · live · code \d+$/ }).waitFor({ timeout: 5_000 })
    await page.close()
  }, 30_000)

  it('offers the newer firmware the host carries, asks first, sends the board the host\'s image, and follows its progress', async () => {
    const old = await esp32c3({ device: 'old-c3', firmware: '0.0.1' })
    const page = await openDashboard()
    const card = page.locator('article.device[data-device="old-c3"]')
    const start = card.getByRole('button', { name: /^Update to / })
    await start.waitFor({ timeout: 10_000 })
    const version = (await start.innerText()).replace(/^Update to /, '')
    expect(version).toMatch(/^\d+\.\d+\.\d+/)
    // Nothing is sent until the user confirms.
    await start.click()
    const confirm = card.getByRole('button', { name: `Install ${version}` })
    expect(await confirm.evaluate((button) => button === document.activeElement)).toBe(true)
    await card.getByRole('button', { name: 'Cancel' }).click()
    await page.waitForTimeout(300)
    expect(old.received.some((m) => m.type === 'update')).toBe(false)
    await start.click()
    await confirm.click()
    const offer = await old.next((m) => m.type === 'update', 5_000)
    if (offer.type !== 'update') throw new Error('not an update')
    // The offer is the image the host serves a board: its path, size and SHA-256.
    const served = await fetch(`http://127.0.0.1:${port}${offer.path}`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    expect(served.status).toBe(200)
    const image = new Uint8Array(await served.arrayBuffer())
    expect(offer).toEqual({
      type: 'update',
      version,
      chip: 'esp32c3',
      size: image.length,
      sha256: new Bun.CryptoHasher('sha256').update(image).digest('hex'),
      path: '/firmware/esp32c3/app.bin',
    })
    await card.locator('.outcome', { hasText: `Sent ${version} to the board` }).waitFor({ timeout: 5_000 })

    // The board's progress: a labelled bar with the percent and the state in words; no second update meanwhile.
    old.send(status({ light: 'updating', update: { state: 'downloading', version, written: Math.ceil(image.length * 0.45), total: image.length } }))
    const bar = card.getByRole('progressbar', { name: `Downloading ${version}: 45 %` })
    await bar.waitFor({ timeout: 10_000 })
    expect(await bar.getAttribute('value')).toBe('45')
    expect(await start.isDisabled()).toBe(true)
    old.send(status({ light: 'updating', update: { state: 'verifying', version, written: image.length, total: image.length } }))
    await card.locator('.update-words', { hasText: `Checking the downloaded ${version}` }).waitFor({ timeout: 10_000 })
    expect(await card.getByRole('progressbar').getAttribute('value')).toBe('100')

    // Back on the old image: the board's reason, and the update may be tried again.
    old.send(status({ update: { state: 'rolled_back', version, written: image.length, total: image.length, reason: 'the new image never reached the <b>host</b>' } }))
    const said = card.locator('.update-words', { hasText: 'went back to its previous firmware' })
    await said.waitFor({ timeout: 10_000 })
    expect(await said.innerText()).toBe(`${version} did not start, so the board went back to its previous firmware: the new image never reached the <b>host</b>`)
    expect(await card.getByRole('progressbar').count()).toBe(0)
    expect(await start.isEnabled()).toBe(true)

    // A board that runs the version the host carries is not offered it.
    await esp32c3({ device: 'current-c3', firmware: version })
    const current = page.locator('article.device[data-device="current-c3"]')
    await current.waitFor({ timeout: 10_000 })
    await page.waitForTimeout(500)
    expect(await current.getByRole('button', { name: /^Update to / }).count()).toBe(0)
    expect(await current.locator('.update').count()).toBe(0)
    await page.screenshot({ path: join(shots, 'update-1280.png'), fullPage: true })
    await page.close()
  }, 40_000)

  it('links to the install page in its header', async () => {
    const page = await openDashboard()
    const link = page.locator('header.top').getByRole('link', { name: 'Install on a board' })
    expect(await link.getAttribute('href')).toBe('/install')
    await link.click()
    await page.waitForURL(`http://127.0.0.1:${port}/install`, { timeout: 10_000 })
    await page.close()
  }, 20_000)

  it('shows a metric nobody samples any more as unknown, stale, not its last reading', async () => {
    const client = await device('ram-once')
    client.send(JSON.stringify({ type: 'select_metric', id: 1, output: 'meter', metric: 'disk' }))
    await client.next((m) => m.type === 'disk' && typeof m.value === 'number', 5_000)
    const page = await openDashboard()
    const figure = page.locator('.figure[data-metric="disk"]')
    await page.locator('.figure[data-metric="disk"]:not(.unknown) .scale', { hasText: '%' }).waitFor({ timeout: 10_000 })
    client.close()
    // Stale three intervals (3 s at the default 1 s) after the last reading.
    await figure.locator('.value', { hasText: 'unknown' }).waitFor({ timeout: 10_000 })
    expect(await figure.getAttribute('class')).toContain('unknown')
    expect(await figure.locator('.reason').innerText()).toMatch(/stale: the newest reading is \d+\.\d s old, over the 3\.0 s bound/)
    await page.close()
  }, 30_000)

  it('says the stream dropped, reconnects by itself, and is live again when the host is back', async () => {
    const page = await openDashboard(390)
    await page.locator('#state', { hasText: /^Live/ }).waitFor({ timeout: 10_000 })
    await page.screenshot({ path: join(shots, 'figures-390.png'), fullPage: true })
    await host.stop()
    await page.locator('#state', { hasText: /^Reconnecting to the host/ }).waitFor({ timeout: 10_000 })
    expect(await page.locator('.figure').count()).toBe(0)
    await startHost()
    await page.locator('#state', { hasText: /^Live/ }).waitFor({ timeout: 20_000 })
    await page.locator('.figure[data-metric="vram"] .value', { hasText: '6.0 GiB of 16.0 GiB' }).waitFor({ timeout: 10_000 })
    // Reloading keeps the token for this tab.
    await page.reload()
    await page.locator('#state', { hasText: /^Live/ }).waitFor({ timeout: 10_000 })
    await page.close()
  }, 60_000)

  it('says a wrong token is wrong, and shows nothing', async () => {
    const page = await openDashboard(1280, 'not-the-token-000')
    await page.locator('#state', { hasText: /^Cannot read/ }).waitFor({ timeout: 10_000 })
    expect(await page.locator('#state').innerText()).toBe('Cannot read the host: the pairing token is wrong')
    expect(await page.locator('#devices article').count()).toBe(0)
    expect(await page.locator('.figure').count()).toBe(0)
    // The right token typed into the form gets through.
    await page.getByLabel('Pairing token').fill(TOKEN)
    await page.getByRole('button', { name: 'Connect' }).click()
    await page.locator('#state', { hasText: /^Live/ }).waitFor({ timeout: 10_000 })
    await page.close()
  }, 30_000)
})
