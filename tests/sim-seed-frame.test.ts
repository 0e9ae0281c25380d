// The seed frame from a bare WebSocket server, not the sysboy host, drives the simulated device's needle: the
// server sends no welcome and no config, only `{"type":"vram","value":60.5}`.
import { afterEach, expect, it } from 'bun:test'
import { join } from 'node:path'
import type { Desk } from './netns/scenario.ts'
import { openDesk } from './netns/scenario.ts'
import { HOST_PORT } from './netns/sysboy-host.ts'

let desk: Desk | undefined

afterEach(async () => {
  await desk?.close()
  desk = undefined
})

it('moves the needle to 60.5 % on {"type":"vram","value":60.5} from a bare server that sends nothing else', async () => {
  desk = await openDesk({ device: false })
  const bun = join(import.meta.dir, '..', 'node_modules', '.bin', 'bun')
  desk.namespace.spawn([bun, join(import.meta.dir, 'netns', 'bare-server.ts'), desk.namespace.kernelIp, String(HOST_PORT)])
  const device = desk.startDevice(['--host', `${desk.namespace.kernelIp}:${HOST_PORT}`, '--backoff-max-ms', '2000'])
  const settled = await device.waitForStatus('needle at 60.5 %', (s) => s.meter === 'live' && Math.abs(s.needle - 60.5) <= 0.5, 25_000)
  expect(settled.target).toBe(60.5)
  expect(settled.link).toBe('connected')
  expect(device.events.some((e) => e.event === 'config')).toBe(false)
}, 40_000)
