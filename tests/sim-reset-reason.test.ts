// Why the board last started reaches the host: the simulated device provisioned through its portal restarts itself
// and reports `software` in the status that GET /api/devices shows; started again from nothing it reports
// `power_on`. Its access point is named from its MAC, as the ESP32's is.
import { afterEach, expect, it } from 'bun:test'
import { AP_TAP, HOME_PASSWORD, PortalDesk } from './fixtures/portal/desk.ts'

let desk: PortalDesk | undefined

afterEach(async () => {
  await desk?.close()
  desk = undefined
})

/**
 * The access point's name the firmware gives the simulator's AP TAP: `Sysboy-` and the MAC's last two bytes in
 * upper-case hex. The simulator's MAC for a TAP is 02:53 and the first four bytes of the little-endian FNV-1a hash
 * of its name (firmware-rs/sim/src/main.rs `mac_for`), so the last two are the hash's bytes 2 and 3.
 */
const expectedSsid = (tap: string): string => {
  let hash = 0xcbf29ce484222325n
  for (const byte of new TextEncoder().encode(tap)) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn
  const hex = (shift: bigint): string => ((hash >> shift) & 0xffn).toString(16).toUpperCase().padStart(2, '0')
  return `Sysboy-${hex(16n)}${hex(24n)}`
}

it('reports a software reset after the portal restart and a power-on after a fresh start, on an AP named from its MAC', async () => {
  desk = await PortalDesk.open()
  const device = await desk.startDevice()
  const ap = await device.waitForEvent('access point', (e) => e.event === 'access_point', 10_000)
  expect(ap.detail?.ssid).toBe(expectedSsid(AP_TAP))
  expect(ap.detail?.ssid).toMatch(/^Sysboy-[0-9A-F]{4}$/)

  desk.addPhoneAddress()
  expect(await desk.submit(HOME_PASSWORD)).toBe('303')
  // The restart waits for a phone the join's channel move dropped (about 7 s in the simulator).
  await device.waitForEvent('restart', (e) => e.event === 'restarting', 15_000)
  await device.waitForStatus('live needle after the restart', (s) => s.meter === 'live', 30_000)
  const restarted = await desk.host!.waitForDevice('status after the restart', (d) => d.lastStatus !== null, 10_000)
  expect(restarted.lastStatus!.reset_reason).toBe('software')
  // The simulator's output is always there.
  expect(restarted.lastStatus!.missing).toBeUndefined()

  // A new process on the same flash is a board powered up again: it joins from its flash and says so.
  await desk.startDevice()
  const fresh = await desk.host!.waitForDevice('status after a power-on', (d) => d.lastStatus?.reset_reason === 'power_on', 30_000)
  expect(fresh.id).toBe(restarted.id)
  console.log(`sim: after the portal restart ${JSON.stringify(restarted.lastStatus)}; after a fresh start ${JSON.stringify(fresh.lastStatus)}`)
}, 90_000)
