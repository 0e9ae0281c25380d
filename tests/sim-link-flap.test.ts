// The station link taken down and brought back (`ip link set tap down/up`): the device recovers on its own.
import { afterEach, expect, it } from 'bun:test'
import type { Desk } from './netns/scenario.ts'
import { openDesk } from './netns/scenario.ts'

let desk: Desk | undefined

afterEach(async () => {
  await desk?.close()
  desk = undefined
})

it('parks the needle when the TAP goes down and follows the host again once it is back up', async () => {
  desk = await openDesk({ vram: 42.3 })
  const device = desk.device!
  await device.waitForStatus('live vram', (s) => s.meter === 'live' && Math.abs(s.needle - 42.3) <= 0.5, 20_000)
  desk.namespace.setTap(false)
  const down = await device.waitForStatus('parked on link loss', (s) => s.meter !== 'live', 10_000, device.statuses.length)
  expect(down.meter).not.toBe('live')
  desk.host!.setVram(55.5)
  desk.namespace.setTap(true)
  const back = await device.waitForStatus('needle on the host figure again', (s) => s.meter === 'live' && Math.abs(s.needle - 55.5) <= 0.5, 30_000, device.statuses.length)
  console.log(`sim: link down at ${down.t} ms, following again at ${back.t} ms (${back.attempts} attempts in all)`)
}, 60_000)
