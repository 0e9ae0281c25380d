// Writes the README's dashboard pictures, on purpose and only when run: docs/dashboard/dashboard-1280.png (a desktop)
// and docs/dashboard/dashboard-390.png (a phone), headless Chromium on the built host's page with a simulated board
// carrying a meter and an OLED, after half a minute of figures so the sparklines have a history. Needs root (a network
// namespace) and the tools of scripts/setup/*.sh.
// Usage, after `npm run build`: sh scripts/bun.sh scripts/docs-dashboard.ts
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { launchInNamespace } from '../tests/fixtures/portal/browser.ts'
import type { NamespacedBrowser } from '../tests/fixtures/portal/browser.ts'
import { TOKEN, openDesk } from '../tests/netns/scenario.ts'
import type { Desk } from '../tests/netns/scenario.ts'
import { HOST_PORT } from '../tests/netns/sysboy-host.ts'

const ROOT = join(import.meta.dir, '..')
const OUT = join(ROOT, 'docs', 'dashboard')
const ID = 'desk-meter'

let desk: Desk | undefined
let browser: NamespacedBrowser | undefined
try {
  mkdirSync(OUT, { recursive: true })
  desk = await openDesk({ vram: 42, simArgs: ['--device-id', ID, '--oled', '128x64'], hostInterval: 500 })
  const device = desk.device!
  await device.waitForStatus('the meter live', (s) => s.meter === 'live', 30_000)
  browser = await launchInNamespace(desk.namespace.name)
  const page = await browser.browser.newPage({ viewport: { width: 1280, height: 900 } })
  await page.goto(`http://${desk.namespace.kernelIp}:${HOST_PORT}/#token=${TOKEN}`)
  await page.locator('#state', { hasText: /^Live/ }).waitFor({ timeout: 15_000 })
  // VRAM rises and falls for half a minute, so the sparklines and the needle have something to show.
  for (let i = 0; i < 30; i++) {
    desk.host!.setVram(42 + 25 * Math.sin(i / 4))
    await Bun.sleep(1_000)
  }
  await page.locator(`article.device[data-device="${ID}"] .screen img`).waitFor({ timeout: 10_000 })
  await Bun.sleep(1_500)
  await page.screenshot({ path: join(OUT, 'dashboard-1280.png'), fullPage: true })
  await page.setViewportSize({ width: 390, height: 844 })
  await Bun.sleep(1_000)
  await page.screenshot({ path: join(OUT, 'dashboard-390.png'), fullPage: true })
  console.log('docs-dashboard: wrote docs/dashboard/dashboard-1280.png and docs/dashboard/dashboard-390.png')
} finally {
  await browser?.close()
  await desk?.close()
}
