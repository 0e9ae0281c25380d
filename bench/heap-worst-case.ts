// The device logic's heap worst case, measured in the simulator: its portal phase (access point and station on the
// air, the portal's pages and the OS probes served to a phone on parallel connections, a page held by every HTTP
// worker at once for a phone that reads slowly, a form posted and the join's
// progress page served during the join) and its session phase (a live session with the real host: frames, a
// status, a button press stepping the OLED's scene). The session phase is measured twice and the larger taken: as
// above, and on an esp32c3 board taking an update over the air during the session (the updater writes each piece in
// place and borrows its fetch buffer from the station, so it adds little beside the session's own;
// tests/netns/ota-desk.ts, with the real images of scripts/firmware-build.sh). The simulated board restarts between the phases, as the ESP32 does, so they never
// share a heap there; on the ESP32 they might (a fallback AP while a session runs), so the worst case is the sum of
// the portal phase and the larger session phase. Each peak is the counting allocator's high-water mark
// (firmware-rs/sim/src/heap.rs), which also holds the simulator's own report lines: upper bounds. The one simulator-only allocation of size is left
// out: its in-memory image of the settings partition (firmware-rs/sim/src/flash.rs, allocated at exactly
// `FLASH_SECTORS` sectors), which the ESP32 reads from flash; the app slots beside it in the flash file are never
// held in memory. Needs root; run as a script it prints the figures.
import { join } from 'node:path'
import { readUsizeConsts } from './firmware-heap.ts'
import { AP_ADDRESS, HOME_PASSWORD, HOME_SSID, PortalDesk, TOKEN } from '../tests/fixtures/portal/desk.ts'
import { NEXT_DIR, buildCarryingHost, openOtaDesk, otaImages, timeUpdate } from '../tests/netns/ota-desk.ts'
import type { SimStatus } from '../tests/netns/sim-device.ts'

export interface HeapWorstCase {
  portalPeakBytes: number
  /** The session phase without an update. */
  sessionPeakBytes: number
  /** The session phase with an update over the air in progress. */
  updatePeakBytes: number
  /** The portal phase plus the larger session phase. */
  worstBytes: number
  /** The simulator's in-memory image of the settings partition, left out of each phase's peak. */
  flashImageBytes: number
}

const SIM_SRC = join(import.meta.dir, '..', 'firmware-rs', 'sim', 'src')

/** The bytes of the settings partition the simulator holds in memory: `FLASH_SECTORS` (main.rs) of `SECTOR` (flash.rs). */
const settingsImageBytes = (): number => {
  const read = (file: string, name: string): number => {
    const value = readUsizeConsts(join(SIM_SRC, file)).get(name)
    if (value === undefined) throw new Error(`firmware-rs/sim/src/${file}: no 'const ${name}: usize = …;'`)
    return value
  }
  return read('main.rs', 'FLASH_SECTORS') * read('flash.rs', 'SECTOR')
}

/** The phone's requests, all at once on separate connections: the portal page, its probes and a 404. */
const PAGES = ['/', '/generate_204', '/hotspot-detect.html', '/connecttest.txt', '/', '/no-such-page']

/** The portal's HTTP workers (firmware-rs/device/src/net/portal.rs `WORKERS`): how many pages it can hold at once. */
const PORTAL_WORKERS = 3

/**
 * A phone on a poor link: as many connections as the portal has HTTP workers, each asking for the page with a
 * 1 KiB receive window and reading nothing for 2 s, so every worker holds its rendered page at once while its write
 * waits. The parallel GETs reach that moment only when their timing happens to line up.
 */
const SLOW_READERS = `
import socket, sys, time
readers = []
for _ in range(int(sys.argv[2])):
    s = socket.socket()
    s.settimeout(10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    s.connect((sys.argv[1], 80))
    s.sendall(("GET / HTTP/1.1\\r\\nHost: %s\\r\\n\\r\\n" % sys.argv[1]).encode())
    readers.append(s)
time.sleep(2)
for s in readers:
    got = b""
    while chunk := s.recv(65536):
        got += chunk
    if b"Networks in range" not in got:
        sys.exit("slow reader: no page: %r" % got[:80])
print(len(readers))
`

const slowReaders = async (desk: PortalDesk): Promise<void> => {
  const read = (await desk.exec(['python3', '-c', SLOW_READERS, AP_ADDRESS, String(PORTAL_WORKERS)], 30_000)).trim()
  if (read !== String(PORTAL_WORKERS)) throw new Error(`the slow readers got ${read} pages of ${PORTAL_WORKERS}`)
}

const parallelGets = async (desk: PortalDesk): Promise<void> => {
  const gets = PAGES.map((page) => `curl -s -o /dev/null --max-time 5 http://${AP_ADDRESS}${page} &`).join(' ')
  await desk.exec(['sh', '-c', `${gets} wait`])
}

/** The high-water marks before and after the restart: a status line's `t` restarts from 0 with the process. */
const splitAtRestart = (statuses: SimStatus[]): [SimStatus[], SimStatus[]] => {
  const restart = statuses.findIndex((s, i) => i > 0 && s.t < statuses[i - 1]!.t)
  if (restart < 0) throw new Error('the simulator did not restart after the portal form')
  return [statuses.slice(0, restart), statuses.slice(restart)]
}

const peak = (statuses: SimStatus[]): number => Math.max(...statuses.map((s) => s.heap_peak))

export const measureHeapWorstCase = async (): Promise<HeapWorstCase> => {
  const desk = await PortalDesk.open()
  try {
    // The default image drives an OLED when one answers, so the screens' layouts, figures and histories count.
    const device = await desk.startDevice(['--oled', '128x64'])
    await device.waitForEvent('access point', (e) => e.event === 'access_point', 10_000)
    desk.addPhoneAddress()
    for (let round = 0; round < 3; round += 1) await parallelGets(desk)
    await slowReaders(desk)
    // The form goes in while pages are still being fetched; the progress page is fetched during the join.
    const form = [
      'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}',
      '--data-urlencode', `ssid=${HOME_SSID}`, '--data-urlencode', `password=${HOME_PASSWORD}`,
      '--data-urlencode', `host=${desk.hostAddress()}`, '--data-urlencode', `token=${TOKEN}`,
      `http://${AP_ADDRESS}/join`,
    ]
    const posted = await desk.exec(form)
    if (posted !== '303') throw new Error(`the portal answered the form with HTTP ${posted}`)
    await device.waitForEvent('joining', (e) => e.event === 'joining', 10_000)
    await parallelGets(desk)
    await device.waitForEvent('restart', (e) => e.event === 'restarting', 20_000)
    // The session phase: live, the host's frames moving the needle and drawing the screen, a press (it steps the
    // screen to its next scene, and the status saying so goes out at once), a few seconds more.
    const live = await device.waitForStatus('live needle after the restart', (s) => s.meter === 'live' && s.needle > 1, 30_000)
    const from = device.events.length
    device.press('short')
    await device.waitForEvent('status after the press', (e) => e.event === 'status_sent', 10_000, from)
    await Bun.sleep(3_000)
    await device.waitForStatus('a status line after the press', (s) => s.t > live.t + 3_000, 5_000)
    const [portal, session] = splitAtRestart(device.statuses)
    const flashImageBytes = settingsImageBytes()
    const portalPeakBytes = peak(portal) - flashImageBytes
    const sessionPeakBytes = peak(session) - flashImageBytes
    const updatePeakBytes = (await measureUpdatePeak()) - flashImageBytes
    return { portalPeakBytes, sessionPeakBytes, updatePeakBytes, worstBytes: portalPeakBytes + Math.max(sessionPeakBytes, updatePeakBytes), flashImageBytes }
  } finally {
    await desk.close()
  }
}

/**
 * The session phase with an update: an esp32c3 board (with the OLED) live with the host carrying the next build, a
 * press that steps its scene, then the update downloaded, checked and activated. The peak of the run before the
 * board restarts into the new image (a status line's `t` starts again from 0 after it).
 */
const measureUpdatePeak = async (): Promise<number> => {
  const images = otaImages()
  const host = await buildCarryingHost(NEXT_DIR)
  try {
    const ota = await openOtaDesk({ hostBinary: host.binary, factory: images.factory, extraSimArgs: ['--oled', '128x64'] })
    try {
      const device = ota.startBoard()
      const live = await device.waitForStatus('live needle', (s) => s.meter === 'live' && s.needle > 1, 30_000)
      const from = device.events.length
      device.press('short')
      await device.waitForEvent('status after the press', (e) => e.event === 'status_sent', 10_000, from)
      await device.waitForStatus('a status line after the press', (s) => s.t > live.t + 1_000, 5_000)
      await timeUpdate(ota, device, images.next.length)
      await device.waitForEvent('the restart into the new image', (e) => e.event === 'restart', 10_000)
      const before = device.statuses.findIndex((s, i) => i > 0 && s.t < device.statuses[i - 1]!.t)
      const run = before < 0 ? device.statuses : device.statuses.slice(0, before)
      if (!run.some((s) => s.update?.state === 'downloading')) throw new Error('no status line was reported while the update downloaded')
      return peak(run)
    } finally {
      await ota.close()
    }
  } finally {
    host.remove()
  }
}

export const describeHeapWorstCase = (m: HeapWorstCase): string =>
  `sim: device-logic heap worst case ${m.worstBytes} B = portal phase ${m.portalPeakBytes} B + the larger session phase ` +
  `(${m.sessionPeakBytes} B; ${m.updatePeakBytes} B with an update over the air in progress) ` +
  `(each less the simulator's ${m.flashImageBytes} B image of the settings partition)`

if (import.meta.main) console.log(describeHeapWorstCase(await measureHeapWorstCase()))
