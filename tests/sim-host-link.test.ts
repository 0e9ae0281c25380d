// The simulated device against the real sysboy host over a TAP: the needle follows the host's VRAM figure,
// the button switches metric, and the device parks and recovers when the host dies and comes back.
import { afterEach, describe, expect, it } from 'bun:test'
import type { Desk } from './netns/scenario.ts'
import { openDesk } from './netns/scenario.ts'
import { GPU_UTIL } from './netns/sysboy-host.ts'

let desk: Desk | undefined

afterEach(async () => {
  await desk?.close()
  desk = undefined
})

const near = (value: number, target: number, tolerance = 0.5): boolean => Math.abs(value - target) <= tolerance

describe('simulated device with the real host', () => {
  it('settles the needle on the host VRAM figure within a second of the link coming up', async () => {
    desk = await openDesk({ vram: 42.3 })
    const device = desk.device!
    const connected = await device.waitForEvent('connected session', (e) => e.event === 'config', 20_000)
    const moved = await device.waitForStatus('needle moving', (s) => s.meter === 'live' && s.needle > 1, 5_000)
    // The boot sweep runs first; the needle owes the value 1 s after the link is up and the sweep is over.
    const settledBy = Math.max(connected.t, 700) + 1_000
    const settled = await device.waitForStatus('settled needle', (s) => s.t >= settledBy, 5_000)
    expect(settled.meter).toBe('live')
    expect(near(settled.needle, 42.3)).toBe(true)
    expect(settled.metric).toBe('vram')
    console.log(
      `sim: link up at ${connected.t} ms after boot; first needle movement ${moved.t - connected.t} ms after link up; ` +
        `heap ${settled.heap} B, high-water ${settled.heap_peak} B`,
    )
  }, 40_000)

  it('switches the metric on a short press: the host acks and the new metric drives the needle', async () => {
    desk = await openDesk({ vram: 42.3 })
    const device = desk.device!
    await device.waitForStatus('live vram', (s) => s.meter === 'live' && s.metric === 'vram' && near(s.needle, 42.3), 20_000)
    const from = device.events.length
    device.press('short')
    const ack = await device.waitForEvent('ack', (e) => e.event === 'ack', 5_000, from)
    expect(ack.detail).toMatchObject({ ok: true, metric: 'gpu_util' })
    const shown = await device.waitForStatus('gpu_util on the needle', (s) => s.metric === 'gpu_util' && s.meter === 'live' && near(s.needle, GPU_UTIL), 5_000)
    expect(shown.meter).toBe('live')
  }, 40_000)

  it('parks at no data when the host dies and follows again once it is back', async () => {
    desk = await openDesk({ vram: 42.3 })
    const device = desk.device!
    const host = desk.host!
    await device.waitForStatus('live vram', (s) => s.meter === 'live' && near(s.needle, 42.3), 20_000)
    const killedAt = device.latest()!.t
    await host.kill()
    const parked = await device.waitForStatus('parked needle', (s) => s.meter !== 'live' && s.needle < 1, 10_000, device.statuses.length)
    console.log(`sim: parked ${parked.t - killedAt} ms after the host died (${parked.meter})`)
    host.setVram(71.2)
    const attemptsBefore = device.latest()!.attempts
    await host.start()
    // The device retries within its backoff cap (4 s here) and the needle follows the new figure.
    const back = await device.waitForStatus('needle on the new figure', (s) => s.meter === 'live' && near(s.needle, 71.2), 12_000, device.statuses.length)
    expect(back.attempts).toBeGreaterThan(attemptsBefore)
  }, 60_000)
})
