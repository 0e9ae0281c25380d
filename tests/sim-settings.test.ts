// Settings in the simulated device's flash file: the command line's host and token, and the host's bindings, are
// saved and used again by a restart with only --flash; a long press erases them; a corrupt file starts with defaults.
import { afterEach, expect, it } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import type { Desk } from './netns/scenario.ts'
import { openDesk } from './netns/scenario.ts'
import { GPU_UTIL, HOST_PORT } from './netns/sysboy-host.ts'

let desk: Desk | undefined

afterEach(async () => {
  await desk?.close()
  desk = undefined
})

const onVram = (needle: number, meter: string): boolean => meter === 'live' && Math.abs(needle - 42.3) <= 0.5

it('saves --host and --token, and a restart with only --flash reconnects with them', async () => {
  desk = await openDesk({ vram: 42.3 })
  const flash = desk.flash
  const first = desk.device!
  const loaded = await first.waitForEvent('settings', (e) => e.event === 'settings_loaded', 10_000)
  // A board never told its country keeps to the world-safe one.
  expect(loaded.detail).toMatchObject({ saved: true, token: true, host: `${desk.namespace.kernelIp}:${HOST_PORT}`, country: '01' })
  await first.waitForStatus('live needle', (s) => onVram(s.needle, s.meter), 20_000)
  // The host's config after a metric switch is kept too.
  const from = first.events.length
  first.press('short')
  const bound = await first.waitForEvent('bindings saved', (e) => e.event === 'settings_saved', 10_000, from)
  expect(bound.detail).toMatchObject({ bindings: ['meter=gpu_util'] })
  await first.stop()

  const again = desk.startDevice([], flash)
  const reloaded = await again.waitForEvent('settings', (e) => e.event === 'settings_loaded', 10_000)
  expect(reloaded.detail).toMatchObject({
    saved: false,
    token: true,
    host: `${desk.namespace.kernelIp}:${HOST_PORT}`,
    bindings: ['meter=gpu_util'],
    problems: [],
  })
  const live = await again.waitForStatus(
    'gpu_util on the needle after the restart',
    (s) => s.meter === 'live' && s.metric === 'gpu_util' && Math.abs(s.needle - GPU_UTIL) <= 0.5,
    20_000,
  )
  expect(live.auth_failures).toBe(0)
}, 60_000)

it('erases the settings on a long press, and the next boot has none', async () => {
  desk = await openDesk({ vram: 42.3 })
  const flash = desk.flash
  const device = desk.device!
  await device.waitForStatus('live needle', (s) => onVram(s.needle, s.meter), 20_000)
  expect(readFileSync(flash).some((byte) => byte !== 0xff)).toBe(true)
  const from = device.events.length
  device.press('long')
  const reset = await device.waitForEvent('settings reset', (e) => e.event === 'settings_reset', 10_000, from)
  expect(reset.detail).toMatchObject({ ok: true })
  const bytes = readFileSync(flash)
  // The simulated flash, as the board's 4 MiB part: the settings' four sectors first, then otadata and two app slots.
  expect(bytes.length).toBe(4 * 1024 * 1024)
  expect(bytes.subarray(0, 4 * 4096).every((byte) => byte === 0xff)).toBe(true)
  // This board was given no firmware image, so nothing else was ever written either.
  expect(bytes.every((byte) => byte === 0xff)).toBe(true)
  await device.stop()

  const fresh = desk.startDevice(['--report-ms', '200'], flash)
  const loaded = await fresh.waitForEvent('settings', (e) => e.event === 'settings_loaded', 10_000)
  expect(loaded.detail).toMatchObject({ host: null, token: false, bindings: [], saved: false })
}, 60_000)

it('starts with defaults from a corrupt flash file, saves over it, and the next boot reads what it saved', async () => {
  desk = await openDesk({ vram: 42.3, device: false })
  const flash = desk.flash
  // Noise, not a settings store: as a half-erased part or another firmware's data would look.
  const noise = new Uint8Array(4 * 4096)
  for (let i = 0; i < noise.length; i += 1) noise[i] = (i * 7919 + 13) % 251
  writeFileSync(flash, noise)
  const bare = desk.startDevice([], flash)
  const defaults = await bare.waitForEvent('settings', (e) => e.event === 'settings_loaded', 10_000)
  expect(defaults.detail).toMatchObject({ host: null, token: false, bindings: [], saved: false })
  await bare.waitForStatus('a running device', (s) => s.ip !== undefined, 15_000)
  expect(bare.process.exitCode).toBeNull()
  await bare.stop()

  const flagged = desk.startDevice(desk.hostArgs, flash)
  const saved = await flagged.waitForEvent('settings', (e) => e.event === 'settings_loaded', 10_000)
  expect(saved.detail).toMatchObject({ saved: true, host: `${desk.namespace.kernelIp}:${HOST_PORT}` })
  await flagged.waitForStatus('live needle', (s) => onVram(s.needle, s.meter), 20_000)
  await flagged.stop()

  const reread = desk.startDevice([], flash)
  const loaded = await reread.waitForEvent('settings', (e) => e.event === 'settings_loaded', 10_000)
  expect(loaded.detail).toMatchObject({ saved: false, token: true, host: `${desk.namespace.kernelIp}:${HOST_PORT}`, problems: [] })
  await reread.waitForStatus('live needle', (s) => onVram(s.needle, s.meter), 20_000)
}, 90_000)
