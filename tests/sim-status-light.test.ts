// The board shows its state without a console: the simulated device reports its status LED (state, colour,
// pattern) on every status line, and these journeys read it as a user would read the LED: a fresh board
// breathes blue with its needle sweeping while the portal is open, blinks amber while it joins, and goes solid
// green once the host's figures reach the needle; a pairing token the host refuses shows red double flashes
// that stay through the retry.
import { afterEach, expect, it } from 'bun:test'
import { AP_ADDRESS, HOME_PASSWORD, HOME_SSID, PortalDesk, TOKEN } from './fixtures/portal/desk.ts'
import type { SimLight, SimStatus } from './netns/sim-device.ts'

let desk: PortalDesk | undefined

afterEach(async () => {
  await desk?.close()
  desk = undefined
})

/** Fills in the portal form from the phone side with curl, as a browser posts it; returns the HTTP status. */
const submit = (portal: PortalDesk, token: string): Promise<string> =>
  portal.exec([
    'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}',
    '--data-urlencode', `ssid=${HOME_SSID}`, '--data-urlencode', `password=${HOME_PASSWORD}`,
    '--data-urlencode', `host=${portal.hostAddress()}`, '--data-urlencode', `token=${token}`,
    `http://${AP_ADDRESS}/join`,
  ])

/** The light states in the order the status lines showed them, repeats folded. */
const lightStates = (statuses: SimStatus[]): Array<SimLight['state']> =>
  statuses.map((s) => s.light.state).filter((state, i, all) => i === 0 || all[i - 1] !== state)

it('a fresh board breathes blue with a sweeping needle in the portal, blinks amber while joining, and goes solid green when live', async () => {
  desk = await PortalDesk.open(42.3)
  const device = await desk.startDevice()

  const portal = await device.waitForStatus('the portal light', (s) => s.light.state === 'portal', 15_000)
  expect(portal.light).toEqual({ state: 'portal', colour: 'blue', rgb: '#0000ff', pattern: 'breathe' })
  // The needle sweeps slowly over the lower scale while the portal waits: from the bottom (once the boot sweep
  // has come down from full scale) up past a fifth of the scale, never near full scale, and back down.
  const bottom = await device.waitForStatus('the portal sweep at the bottom', (s) => s.meter === 'portal' && s.needle < 5, 15_000)
  const high = await device.waitForStatus('the portal sweep near its top', (s) => s.meter === 'portal' && s.needle > 20, 15_000, device.statuses.indexOf(bottom))
  const low = await device.waitForStatus('the portal sweep back down', (s) => s.meter === 'portal' && s.needle < 5, 15_000, device.statuses.indexOf(high))
  const sweep = device.statuses.slice(device.statuses.indexOf(bottom), device.statuses.indexOf(low) + 1)
  const top = Math.max(...sweep.map((s) => s.needle))
  expect(top).toBeLessThan(45)
  expect(low.t - bottom.t).toBeGreaterThan(3_000)
  console.log(`sim: portal sweep from ${bottom.needle} % at ${bottom.t} ms up to ${top} % and down to ${low.needle} % at ${low.t} ms`)

  desk.addPhoneAddress()
  const submitted = device.statuses.length
  expect(await submit(desk, TOKEN)).toBe('303')
  const joining = await device.waitForStatus('the joining light', (s) => s.light.state === 'joining', 15_000, submitted)
  expect(joining.light).toEqual({ state: 'joining', colour: 'amber', rgb: '#ff6e00', pattern: 'slow_blink' })

  const live = await device.waitForStatus('the live light with the needle on the host figure', (s) => s.light.state === 'live' && s.meter === 'live' && Math.abs(s.needle - 42.3) < 0.5, 45_000, submitted)
  expect(live.light).toEqual({ state: 'live', colour: 'green', rgb: '#00ff00', pattern: 'solid' })

  const seen = lightStates(device.statuses)
  console.log(`sim: light states ${seen.join(' → ')}`)
  const order = ['portal', 'joining', 'live'].map((state) => seen.indexOf(state as SimLight['state']))
  expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!))).toBe(true)
  expect(seen).not.toContain('token_refused')
  expect(seen).not.toContain('fault')
  // Live means live: no status line shows the green light with a needle that is not on a live figure for long.
  expect(device.statuses.filter((s) => s.light.state === 'portal').every((s) => s.meter !== 'live')).toBe(true)
}, 120_000)

it('a pairing token the host refuses shows red double flashes until a session goes live, through the retry', async () => {
  desk = await PortalDesk.open(42.3)
  // A 3 s auth backoff stands in for the device's 5 minutes, so the test watches the retry being refused too.
  const device = await desk.startDevice(['--auth-backoff-ms', '3000'])
  await device.waitForStatus('the portal light', (s) => s.light.state === 'portal', 15_000)
  desk.addPhoneAddress()
  expect(await submit(desk, 'not-the-pairing-token')).toBe('303')

  const refused = await device.waitForStatus('the refused-token light', (s) => s.light.state === 'token_refused', 45_000)
  expect(refused.light).toEqual({ state: 'token_refused', colour: 'red', rgb: '#ff0000', pattern: 'double_flash' })
  const from = device.statuses.indexOf(refused)
  const retried = await device.waitForStatus('the retry refused too', (s) => s.auth_failures >= refused.auth_failures + 1, 20_000, from)
  // Between the two refusals the board searched and connected again (the count went up only by leaving
  // auth_failed and coming back); the light never stopped saying why.
  const between = device.statuses.slice(from, device.statuses.indexOf(retried) + 1)
  expect(between.every((s) => s.light.state === 'token_refused')).toBe(true)
  expect(device.statuses.some((s) => s.light.state === 'live')).toBe(false)
  console.log(`sim: refused token: ${between.length} status lines over ${retried.t - refused.t} ms, all ${refused.light.colour} ${refused.light.pattern}`)
}, 120_000)
