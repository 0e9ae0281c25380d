// First boot as a user meets it: a phone (the kernel side of the access point's TAP) takes a DHCP lease from
// the simulated device with busybox udhcpc, resolves any name to the portal with dig, and headless Chromium
// follows Android's captive-portal probe to the page, sees the networks, gets a wrong password refused with
// the reason, then joins with the right one; the device restarts on the home network, finds the real host,
// and the needle follows the host's VRAM figure.
import { afterEach, describe, expect, it } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launchInNamespace } from './fixtures/portal/browser.ts'
import type { NamespacedBrowser } from './fixtures/portal/browser.ts'
import { AP_ADDRESS, AP_TAP, EVIL_SSID, HOME_PASSWORD, HOME_SSID, PORTAL_URL, PortalDesk, TOKEN, fixtures } from './fixtures/portal/desk.ts'

const root = join(import.meta.dir, '..')
let desk: PortalDesk | undefined
let browser: NamespacedBrowser | undefined

afterEach(async () => {
  await browser?.close()
  await desk?.close()
  browser = undefined
  desk = undefined
})

const hexToText = (hex: string): string => Buffer.from(hex, 'hex').toString('utf8')

describe('captive portal with real clients', () => {
  it('leases with DNS and option 114, answers any name, and Chromium provisions the device through the portal', async () => {
    desk = await PortalDesk.open(42.3)
    const device = await desk.startDevice()
    await device.waitForEvent('access point', (e) => e.event === 'access_point', 10_000)

    // A real DHCP client asking for the captive-portal option (RFC 8910).
    const lease = await desk.exec(['busybox', 'udhcpc', '-i', AP_TAP, '-f', '-q', '-n', '-t', '5', '-O', '114', '-s', join(fixtures, 'udhcpc-script.sh')])
    const bound = lease.split('\n').find((line) => line.startsWith('event=bound'))
    expect(bound).toBeDefined()
    const fields = Object.fromEntries((bound ?? '').split(' ').map((pair) => pair.split('=') as [string, string]))
    expect(fields.dns).toBe(AP_ADDRESS)
    expect(fields.router).toBe(AP_ADDRESS)
    expect(fields.ip).toMatch(/^192\.168\.4\.\d+$/)
    expect(hexToText(fields.opt114 ?? '')).toBe(PORTAL_URL)

    // Any name resolves to the portal.
    for (const name of ['connectivitycheck.gstatic.com', 'captive.apple.com', 'anything.example.org']) {
      expect((await desk.exec(['dig', '+short', '+time=2', '+tries=2', `@${AP_ADDRESS}`, name])).trim()).toBe(AP_ADDRESS)
    }

    desk.usePortalDns()
    browser = await launchInNamespace(desk.namespace.name)
    const page = await browser.browser.newPage()
    const dialogs: string[] = []
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    await page.goto('http://connectivitycheck.gstatic.com/generate_204', { timeout: 20_000 })
    expect(page.url()).toBe(PORTAL_URL)
    const names = await page.locator('button.network').allTextContents()
    expect(names).toEqual(['HomeNet', EVIL_SSID, 'Cafe Guest', 'Office-8021X'])
    // The hostile SSID is text in the DOM, not markup: no element came from it and no script ran.
    expect(await page.locator('button.network').nth(1).getAttribute('data-ssid')).toBe(EVIL_SSID)
    expect(await page.evaluate(() => document.scripts.length)).toBe(1)
    expect(await page.locator('#networks script').count()).toBe(0)
    expect(await page.locator('li').first().locator('.security').textContent()).toBe('WPA')
    // Screenshots go to a temporary folder; docs/portal.png is updated on purpose, never by a test run.
    await page.screenshot({ path: join(mkdtempSync(join(tmpdir(), 'sysboy-portal-shot-')), 'portal.png'), fullPage: true })

    // Picking a network fills its name; a wrong password is refused with the reason beside the field.
    await page.locator('button.network').first().click()
    expect(await page.inputValue('#ssid')).toBe(HOME_SSID)
    await page.fill('#password', 'wrong-password-1')
    await page.fill('#host', desk.hostAddress())
    await page.fill('#token', TOKEN)
    const before = device.events.length
    await page.click('button[type=submit]')
    await page.waitForSelector('[data-state=failed]', { timeout: 15_000 })
    expect(await page.textContent('#password-reason')).toContain('refused')
    const saved = device.events.findIndex((e, i) => i >= before && e.event === 'settings_saved')
    const tried = device.events.findIndex((e, i) => i >= before && e.event === 'joining')
    expect(saved).toBeGreaterThanOrEqual(0)
    expect(tried).toBeGreaterThan(saved)
    expect(device.events.find((e, i) => i >= before && e.event === 'join_failed')?.detail).toMatchObject({ reason: 'wrong_password' })
    expect(await page.inputValue('#host')).toBe(desk.hostAddress())

    // The right password: the page shows the join, then the device restarts on the home network.
    await page.fill('#password', HOME_PASSWORD)
    await page.click('button[type=submit]')
    await page.waitForSelector('[data-state=joined]', { timeout: 15_000 })
    await device.waitForEvent('restart', (e) => e.event === 'restarting', 15_000)
    const live = await device.waitForStatus('needle on the host figure', (s) => s.meter === 'live' && Math.abs(s.needle - 42.3) < 0.5, 30_000)
    expect(live.link).toBe('connected')
    desk.host?.setVram(64)
    await device.waitForStatus('needle following the host', (s) => s.meter === 'live' && Math.abs(s.needle - 64) < 0.5, 10_000, device.statuses.length)
    expect(dialogs).toEqual([])
  }, 120_000)
})
