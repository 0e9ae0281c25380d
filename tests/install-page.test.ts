// The "Install on a board" page in headless Chromium against the built host: ESP Web Tools' button defined from the
// host's own bundle, its manifest resolving to parts that download byte for byte as the firmware build wrote them,
// nothing asked of any other origin, and a plain word where the browser has no Web Serial or the page is not secure.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'
import { ROOT, RunningSysboy, cleanEnv, runSysboy } from './cli-harness.ts'
import { expectedParts } from './fixtures/install-layout.ts'

const TOKEN = 'install-page-token-01'
const FIRMWARE = join(ROOT, 'target', 'firmware')
/** A name Chromium resolves to loopback: a page there is not a secure context, as on a LAN address. */
const LAN_NAME = 'sysboy-pc.test'

let host: RunningSysboy
let port: number
let browser: Browser

const sha256 = (bytes: Uint8Array): string => new Bun.CryptoHasher('sha256').update(bytes).digest('hex')

/** A page that records the origin of every request it makes. */
const recordingPage = async (init?: string): Promise<{ page: Page; origins: Set<string> }> => {
  const context = await browser.newContext()
  if (init !== undefined) await context.addInitScript(init)
  const page = await context.newPage()
  const origins = new Set<string>()
  page.on('request', (request) => origins.add(new URL(request.url()).origin))
  return { page, origins }
}

beforeAll(async () => {
  host = RunningSysboy.onLoopback('cpu', TOKEN)
  port = await host.port()
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    chromiumSandbox: false,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP ${LAN_NAME} 127.0.0.1`,
    ],
  })
})

afterAll(async () => {
  await browser?.close()
  await host?.stop()
})

describe('the install page (built host, Chromium)', () => {
  it("defines ESP Web Tools' button, says what firmware it carries, and asks nothing of any other origin", async () => {
    const { page, origins } = await recordingPage()
    // The address sysboy prints at start, on loopback: localhost, which is a secure context for Web Serial.
    const [, printed] = await host.waitFor(/^install on a board from the browser: (\S+)$/)
    expect(printed).toBe(`http://localhost:${port}/install`)
    await page.goto(printed!)
    await page.waitForFunction(() => customElements.get('esp-web-install-button') !== undefined)
    const button = page.locator('esp-web-install-button')
    expect(await button.getAttribute('manifest')).toBe('/firmware/manifest.json')
    // Chromium has Web Serial on a secure page, and http://localhost is one: the button offers to install.
    expect(await page.evaluate(() => 'serial' in navigator && window.isSecureContext)).toBe(true)
    await page.waitForFunction(() => document.querySelector('esp-web-install-button')?.hasAttribute('install-supported') === true)
    expect(await page.locator('#no-serial').isVisible()).toBe(false)
    expect(await page.locator('#not-secure').isVisible()).toBe(false)
    await page.locator('#firmware', { hasText: 'carries Sysboy firmware' }).waitFor()
    expect(await page.locator('#firmware').innerText()).toMatch(/^This sysboy carries Sysboy firmware \S+ for ESP32-C3 and ESP32-C6\.$/)
    expect([...origins]).toEqual([`http://localhost:${port}`])
    await page.context().close()
  })

  it('resolves the manifest the button names, and each part it lists downloads byte for byte as target/firmware holds it', async () => {
    const { page, origins } = await recordingPage()
    await page.goto(`http://localhost:${port}/install`)
    await page.waitForFunction(() => customElements.get('esp-web-install-button') !== undefined)
    // As ESP Web Tools does: the manifest from the button's attribute, each part's path resolved against it.
    const parts = await page.evaluate(async () => {
      const button = document.querySelector('esp-web-install-button') as HTMLElement
      const manifestUrl = new URL(button.getAttribute('manifest') as string, location.href)
      const manifest = (await (await fetch(manifestUrl)).json()) as { builds: { chipFamily: string; parts: { path: string; offset: number }[] }[] }
      const found: { chipFamily: string; offset: number; url: string; size: number; sha256: string }[] = []
      for (const build of manifest.builds) {
        for (const part of build.parts) {
          const url = new URL(part.path, manifestUrl)
          const bytes = await (await fetch(url)).arrayBuffer()
          const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('')
          found.push({ chipFamily: build.chipFamily, offset: part.offset, url: url.href, size: bytes.byteLength, sha256: digest })
        }
      }
      return found
    })
    // Each part is its slice of target/firmware/sysboy-<chip>.bin by the partition table, or a blank otadata.
    const expected = ['esp32c3', 'esp32c6'].flatMap((chip) => {
      const merged = new Uint8Array(readFileSync(join(FIRMWARE, `sysboy-${chip}.bin`)))
      const app = new Uint8Array(readFileSync(join(FIRMWARE, `sysboy-${chip}-app.bin`)))
      return expectedParts(merged, app).map((part) => ({
        chipFamily: chip === 'esp32c3' ? 'ESP32-C3' : 'ESP32-C6',
        offset: part.offset,
        url: `http://localhost:${port}/firmware/${chip}/install/${part.name}.bin`,
        size: part.bytes.length,
        sha256: sha256(part.bytes),
      }))
    })
    expect(parts).toEqual(expected)
    expect([...origins]).toEqual([`http://localhost:${port}`])
    await page.context().close()
  })

  it("loads the installer's own dialogs from the host when Install is pressed and no port is picked", async () => {
    // Chromium's port chooser cannot be driven here; a user who closes it gets NotFoundError, as stubbed.
    const { page, origins } = await recordingPage(
      "Object.defineProperty(navigator.serial, 'requestPort', { value: () => Promise.reject(new DOMException('No port selected by the user.', 'NotFoundError')) })",
    )
    await page.goto(`http://localhost:${port}/install`)
    await page.waitForFunction(() => document.querySelector('esp-web-install-button')?.hasAttribute('install-supported') === true)
    await page.getByRole('button', { name: 'Install' }).click()
    await page.waitForFunction(() => customElements.get('ewt-install-dialog') !== undefined && customElements.get('ewt-no-port-picked-dialog') !== undefined)
    await page.locator('ewt-no-port-picked-dialog').waitFor({ state: 'attached' })
    expect([...origins]).toEqual([`http://localhost:${port}`])
    await page.context().close()
  })

  it('says plainly that this browser has no Web Serial, and what to use instead', async () => {
    const { page, origins } = await recordingPage('delete Navigator.prototype.serial')
    await page.goto(`http://localhost:${port}/install`)
    await page.waitForFunction(() => document.querySelector('esp-web-install-button')?.hasAttribute('install-unsupported') === true)
    expect(await page.evaluate(() => 'serial' in navigator)).toBe(false)
    const notice = page.locator('#no-serial')
    expect(await notice.isVisible()).toBe(true)
    const text = await notice.innerText()
    expect(text).toContain('This browser has no Web Serial')
    expect(text).toContain('Chrome or Edge')
    expect(text).toContain('cargo espflash flash')
    expect(await page.locator('#not-secure').isVisible()).toBe(false)
    expect([...origins]).toEqual([`http://localhost:${port}`])
    await page.context().close()
  })

  it('says on an address that is not a secure context to open it at localhost on this PC', async () => {
    const { page, origins } = await recordingPage()
    await page.goto(`http://${LAN_NAME}:${port}/install`)
    await page.locator('#not-secure').waitFor({ state: 'visible' })
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false)
    expect(await page.locator('#not-secure').innerText()).toContain(`Open http://localhost:${port}/install in Chrome or Edge on this PC`)
    expect(await page.locator('#localhost-link').getAttribute('href')).toBe(`http://localhost:${port}/install`)
    expect([...origins]).toEqual([`http://${LAN_NAME}:${port}`])
    await page.context().close()
  })

  it('leaves a second sysboy on the same port told that it is in use, though its pages are HTML bundles', async () => {
    const { code, stderr } = await runSysboy(['--metric', 'cpu', '--bind', '127.0.0.1', '--port', String(port), '--no-mdns', '--token', TOKEN], cleanEnv())
    expect(stderr).toBe(`sysboy: port ${port} on 127.0.0.1 is in use: stop the other program or pass --port <n>\n`)
    expect(code).toBe(4)
  })
})
