// The first hour in a real home, under a simulated radio as strict as esp-radio (firmware-rs/sim/src/radio.rs):
// the portal lists the scan on first boot and scans again on request; a join started from Chromium survives the
// phone being dropped when the access point follows the home network's channel, and the same page shows the
// result; after a power cut in which the router comes up late the board opens its fallback access point, then
// joins, turns the access point off (a mode change that drops the station) and rejoins, with no restart.
import { afterEach, describe, expect, it } from 'bun:test'
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { launchInNamespace } from './fixtures/portal/browser.ts'
import type { NamespacedBrowser } from './fixtures/portal/browser.ts'
import { HOME_PASSWORD, HOME_SSID, PORTAL_URL, PortalDesk, TOKEN, fixtures } from './fixtures/portal/desk.ts'

let desk: PortalDesk | undefined
let browser: NamespacedBrowser | undefined

afterEach(async () => {
  await browser?.close()
  await desk?.close()
  browser = undefined
  desk = undefined
})

const VRAM = 42.3
const near = (value: number, target: number): boolean => Math.abs(value - target) < 0.5

interface ScanEntry {
  ssid: string
  rssi: number
  security: string
}

describe('the first hour under a strict radio', () => {
  it('lists the scan on first boot, scans again from the page, and shows the join\'s result on the same page after the phone was dropped', async () => {
    desk = await PortalDesk.open(VRAM)
    // The scan list the radio hears is the test's own copy, so a neighbour can appear for the rescan.
    const scanList = join(desk.dir, 'scan-list.json')
    copyFileSync(join(fixtures, 'scan-list.json'), scanList)
    const device = await desk.startDevice(['--scan-list', scanList])
    const opened = await device.waitForEvent('access point', (e) => e.event === 'access_point', 10_000)
    expect(opened.detail).toMatchObject({ networks: 4 })
    desk.addPhoneAddress()
    desk.usePortalDns()
    browser = await launchInNamespace(desk.namespace.name)
    const page = await browser.browser.newPage()
    await page.goto(PORTAL_URL, { timeout: 20_000 })
    const heard = (JSON.parse(readFileSync(scanList, 'utf8')) as ScanEntry[]).sort((a, b) => b.rssi - a.rssi).map((n) => n.ssid)
    expect(await page.locator('button.network').allTextContents()).toEqual(heard)

    // A neighbour switches on; "Scan again" brings it into the list.
    const neighbour: ScanEntry = { ssid: 'Neighbour 5G', rssi: -40, security: 'wpa' }
    writeFileSync(scanList, JSON.stringify([...(JSON.parse(readFileSync(scanList, 'utf8')) as ScanEntry[]), neighbour]))
    await page.click('#rescan')
    // The page drawn while the scan runs reloads itself for the list once it is done.
    await page.waitForFunction(
      (ssid) => document.body.dataset.scanning === 'false' && [...document.querySelectorAll('button.network')].some((b) => b.textContent === ssid),
      neighbour.ssid,
      { timeout: 10_000 },
    )
    expect((await page.locator('button.network').allTextContents())[0]).toBe(neighbour.ssid)
    await device.waitForEvent('rescan', (e) => e.event === 'scanned' && e.detail?.networks === 5, 5_000)

    // The join: the home network is on channel 6, the access point on 1, so the join moves the access point and
    // drops the phone watching the page.
    await page.locator('button.network', { hasText: HOME_SSID }).click()
    await page.fill('#password', HOME_PASSWORD)
    await page.fill('#host', desk.hostAddress())
    await page.fill('#token', TOKEN)
    expect(await page.inputValue('#country')).toBe('01')
    await page.selectOption('#country', 'DE')
    const before = device.events.length
    await page.click('form[action="/join"] button[type=submit]')
    await page.waitForSelector('#progress[data-state=joining], #progress[data-state=joined]', { timeout: 10_000 })
    // From here the page must not navigate: a marker on the window survives only in the same document.
    await page.evaluate(() => Object.assign(window, { sameDocument: true }))
    const dropped = await device.waitForEvent('phone dropped', (e) => e.event === 'ap_clients_dropped', 10_000, before)
    expect(String(dropped.detail?.why)).toContain('channel 1 → 6')
    await page.waitForSelector('#progress[data-state=joined]', { timeout: 15_000 })
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true)
    expect(await page.textContent('#progress')).toContain(`Joined “${HOME_SSID}”`)
    expect(await page.isHidden('#lost')).toBe(true)
    // The result came after the drop, not before it.
    const joined = device.events.findIndex((e, i) => i >= before && e.event === 'joined')
    expect(joined).toBeGreaterThanOrEqual(0)

    // The board then restarts onto the home network, with the country chosen, and the needle follows the host.
    const restarted = await device.waitForEvent('restart', (e) => e.event === 'restarting', 15_000, before)
    const loaded = await device.waitForEvent('settings after the restart', (e) => e.event === 'settings_loaded', 10_000, device.events.indexOf(restarted))
    expect(loaded.detail).toMatchObject({ country: 'DE', token: true })
    await device.waitForStatus('needle on the host figure', (s) => s.meter === 'live' && near(s.needle, VRAM), 30_000)
  }, 120_000)

  it('after a power cut with a late router, opens the fallback access point, then joins, closes it and follows the host with no restart', async () => {
    desk = await PortalDesk.open(VRAM)
    // A board that was set up before: its flash holds the home network, the host and the token.
    let device = await desk.startDevice()
    await device.waitForEvent('access point', (e) => e.event === 'access_point', 10_000)
    desk.addPhoneAddress()
    expect(await desk.submit(HOME_PASSWORD)).toBe('303')
    await device.waitForEvent('restart', (e) => e.event === 'restarting', 15_000)
    await device.waitForStatus('live needle', (s) => s.meter === 'live' && near(s.needle, VRAM), 30_000)

    // The power comes back: the board boots faster than the router.
    desk.setReachable(false)
    device = await desk.startDevice()
    await device.waitForEvent('fallback access point', (e) => e.event === 'access_point', 20_000)
    const failures = device.events.filter((e) => e.event === 'join_failed')
    expect(failures.length).toBe(3)
    expect(failures.every((e) => e.detail?.reason === 'not_found')).toBe(true)

    // The router is up: the next retry joins; turning the access point off stops Wi-Fi, which drops the station,
    // and the board joins again instead of waiting for a link that will not come.
    const from = device.events.length
    desk.setReachable(true)
    await device.waitForEvent('access point off', (e) => e.event === 'access_point_off', 15_000, from)
    const stopped = await device.waitForEvent('mode change', (e) => e.event === 'radio_stopped', 5_000, from)
    expect(stopped.detail).toMatchObject({ station_dropped: true })
    await device.waitForStatus('live needle after the power cut', (s) => s.meter === 'live' && near(s.needle, VRAM), 30_000, device.statuses.length)
    const joins = device.events.slice(from).filter((e) => e.event === 'joined')
    expect(joins.length).toBe(2)
    expect(device.events.some((e) => e.event === 'restarting')).toBe(false)
    desk.host?.setVram(64)
    await device.waitForStatus('needle following the host', (s) => s.meter === 'live' && near(s.needle, 64), 10_000, device.statuses.length)
  }, 150_000)
})
