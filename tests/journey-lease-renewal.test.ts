// The station network's DHCP lease renews (dnsmasq's shortest lease, 120 s, so the board renews at T1 = 60 s): the
// address is kept, the host session goes on without a reconnect, and the needle stays live throughout.
import { afterEach, expect, it } from 'bun:test'
import { readFileSync } from 'node:fs'
import type { Desk } from './netns/scenario.ts'
import { openDesk } from './netns/scenario.ts'
import type { ListedDevice } from './netns/sysboy-host.ts'
import { leaseFile } from './netns/station-network.ts'

/** dnsmasq's shortest lease (`man dnsmasq`, --dhcp-range: "The minimum lease time is two minutes"). */
const LEASE_S = 120
/** When the board renews: T1, half the lease (dnsmasq's default T1, and smoltcp's when a server sends none). */
const T1_S = LEASE_S / 2

/** The expiry (epoch seconds) of the one lease in dnsmasq's lease file, or undefined while there is none. */
const leaseExpiry = (desk: Desk): number | undefined => {
  let text = ''
  try {
    text = readFileSync(leaseFile(desk.namespace), 'utf8')
  } catch {
    return undefined
  }
  const lines = text.trim().split('\n').filter((line) => line !== '')
  if (lines.length !== 1) return undefined
  return Number(lines[0]!.split(' ')[0])
}

let desk: Desk | undefined

afterEach(async () => {
  await desk?.close()
  desk = undefined
})

const near = (value: number, target: number, tolerance = 0.5): boolean => Math.abs(value - target) <= tolerance

const session = async (desk: Desk): Promise<ListedDevice> => {
  const listed = await desk.host!.devices()
  expect(listed).toHaveLength(1)
  return listed[0]!
}

it('keeps the session and the live needle through a DHCP lease renewal', async () => {
  desk = await openDesk({ vram: 42.3, leaseSeconds: LEASE_S })
  const device = desk.device!
  const up = await device.waitForEvent('network up', (e) => e.event === 'network_up', 15_000)
  const live = await device.waitForStatus('live vram', (s) => s.meter === 'live' && near(s.needle, 42.3), 20_000)
  const firstExpiry = leaseExpiry(desk)
  expect(firstExpiry).toBeDefined()
  const before = await session(desk)
  const fromStatus = device.statuses.indexOf(live)
  const fromEvent = device.events.length

  // Once a second of the board's time, look at the lease file until dnsmasq has moved the expiry on (the board asked
  // again and was answered), and at the host's session, which must stay the same one.
  const deadline = Date.now() + (T1_S + 20) * 1_000
  let renewedExpiry = firstExpiry
  let checks = 0
  let framesSent = before.framesSent
  while (renewedExpiry === firstExpiry) {
    if (Date.now() > deadline) throw new Error(`no renewal within ${T1_S + 20} s of the first lease (expiry still ${firstExpiry})`)
    const tick = device.latest()!.t + 1_000
    await device.waitForStatus('the next second', (s) => s.t >= tick, 5_000, device.statuses.length)
    const now = await session(desk)
    expect(now.connectedSince).toBe(before.connectedSince)
    expect(now.framesSent).toBeGreaterThan(framesSent)
    framesSent = now.framesSent
    checks += 1
    renewedExpiry = leaseExpiry(desk) ?? firstExpiry
  }
  const renewedAt = device.latest()!.t
  const renewedAfterS = renewedExpiry! - firstExpiry!
  // The renewal came at T1, not at a rebind (7/8 of the lease) or a fresh lease after expiry.
  expect(renewedAfterS).toBeGreaterThanOrEqual(T1_S - 2)
  expect(renewedAfterS).toBeLessThanOrEqual(T1_S + 2)

  // A few more seconds of the session after the renewal, so a drop it causes has time to show.
  const settled = await device.waitForStatus('live after the renewal', (s) => s.t >= renewedAt + 3_000, 10_000, device.statuses.length)
  const after = await session(desk)
  expect(after.connectedSince).toBe(before.connectedSince)
  expect(after.framesSent).toBeGreaterThan(framesSent)
  expect(settled.ip).toBe(live.ip)

  const lost = device.events.slice(fromEvent).filter((e) => ['disconnected', 'network_up', 'live', 'link_lost', 'auth_failed'].includes(e.event))
  expect(lost).toEqual([])
  const notLive = device.statuses.slice(fromStatus).filter((s) => s.meter !== 'live' || !near(s.needle, 42.3))
  expect(notLive).toEqual([])
  console.log(
    `lease renewal: network up at ${up.t} ms, live at ${live.t} ms; lease expiry moved on by ${renewedAfterS} s ` +
      `(T1 ${T1_S} s), seen ${renewedAt - live.t} ms after live; ${checks} checks of the same session, frames rising; ` +
      `frames sent ${before.framesSent} -> ${after.framesSent}; ${device.statuses.length - fromStatus} live status lines`,
  )
}, (T1_S + 60) * 1_000)
