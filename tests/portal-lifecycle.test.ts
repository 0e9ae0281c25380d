// The provisioned device across restarts: it boots straight onto the home network from its flash file with the
// host's bindings saved, a corrupted flash file gives a clean portal start, the long press erases the settings
// and brings the portal back, and when the home network goes away the portal returns after repeated failed joins
// while joins go on.
import { afterEach, describe, expect, it } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { HOME_PASSWORD, HOME_SSID, PortalDesk } from './fixtures/portal/desk.ts'
import type { SimDevice } from './netns/sim-device.ts'
import { GPU_UTIL } from './netns/sysboy-host.ts'

let desk: PortalDesk | undefined

afterEach(async () => {
  await desk?.close()
  desk = undefined
})

const near = (value: number, target: number): boolean => Math.abs(value - target) < 0.5

/** Provisions a fresh device through the portal and waits until its needle shows the host's figure. */
const provision = async (portal: PortalDesk): Promise<SimDevice> => {
  const device = await portal.startDevice()
  await device.waitForEvent('access point', (e) => e.event === 'access_point', 10_000)
  portal.addPhoneAddress()
  expect(await portal.submit(HOME_PASSWORD)).toBe('303')
  // The restart waits for a phone the join's channel move dropped (about 7 s in the simulator).
  await device.waitForEvent('restart', (e) => e.event === 'restarting', 15_000)
  await device.waitForStatus('live needle', (s) => s.meter === 'live' && near(s.needle, 42.3), 30_000)
  return device
}

describe('provisioned device', () => {
  it('boots straight onto the home network from its flash after a restart, with the host\'s bindings, and the long press brings the portal back', async () => {
    desk = await PortalDesk.open(42.3)
    const device = await provision(desk)
    // A short press has the host rebind the meter; the provisioning task saves that, as it saves the form.
    device.press('short')
    const bound = await device.waitForEvent(
      'bindings saved',
      (e) => e.event === 'settings_saved' && JSON.stringify(e.detail?.bindings) === '["meter=gpu_util"]',
      10_000,
    )
    expect(bound.detail).toEqual({ bindings: ['meter=gpu_util'] })
    const again = await desk.startDevice()
    const loaded = await again.waitForEvent('settings', (e) => e.event === 'settings_loaded', 10_000)
    expect(loaded.detail).toMatchObject({ bindings: ['meter=gpu_util'], token: true, host: desk.hostAddress(), problems: [] })
    await again.waitForStatus(
      'gpu_util on the needle after the restart',
      (s) => s.meter === 'live' && s.metric === 'gpu_util' && near(s.needle, GPU_UTIL),
      30_000,
    )
    expect(again.events.some((e) => e.event === 'access_point')).toBe(false)
    expect(again.events.find((e) => e.event === 'joined')?.detail).toMatchObject({ ssid: HOME_SSID })

    const from = again.events.length
    again.press('long')
    await again.waitForEvent('settings erased', (e) => e.event === 'settings_erased', 10_000, from)
    await again.waitForEvent('portal after the reset', (e) => e.event === 'access_point', 10_000, from)
    // And it stays a fresh board across another restart.
    const fresh = await desk.startDevice()
    await fresh.waitForEvent('portal on a fresh boot', (e) => e.event === 'access_point', 10_000)
    expect(fresh.events.some((e) => e.event === 'joining')).toBe(false)
  }, 120_000)

  it('starts the portal cleanly from a corrupted flash file and can be provisioned from there', async () => {
    desk = await PortalDesk.open(42.3)
    const garbage = new Uint8Array(4 * 4096)
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) & 0xff
    writeFileSync(desk.flash, garbage)
    const device = await provision(desk)
    expect(device.process.exitCode).toBeNull()
  }, 90_000)

  it('falls back to the portal after repeated failed joins and keeps retrying until the network is back', async () => {
    desk = await PortalDesk.open(42.3)
    await provision(desk)
    desk.setReachable(false)
    const device = await desk.startDevice()
    await device.waitForEvent('portal after failed joins', (e) => e.event === 'access_point', 20_000)
    const failures = device.events.filter((e) => e.event === 'join_failed')
    expect(failures.length).toBeGreaterThanOrEqual(3)
    expect(failures[0]?.detail).toMatchObject({ reason: 'not_found' })
    const from = device.events.length
    desk.setReachable(true)
    await device.waitForEvent('access point off once joined', (e) => e.event === 'access_point_off', 15_000, from)
    await device.waitForStatus('live needle', (s) => s.meter === 'live' && near(s.needle, 42.3), 30_000)
  }, 120_000)
})
