// The simulated device finds the real host by mDNS (`_sysboy._tcp.local`), with no address given or with a saved
// address that no longer answers, and follows it.
import { afterEach, expect, it } from 'bun:test'
import type { Desk } from './netns/scenario.ts'
import { STALE_PORT, openDesk } from './netns/scenario.ts'
import { HOST_PORT } from './netns/sysboy-host.ts'

let desk: Desk | undefined

afterEach(async () => {
  await desk?.close()
  desk = undefined
})

it('finds the host advertised on the TAP by mDNS and the needle follows its VRAM figure', async () => {
  desk = await openDesk({ vram: 42.3, mdns: true })
  const device = desk.device!
  expect(device.process.exitCode).toBeNull()
  const found = await device.waitForEvent('mDNS discovery', (e) => e.event === 'discovered', 20_000)
  expect(found.detail).toMatchObject({ host: `${desk.namespace.kernelIp}:${HOST_PORT}`, path: '/ws' })
  const settled = await device.waitForStatus('needle on 42.3 %', (s) => s.meter === 'live' && Math.abs(s.needle - 42.3) <= 0.5, 15_000)
  expect(settled.host).toBe(`${desk.namespace.kernelIp}:${HOST_PORT}`)
  console.log(`sim: found ${String(found.detail?.instance)} by mDNS at ${found.t} ms after boot`)
}, 40_000)

it('searches by mDNS once its saved address keeps failing, and follows the host it finds', async () => {
  desk = await openDesk({ vram: 42.3, mdns: true, staleHost: true })
  const device = desk.device!
  const stale = `${desk.namespace.kernelIp}:${STALE_PORT}`
  const found = await device.waitForEvent('mDNS discovery after the saved address failed', (e) => e.event === 'discovered', 40_000)
  expect(found.detail).toMatchObject({ host: `${desk.namespace.kernelIp}:${HOST_PORT}` })
  const settled = await device.waitForStatus('needle on 42.3 %', (s) => s.meter === 'live' && Math.abs(s.needle - 42.3) <= 0.5, 15_000)
  expect(settled.host).toBe(`${desk.namespace.kernelIp}:${HOST_PORT}`)
  expect(settled.host).not.toBe(stale)
  console.log(`sim: the saved address ${stale} failed; found the host by mDNS at ${found.t} ms after boot`)
}, 60_000)
