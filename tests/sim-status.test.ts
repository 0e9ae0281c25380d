// The simulated device reports its status (link, heap, uptime, host, address) to the real host after the welcome
// and then periodically; the host's REST API shows the newest one.
import { afterEach, expect, it } from 'bun:test'
import type { Desk } from './netns/scenario.ts'
import { openDesk } from './netns/scenario.ts'
import { HOST_PORT } from './netns/sysboy-host.ts'

let desk: Desk | undefined

afterEach(async () => {
  await desk?.close()
  desk = undefined
})

it('shows the status the simulated device sends in GET /api/devices, and a newer one a period later', async () => {
  desk = await openDesk({ vram: 42.3, simArgs: ['--status-ms', '1000'] })
  const device = desk.device!
  const live = await device.waitForStatus('live needle', (s) => s.meter === 'live' && s.ip !== undefined, 20_000)
  const first = await desk.host!.waitForDevice('device with a status', (d) => d.lastStatus !== null, 10_000)
  const status = first.lastStatus!
  expect(status.link).toBe('sim')
  expect(status.host).toBe(`${desk.namespace.kernelIp}:${HOST_PORT}`)
  expect(status.ip).toBe(live.ip!)
  expect(status.heap_free).toBeGreaterThan(0)
  expect(status.heap_min!).toBeLessThanOrEqual(status.heap_free)
  expect(status.uptime_ms).toBeGreaterThan(0)
  // A simulator started from nothing is a board that was just powered; its output is always there.
  expect(status.reset_reason).toBe('power_on')
  expect(status.missing).toBeUndefined()
  const later = await desk.host!.waitForDevice('newer status', (d) => (d.lastStatus?.uptime_ms ?? 0) >= status.uptime_ms + 900, 10_000)
  expect(later.id).toBe(first.id)
  console.log(`sim: status in GET /api/devices: ${JSON.stringify(later.lastStatus)}`)
}, 40_000)
