// The embedded dashboard in headless Chromium, against the built host on loopback: live figures, devices with
// their status, an identified device flashing, strings shown as text, and a wrong token said plainly.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'
import { RunningSysboy, cleanEnv, freePort } from './cli-harness.ts'
import { DeviceClient } from './device-client.ts'
import { buildFakeNvml } from './fixtures/nvml/build.ts'

const GIB = 1024 ** 3
const TOKEN = 'dashboard-token-0123456789'

let host: RunningSysboy
let port: number
let browser: Browser
let profile: string
const devices: DeviceClient[] = []

const device = async (id: string, after: (device: DeviceClient) => void): Promise<void> => {
  const client = await DeviceClient.paired(`ws://127.0.0.1:${port}/ws`, { device: id, token: TOKEN })
  after(client)
  devices.push(client)
}

beforeAll(async () => {
  const library = await buildFakeNvml({ FAKE_NVML_TOTAL: String(16 * GIB), FAKE_NVML_USED: String(6 * GIB) })
  port = await freePort()
  host = new RunningSysboy(
    ['--metric', 'vram', '--bind', '127.0.0.1', '--port', String(port), '--token', TOKEN, '--no-mdns'],
    cleanEnv({ SYSBOY_NVML_LIB: library }),
  )
  await host.port()
  profile = mkdtempSync(join(tmpdir(), 'sysboy-dashboard-'))
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
  rmSync(profile, { recursive: true, force: true })
})

describe('the dashboard', () => {
  it('shows the live figure and each device with its status, and flashes the one that asked to be identified', async () => {
    await device('desk-meter', (client) => {
      const status = {
        type: 'status', link: 'wifi', rssi: -61, heap_free: 142_000, uptime_ms: 65_000, host: '<b>pc</b>', ip: '10.0.0.7',
        reset_reason: 'power_on', missing: ['mcp4725'],
      }
      client.send(JSON.stringify(status))
    })
    await device('shelf-meter', (client) => client.send(JSON.stringify({ type: 'identify', id: 1 })))
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${port}/#token=${TOKEN}`)
    await page.waitForFunction(() => document.querySelectorAll('#devices tr').length === 2, undefined, { timeout: 10_000 })
    const figure = await page.locator('#figures tr', { hasText: 'vram' }).innerText()
    expect(figure).toContain('37.5 %')
    expect(figure).toContain('nvml')
    const desk = await page.locator('#devices tr', { hasText: 'desk-meter' }).innerText()
    // The host field arrives as '<b>pc</b>' and must show as those characters, not as bold markup.
    expect(desk).toContain('wifi · -61 dBm · heap 139 KiB free · up 65 s · 10.0.0.7 · host <b>pc</b> · last reset: power on · missing: mcp4725')
    expect(await page.locator('#devices b').count()).toBe(0)
    expect(desk).toContain('meter: vram')
    expect(await page.locator('#devices tr.identified').innerText()).toContain('shelf-meter')
    expect(await page.locator('#devices tr.identified').count()).toBe(1)
    expect(await page.locator('#state').innerText()).toMatch(/^Live · 2 devices connected/)
    await page.close()
  }, 30_000)

  it('shows a metric nobody samples any more as unknown, stale, not its last reading', async () => {
    const client = await DeviceClient.paired(`ws://127.0.0.1:${port}/ws`, { device: 'ram-once', token: TOKEN })
    client.send(JSON.stringify({ type: 'select_metric', id: 1, output: 'meter', metric: 'ram' }))
    await client.next((m) => m.type === 'ram' && typeof m.value === 'number', 5_000)
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${port}/#token=${TOKEN}`)
    const ram = page.locator('#figures tr').filter({ has: page.locator('td:first-child', { hasText: /^ram$/ }) })
    await ram.locator('td.value:not(.unknown)').waitFor({ timeout: 10_000 })
    client.close()
    // Stale three intervals (3 s at the default 1 s) after the last reading; the page polls every second.
    await ram.locator('td.unknown').waitFor({ timeout: 10_000 })
    const row = await ram.innerText()
    expect(row).toContain('unknown')
    expect(row).toMatch(/stale: the newest reading is \d+\.\d s old, over the 3\.0 s bound/)
    await page.close()
  }, 30_000)

  it('says a wrong token is wrong, and shows nothing', async () => {
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${port}/#token=not-the-token-000`)
    await page.waitForFunction(() => document.getElementById('state')?.textContent?.startsWith('Cannot read'), undefined, { timeout: 10_000 })
    expect(await page.locator('#state').innerText()).toBe('Cannot read the host: the pairing token is wrong')
    expect(await page.locator('#devices tr').count()).toBe(0)
    await page.close()
  }, 30_000)
})
