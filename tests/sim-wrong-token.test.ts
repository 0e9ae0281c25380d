// A device with the wrong pairing token reports the refusal and backs off instead of hammering the host.
import { afterEach, expect, it } from 'bun:test'
import type { Desk } from './netns/scenario.ts'
import { openDesk } from './netns/scenario.ts'

let desk: Desk | undefined

afterEach(async () => {
  await desk?.close()
  desk = undefined
})

it('reports auth_failed and waits out its auth backoff rather than retrying at once', async () => {
  // A 20 s auth backoff stands in for the device's 5 minutes, so the test can watch one full retry.
  desk = await openDesk({ vram: 42.3, deviceToken: 'wrong-token-wrong-token', simArgs: ['--auth-backoff-ms', '20000'] })
  const device = desk.device!
  const refused = await device.waitForStatus('auth failure', (s) => s.link === 'auth_failed', 20_000)
  expect(refused.auth_failures).toBe(1)
  expect(refused.meter).not.toBe('live')
  // Watch for 6 s: a device that hammered would have tried again many times.
  await Bun.sleep(6_000)
  const later = device.latest()!
  expect(later.link).toBe('auth_failed')
  expect(later.attempts).toBe(refused.attempts)
  console.log(`sim: wrong token: ${later.attempts} connection attempt(s) in all, none in the ${later.t - refused.t} ms after the refusal`)
}, 40_000)
