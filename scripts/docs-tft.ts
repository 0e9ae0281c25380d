// Writes the README's TFT pictures from the simulator's framebuffer (`sysboy-sim --tft 320x240`, `screen tft PATH`),
// on purpose and only when run: docs/screens/tft-hub-320x240.png, the hub scene the board draws in colour from the
// built host's figures, and docs/screens/tft-stream-320x240.png, a region of an X screen (Xvfb with xclock and a
// scrolling graph) streamed by the built host. Needs root (a network namespace) and the tools of scripts/setup/host.sh.
// Usage, after `npm run build`: sh scripts/bun.sh scripts/docs-tft.ts
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDesk } from '../tests/netns/scenario.ts'
import type { Desk } from '../tests/netns/scenario.ts'
import { PaintedScreen, ScrollingGraph, grabRegion } from '../tests/fixtures/tft-picture.ts'
import { startXvfb } from '../tests/fixtures/xvfb.ts'

const ROOT = join(import.meta.dir, '..')
const [WIDTH, HEIGHT] = [320, 240]
const ID = 'docs-tft'
const REGION = { x: 100, y: 80 }
const OUT = join(ROOT, 'docs', 'screens')

const xvfb = await startXvfb(640, 480)
const screen = new PaintedScreen(xvfb.display, 640, 480)
const clients: Array<ReturnType<typeof Bun.spawn>> = []
const dir = mkdtempSync(join(tmpdir(), 'sysboy-docs-tft-'))
let desk: Desk | undefined
try {
  desk = await openDesk({ vram: 61.4, simArgs: ['--tft', `${WIDTH}x${HEIGHT}`, '--device-id', ID], hostEnv: { DISPLAY: xvfb.display } })
  const device = desk.device!
  const host = desk.host!

  // The default layout's hub, once every figure has come and a few seconds of history with it.
  const live = await device.waitForStatus('the hub on the TFT', (s) => s.meter === 'live' && s.tft?.scene === 'hub', 30_000)
  await device.waitForStatus('three seconds of figures', (s) => s.t >= live.t + 3_000, 10_000)
  const hub = join(dir, 'hub.png')
  await device.saveTft(hub)
  copyFileSync(hub, join(OUT, `tft-hub-${WIDTH}x${HEIGHT}.png`))

  // A desktop corner: a clock (xclock, a real X client) and a scrolling graph on a dark background.
  screen.fill(0, 0, 640, 480, 0x1e2a38)
  screen.fill(REGION.x, REGION.y, WIDTH, 18, 0x10202c)
  screen.fill(REGION.x + 8, REGION.y + 6, 6, 6, 0x3fd07b)
  const graph = new ScrollingGraph(screen, REGION.x + 8, REGION.y + 166, WIDTH - 16, 66)
  graph.draw(40)
  const env = { ...process.env, DISPLAY: xvfb.display }
  clients.push(
    Bun.spawn(['xclock', '-norender', '-update', '1', '-bg', '#10202c', '-fg', '#e8eef4', '-hd', '#3fd07b', '-hl', '#e8eef4', '-geometry', `136x136+${REGION.x + 92}+${REGION.y + 24}`], {
      env,
      stderr: 'ignore',
    }),
  )
  // The clock drawn, then held still so the picture can be compared.
  await Bun.sleep(2_000)
  for (const client of clients) client.kill('SIGSTOP')

  const { config } = ((await host.devices()) as unknown as Array<{ config: object }>)[0] ?? { config: {} }
  const put = await host.rest('PUT', `/api/devices/${ID}/config`, {
    ...config,
    screens: [{ output: 'tft', scenes: [{ scene: 'stream', metrics: [] }] }],
    streams: [{ output: 'tft', source: 'region', region: REGION, fps: 30 }],
  })
  if (put.status !== 200) throw new Error(`PUT a region stream: HTTP ${put.status} ${JSON.stringify(put.body)}`)
  const region = grabRegion(xvfb.display, REGION.x, REGION.y, WIDTH, HEIGHT)
  await device.waitForStatus('the region on the TFT', (s) => s.tft?.scene === 'stream' && s.tft.hash === region.hash(), 10_000)
  const streamed = join(dir, 'stream.png')
  const hash = await device.saveTft(streamed)
  if (hash !== region.hash()) throw new Error(`the TFT changed before it was written (hash ${hash}, the region's ${region.hash()})`)
  copyFileSync(streamed, join(OUT, `tft-stream-${WIDTH}x${HEIGHT}.png`))
  console.log(`docs-tft: wrote docs/screens/tft-hub-${WIDTH}x${HEIGHT}.png and docs/screens/tft-stream-${WIDTH}x${HEIGHT}.png from the simulator's framebuffer`)
} finally {
  for (const client of clients) client.kill('SIGKILL')
  await desk?.close()
  screen.close()
  await xvfb.stop()
  rmSync(dir, { recursive: true, force: true })
}
