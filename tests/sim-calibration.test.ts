// Calibration from the host to the simulated device and back, over the real host's REST API: a curve set through
// PUT /api/devices/:id/config moves the output code, survives a restart from the same flash file, is undone
// through POST .../calibration/:output/undo, and a second undo with nothing left shows the device's bad_config.
import { afterEach, expect, it } from 'bun:test'
import type { Desk } from './netns/scenario.ts'
import { openDesk } from './netns/scenario.ts'
import type { SimDevice, SimStatus } from './netns/sim-device.ts'
import type { RestAnswer } from './netns/sysboy-host.ts'

const VRAM = 42.3
/** The simulated output: 10 bits, called `meter` in its hello. */
const OUTPUT = 'meter'
const MAX_CODE = 1023
/** A bent curve: half scale at code 800 rather than 512. */
const BENT = [
  { percent: 0, code: 0 },
  { percent: 50, code: 800 },
  { percent: 100, code: 1023 },
]

let desk: Desk | undefined

afterEach(async () => {
  await desk?.close()
  desk = undefined
})

/** The code a piecewise-linear curve gives for `percent`, as the device computes it. */
const codeOn = (curve: ReadonlyArray<{ percent: number; code: number }>, percent: number): number => {
  for (let i = 1; i < curve.length; i += 1) {
    const [a, b] = [curve[i - 1]!, curve[i]!]
    if (percent <= b.percent) return Math.round(a.code + ((percent - a.percent) / (b.percent - a.percent)) * (b.code - a.code))
  }
  return curve.at(-1)!.code
}
const LINEAR_CODE = codeOn([{ percent: 0, code: 0 }, { percent: 100, code: MAX_CODE }], VRAM)
const BENT_CODE = codeOn(BENT, VRAM)

/** A live needle settled on the VRAM figure, driving `code` (the needle eases, so a few codes either way). */
const settledOn = (code: number) => (s: SimStatus): boolean => s.meter === 'live' && Math.abs(s.needle - VRAM) <= 0.3 && Math.abs(s.code - code) <= 4

const rest = (method: string, path: string, body?: unknown): Promise<RestAnswer> => desk!.host!.rest(method, path, body)

interface Listed {
  id: string
  config: { bindings: unknown[]; interval_ms: number; stale_after_ms: number }
  lastError: { code: string; reason: string } | null
}

const listed = async (): Promise<Listed> => {
  const answer = await rest('GET', '/api/devices')
  const devices = answer.body as Listed[]
  expect(devices.length).toBe(1)
  return devices[0]!
}

const waitForLastError = async (test: (error: Listed['lastError']) => boolean, timeoutMs: number): Promise<Listed> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const device = await listed()
    if (test(device.lastError)) return device
    if (Date.now() > deadline) throw new Error(`no such lastError within ${timeoutMs} ms; last ${JSON.stringify(device.lastError)}`)
    await Bun.sleep(200)
  }
}

const live = (device: SimDevice, code: number, what: string): Promise<SimStatus> =>
  device.waitForStatus(`${what}: needle on ${VRAM} % at code ${code}`, settledOn(code), 20_000, device.statuses.length)

it('sets a curve through REST, keeps it across a restart, undoes it, and reports a second undo refused', async () => {
  desk = await openDesk({ vram: VRAM })
  const first = desk.device!
  await live(first, LINEAR_CODE, 'the linear curve at first')
  const { id, config } = await listed()
  const base = { bindings: config.bindings, interval_ms: config.interval_ms, stale_after_ms: config.stale_after_ms }

  // A curve the device's 10-bit output cannot take is refused by the host before anything is sent.
  const tooBig = await rest('PUT', `/api/devices/${id}/config`, { ...base, calibration: [{ output: OUTPUT, points: [{ percent: 0, code: 0 }, { percent: 100, code: 4095 }] }] })
  expect(tooBig.status).toBe(400)
  expect(tooBig.body).toMatchObject({ error: 'bad_config', field: 'calibration.0.points.1.code' })

  const from = first.events.length
  const set = await rest('PUT', `/api/devices/${id}/config`, { ...base, calibration: [{ output: OUTPUT, points: BENT }] })
  expect(set.status).toBe(200)
  await live(first, BENT_CODE, 'the bent curve')
  await first.waitForEvent('calibration saved', (e) => e.event === 'settings_saved' && e.detail?.calibration === OUTPUT, 10_000, from)
  await first.stop()

  const again = desk.startDevice([])
  const loaded = await again.waitForEvent('settings', (e) => e.event === 'settings_loaded', 10_000)
  expect(loaded.detail).toMatchObject({ calibrations: [OUTPUT], problems: [] })
  await live(again, BENT_CODE, 'the bent curve after the restart')
  // The host sends a curve once: what drives the needle now came from the flash, not from a second send.
  expect(again.events.some((e) => e.event === 'calibration_set')).toBe(false)

  const undo = await rest('POST', `/api/devices/${id}/calibration/${OUTPUT}/undo`)
  expect(undo.status).toBe(202)
  await live(again, LINEAR_CODE, 'the linear curve after the undo')
  const undone = await again.waitForEvent('undo', (e) => e.event === 'calibration_undone', 5_000)
  expect(undone.detail).toMatchObject({ output: OUTPUT, points: [{ percent: 0, code: 0 }, { percent: 100, code: MAX_CODE }] })
  expect((await listed()).lastError).toBeNull()

  const second = await rest('POST', `/api/devices/${id}/calibration/${OUTPUT}/undo`)
  expect(second.status).toBe(202)
  const refused = await waitForLastError((error) => error?.code === 'bad_config', 10_000)
  expect(refused.lastError?.reason).toContain(`'${OUTPUT}'`)
  expect(refused.lastError?.reason).toContain('nothing to undo')
  // The refusal changed nothing and the session went on.
  await live(again, LINEAR_CODE, 'the linear curve after the refused undo')
  expect(again.latest()?.link).toBe('connected')
}, 120_000)
