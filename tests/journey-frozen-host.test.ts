// A frozen host (`SIGSTOP`): its socket stays half-open, with no FIN and no RST, and the kernel still ACKs what the
// board sends. The needle must still park at "no data", the board must give up on the dead session and keep retrying,
// and once the host runs again (`SIGCONT`) the needle follows its figure.
import { afterEach, expect, it } from 'bun:test'
import type { Desk } from './netns/scenario.ts'
import { openDesk } from './netns/scenario.ts'

/** The device's silence timeout: `LinkConfig::new`'s `silence_ms` (firmware-rs/device/src/link/config.rs). */
const SILENCE_MS = 30_000
/** The longest reconnect wait on the desk (tests/netns/scenario.ts passes --backoff-max-ms 4000). */
const BACKOFF_MAX_MS = 4_000

let desk: Desk | undefined

afterEach(async () => {
  await desk?.close()
  desk = undefined
})

const near = (value: number, target: number, tolerance = 0.5): boolean => Math.abs(value - target) <= tolerance

it('parks the needle while the host is frozen, drops the half-open session, and follows again once it runs', async () => {
  desk = await openDesk({ vram: 42.3 })
  const device = desk.device!
  const host = desk.host!
  const config = await device.waitForEvent('config from the host', (e) => e.event === 'config', 20_000)
  const staleAfterMs = Number(config.detail?.stale_after_ms)
  expect(staleAfterMs).toBeGreaterThan(0)
  await device.waitForStatus('live vram', (s) => s.meter === 'live' && near(s.needle, 42.3), 10_000)

  await host.setFrozen(true)
  const frozenAt = device.latest()!.t
  const frozenWall = Date.now()
  const fromStatus = device.statuses.length
  const fromEvent = device.events.length

  // The meter's own stale timeout parks the needle long before the link gives up on the session.
  const parked = await device.waitForStatus('parked needle', (s) => s.meter !== 'live' && s.needle < 1, staleAfterMs + 5_000, fromStatus)
  const parkedAfter = parked.t - frozenAt
  expect(parked.meter).toBe('stale')
  // Stale after the last frame (one sampler interval before the freeze at most), eased down within a report period.
  expect(parkedAfter).toBeLessThanOrEqual(staleAfterMs + 1_000)

  // The kernel keeps the frozen host's socket up, so only the link's silence timeout can end the session.
  const dropped = await device.waitForEvent('session dropped', (e) => e.event === 'disconnected', SILENCE_MS + 10_000, fromEvent)
  const droppedAfter = dropped.t - frozenAt
  expect(droppedAfter).toBeGreaterThanOrEqual(SILENCE_MS - 1_000)
  expect(droppedAfter).toBeLessThanOrEqual(SILENCE_MS + 1_000)
  expect(String(dropped.detail?.reason)).toContain('silent host')

  // The board reconnects: the frozen host's kernel completes the TCP handshake, the upgrade goes unanswered, and the
  // board gives up on it and tries again rather than hanging on the connection.
  const fromRetry = device.events.length
  const unanswered = await device.waitForEvent('an unanswered upgrade', (e) => e.event === 'disconnected' && /upgrade/.test(String(e.detail?.reason)), 20_000, fromRetry)

  host.setVram(63.4)
  await host.setFrozen(false)
  const thawedAt = device.latest()!.t
  const fromThaw = device.events.length
  const back = await device.waitForStatus('needle on the host figure again', (s) => s.meter === 'live' && near(s.needle, 63.4), 10_000, device.statuses.length)
  const followedAfter = back.t - thawedAt
  // From parking until the host ran again, nothing passed for live.
  expect(device.statuses.slice(fromStatus).filter((s) => s.t >= parked.t && s.t <= thawedAt && s.meter === 'live')).toEqual([])
  // At worst the board is at the start of its longest backoff (4 s on this desk) when the host runs again.
  expect(followedAfter).toBeLessThanOrEqual(BACKOFF_MAX_MS + 2_000)
  await device.waitForEvent('a new live session', (e) => e.event === 'live', 1_000, fromThaw)
  // The host holds one session for the board: the new one, not the half-open one from before the freeze.
  const listed = await host.devices()
  expect(listed).toHaveLength(1)
  expect(Date.parse(listed[0]!.connectedSince)).toBeGreaterThan(frozenWall)
  console.log(
    `frozen host: stale_after_ms ${staleAfterMs}; parked ${parkedAfter} ms after SIGSTOP; session dropped after ${droppedAfter} ms ` +
      `(silence ${SILENCE_MS} ms); unanswered upgrade ended at +${unanswered.t - frozenAt} ms; following again ${followedAfter} ms after SIGCONT`,
  )
}, 120_000)
