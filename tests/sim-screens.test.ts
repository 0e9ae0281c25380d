// The simulated device's OLED (`sysboy-sim --oled 128x64`) against the built host over a TAP: the screen's PNG is the
// host's picture of it pixel for pixel (hub, and the metric scene's graph from the history burst and the frames); it
// changes with the host's figure; a short press steps the scene and both statuses say so; an alert takes the screen
// over and blinks the LED until the figure falls below its clear_below; a stopped host leaves "no data", then "no
// host", never the old figure; and a screens config the device cannot show is refused naming the field (by the device
// when a scripted host sends it, by the host on REST), with the screen left as it was.
import { afterEach, describe, expect, it } from 'bun:test'
import type { Subprocess } from 'bun'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decode } from 'fast-png'
import type { MetricFrame, ScreenConfig, ScreenShown, SessionConfig } from '../schema/index.ts'
import { PROTOCOL_VERSION } from '../schema/index.ts'
import { buildScenesWasm } from '../host/screens/build-scenes.ts'
import { renderView } from '../host/screens/render.ts'
import { ScenesModule } from '../host/screens/scenes-module.ts'
import type { LinkInput } from '../host/screens/scenes-module.ts'
import { DEFAULT_SCENES } from '../host/screens/screen-config.ts'
import type { Desk } from './netns/scenario.ts'
import { openDesk } from './netns/scenario.ts'
import type { SimDevice, SimScreen, SimStatus } from './netns/sim-device.ts'
import { GPU_UTIL, HOST_PORT } from './netns/sysboy-host.ts'
import type { SysboyHost } from './netns/sysboy-host.ts'

const ID = 'desk-oled'
const [WIDTH, HEIGHT] = [128, 64]
const OLED = ['--oled', `${WIDTH}x${HEIGHT}`, '--device-id', ID]
/** The fake NVML's GPU temperature (tests/fixtures/nvml/fake_nvml.c), which the host reads as a steady figure too. */
const GPU_TEMP_C = 64
/** A hub of figures that hold still (the fake NVML's; cpu, ram and the network move with /proc every second). */
const STEADY_HUB = { scene: 'hub', metrics: ['vram', 'gpu_util', 'gpu_temp'] }
const VRAM_GRAPH = { scene: 'metric', metrics: ['vram'] }
const BUN = join(import.meta.dir, '..', 'node_modules', '.bin', 'bun')

let desk: Desk | undefined
let shots: string | undefined

afterEach(async () => {
  await desk?.close()
  desk = undefined
  if (shots !== undefined) rmSync(shots, { recursive: true, force: true })
  shots = undefined
})

/** One picture of the screen: the PNG's bytes and its pixels, 1 lit and 0 dark. */
interface Picture {
  png: Uint8Array
  pixels: Uint8Array
}

/** The pixels of a greyscale PNG of the screen's exact size (lit = non-zero). */
const pixelsOf = (png: Uint8Array, what: string): Uint8Array => {
  const image = decode(png)
  expect({ what, width: image.width, height: image.height, channels: image.channels }).toEqual({ what, width: WIDTH, height: HEIGHT, channels: 1 })
  return Uint8Array.from(image.data, (v) => (v === 0 ? 0 : 1))
}

const differing = (a: Uint8Array, b: Uint8Array): number => a.reduce((n, v, i) => n + (v === b[i] ? 0 : 1), 0)
const lit = (a: Uint8Array): number => a.reduce((n, v) => n + v, 0)

let shot = 0
/** The simulator's screen now, through its `screen PATH` command (into this test's temp dir). */
const simPicture = async (device: SimDevice, name: string): Promise<Picture & { hash: string }> => {
  shots ??= mkdtempSync(join(tmpdir(), 'sysboy-sim-screens-'))
  shot += 1
  const path = join(shots, `${name}-${shot}.png`)
  const hash = await device.saveScreen(path)
  const png = new Uint8Array(readFileSync(path))
  return { png, pixels: pixelsOf(png, `the simulator's ${name}`), hash }
}

/** The host's picture of the device's screen, `GET /api/devices/:id/screens/oled.png`. */
const hostPicture = async (host: SysboyHost, name: string): Promise<Picture> => {
  const answer = await host.screenPng(ID, 'oled')
  expect({ status: answer.status, type: answer.type }).toEqual({ status: 200, type: 'image/png' })
  return { png: answer.body, pixels: pixelsOf(answer.body, `the host's ${name}`) }
}

/** Keeps pictures that did not match where a person can look at them, and says where. */
const keep = (pictures: Record<string, Uint8Array>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'sysboy-screens-mismatch-'))
  for (const [name, png] of Object.entries(pictures)) writeFileSync(join(dir, `${name}.png`), png)
  return dir
}

/**
 * Asks the simulator and the host for the screen until the two pictures are the same pixels (a frame may land
 * between the two asks), within `timeoutMs`; on failure both PNGs are kept and the message says where.
 */
const matching = async (host: SysboyHost, device: SimDevice, name: string, timeoutMs = 10_000): Promise<Picture & { hash: string; tries: number }> => {
  const deadline = Date.now() + timeoutMs
  for (let tries = 1; ; tries++) {
    const fromHost = await hostPicture(host, name)
    const fromSim = await simPicture(device, name)
    const diff = differing(fromSim.pixels, fromHost.pixels)
    if (diff === 0) return { ...fromSim, tries }
    if (Date.now() > deadline) {
      const dir = keep({ sim: fromSim.png, host: fromHost.png })
      throw new Error(`${name}: the simulator's screen and the host's picture differ in ${diff} of ${WIDTH * HEIGHT} pixels after ${tries} tries in ${timeoutMs} ms; both PNGs kept in ${dir}`)
    }
    await Bun.sleep(50)
  }
}

let scenes: ScenesModule | undefined
/** The state scene with `link`, drawn by the scenes module (the host's WASM build of the board's scene code). */
const stateScene = async (link: LinkInput): Promise<Uint8Array> => {
  if (scenes === undefined) {
    await buildScenesWasm()
    scenes = await ScenesModule.load()
  }
  return Uint8Array.from(renderView(scenes, { scene: 'state', figures: [], link }, { width: WIDTH, height: HEIGHT, depth: 1 }), (v) => (v === 0 ? 0 : 1))
}

/** Waits for the simulator's screen to pass `test` (on a status line from `from` on). */
const showing = (device: SimDevice, what: string, test: (screen: SimScreen, status: SimStatus) => boolean, timeoutMs: number, from = 0): Promise<SimStatus> =>
  device.waitForStatus(what, (s) => s.screen !== undefined && test(s.screen, s), timeoutMs, from)

interface Listed {
  id: string
  config: SessionConfig
  screens: ScreenShown[] | null
  lastError: { code: string; reason: string } | null
}

const listed = async (host: SysboyHost): Promise<Listed> => {
  const devices = (await host.devices()) as unknown as Listed[]
  const device = devices.find((d) => d.id === ID)
  if (device === undefined) throw new Error(`GET /api/devices has no ${ID}: ${JSON.stringify(devices)}`)
  return device
}

/** PUTs the device's config with `screens` (and the rest as it is), returning the answer. */
const putScreens = async (host: SysboyHost, screens: unknown, change: Partial<SessionConfig> = {}): Promise<{ status: number; body: unknown }> => {
  const { config } = await listed(host)
  const { screens: _screens, ...rest } = config
  return host.rest('PUT', `/api/devices/${ID}/config`, { ...rest, ...change, screens })
}

/** A desk with the real host at `vram` and the simulated device with its OLED, live with the host's default screens. */
const liveDesk = async (vram: number): Promise<{ host: SysboyHost; device: SimDevice }> => {
  desk = await openDesk({ vram, simArgs: OLED })
  const device = desk.device!
  await showing(device, 'the default hub', (screen, s) => s.meter === 'live' && screen.scene === 'hub', 30_000)
  return { host: desk.host!, device }
}

/** Lays the screen out as `scenes` (and `more`) over REST, and waits until the device shows the first of them. */
const layOut = async (host: SysboyHost, device: SimDevice, scenes: ScreenConfig['scenes'], more: Partial<ScreenConfig> = {}): Promise<SimStatus> => {
  const from = device.events.length
  const put = await putScreens(host, [{ output: 'oled', scenes, width: WIDTH, height: HEIGHT, ...more }])
  expect(put.status).toBe(200)
  const config = await device.waitForEvent('the new config', (e) => e.event === 'config', 5_000, from)
  return showing(device, `${scenes[0]?.scene} at index 0`, (screen, s) => s.t >= config.t && screen.scene === scenes[0]?.scene && screen.index === 0, 5_000)
}

/** The host's newest vram frame, `GET /api/metrics`. */
const hostVram = async (host: SysboyHost): Promise<MetricFrame | undefined> => ((await host.rest('GET', '/api/metrics')).body as Record<string, MetricFrame>).vram

/** Polls `check` until it gives a value, failing after `timeoutMs` with `what`. */
const until = async <T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = await check()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`)
    await Bun.sleep(100)
  }
}

describe('the simulated OLED with the built host', () => {
  it("shows the host's picture pixel for pixel: a steady hub, and the metric scene's graph from the history burst and the frames", async () => {
    desk = await openDesk({ vram: 30, device: false })
    const host = desk.host!
    // A ramp in the host's vram history before the device comes, so the graph starts from a burst that is not flat.
    for (const vram of [30, 55, 80, 42.3]) {
      host.setVram(vram)
      const reached = await until(`vram ${vram} % sampled`, async () => {
        const frame = await hostVram(host)
        return frame?.value !== undefined && frame.value !== null && Math.abs(frame.value - vram) < 0.01 ? frame : undefined
      }, 5_000)
      // A few samples of each step, so each is a few columns of the graph.
      await until(`vram ${vram} % sampled four times`, async () => ((await hostVram(host))?.seq ?? 0) >= (reached.seq ?? 0) + 4 || undefined, 5_000)
    }
    const device = desk.startDevice([...desk.hostArgs, '--backoff-max-ms', '4000', ...OLED])
    await showing(device, 'the default hub', (screen, s) => s.meter === 'live' && screen.scene === 'hub', 30_000)
    const { config } = await listed(host)
    expect(config.screens).toEqual([{ output: 'oled', scenes: DEFAULT_SCENES, width: WIDTH, height: HEIGHT }])

    await layOut(host, device, [STEADY_HUB, VRAM_GRAPH])
    const hub = await matching(host, device, 'hub')
    expect(lit(hub.pixels)).toBeGreaterThan(200)

    const from = device.statuses.length
    device.press('short')
    await showing(device, 'the metric scene', (screen) => screen.scene === 'metric' && screen.index === 1, 5_000, from)
    const graph = await matching(host, device, 'metric')
    expect(differing(graph.pixels, hub.pixels)).toBeGreaterThan(200)
    // The graph's columns, left to right: the burst's ramp (30, 55, 80 %) then the frames' steady 42.3 %, each a run of
    // columns whose filled area tops out higher the higher the value (rows below the text; row 63 is the empty axis).
    const topOf = (x: number): number => {
      for (let y = HEIGHT / 2 + 1; y < HEIGHT - 1; y++) if (graph.pixels[y * WIDTH + x] === 1) return y
      return HEIGHT
    }
    const tops = Array.from({ length: WIDTH }, (_, x) => topOf(x)).filter((y) => y < HEIGHT)
    const steps = tops.filter((y, i) => i === 0 || tops[i - 1] !== y)
    expect(steps).toHaveLength(4)
    const [at30, at55, at80, atNow] = steps as [number, number, number, number]
    expect(at30 > at55 && at55 > at80 && atNow > at80 && atNow < at30).toBe(true)
    console.log(
      `sim screens: hub matched the host in ${hub.tries} tries (${lit(hub.pixels)} lit); metric graph in ${graph.tries} tries ` +
        `(${lit(graph.pixels)} lit, ${tops.length} columns of history, tops by step ${steps.join(' → ')})`,
    )
  }, 90_000)

  it("changes when the host's figure changes, and is the host's picture again", async () => {
    const { host, device } = await liveDesk(42.3)
    await layOut(host, device, [STEADY_HUB, VRAM_GRAPH])
    const before = await matching(host, device, 'hub at 42.3 %')
    const steadyFrom = device.statuses.length
    // A steady figure draws a steady picture: the hash holds for a second of the device's clock.
    const start = device.latest()!
    await device.waitForStatus('a second of a steady hub', (s) => s.t >= start.t + 1_000, 5_000, steadyFrom)
    expect(new Set(device.statuses.slice(steadyFrom).map((s) => s.screen?.hash))).toEqual(new Set([before.hash]))

    const from = device.statuses.length
    const setAt = Date.now()
    host.setVram(71.2)
    const changed = await showing(device, 'a new picture', (screen) => screen.hash !== before.hash, 5_000, from)
    const changedMs = Date.now() - setAt
    expect(changed.screen).toMatchObject({ scene: 'hub', index: 0 })
    expect(Math.abs(changed.target - 71.2)).toBeLessThan(0.05)
    // The host samples every 200 ms and sends at once; the device draws within its 20 ms display tick.
    expect(changedMs).toBeLessThan(1_000)
    const after = await matching(host, device, 'hub at 71.2 %')
    expect(after.hash).not.toBe(before.hash)
    const diff = differing(after.pixels, before.pixels)
    expect(diff).toBeGreaterThan(0)
    console.log(`sim screens: vram 42.3 → 71.2 %: a new picture (hash ${before.hash} → ${after.hash}, ${diff} pixels) ${changedMs} ms after the fake NVML moved; matched the host in ${after.tries} tries`)
  }, 90_000)

  it("steps to the next scene on a short press, and the simulator's status and the host's /api/devices say which", async () => {
    const { host, device } = await liveDesk(42.3)
    const { config } = await listed(host)
    // A device with a button gets the default scenes with no carousel: the button steps them.
    expect(config.screens).toEqual([{ output: 'oled', scenes: DEFAULT_SCENES, width: WIDTH, height: HEIGHT }])
    await host.waitForDevice('the hub in the status', (d) => JSON.stringify((d as unknown as Listed).screens) === JSON.stringify([{ output: 'oled', scene: 'hub', index: 0 }]), 10_000)
    // The needle comes down to its value from full scale, where the boot sweep leaves it (firmware-rs/device/src/meter/
    // needle.rs, `boot`), in 300 ms to 99 % of the step and with up to 1 % of it as overshoot, 0.6 points here
    // (ballistics.rs, the default). Five settle times on, by the device's clock, it is still; the presses below must
    // leave it there.
    const live = device.statuses.find((s) => s.meter === 'live')
    if (live === undefined) throw new Error('the device never went live')
    await device.waitForStatus('the needle settled at 42.3 %', (s) => s.meter === 'live' && s.t >= live.t + 5 * 300 && Math.abs(s.needle - 42.3) < 0.5, 5_000)
    const timings: string[] = []
    const fromEvents = device.events.length
    for (const index of [1, 2, 0]) {
      const scene = DEFAULT_SCENES[index]!.scene as SimScreen['scene']
      const from = device.statuses.length
      const pressedAt = Date.now()
      device.press('short')
      const stepped = await showing(device, `${scene} at index ${index}`, (screen) => screen.scene === scene && screen.index === index, 3_000, from)
      const simMs = Date.now() - pressedAt
      // Only that step: no status line in between shows another scene.
      const between = device.statuses.slice(from, device.statuses.indexOf(stepped)).map((s) => s.screen?.index)
      expect(between.every((i) => i === (index + 2) % 3)).toBe(true)
      const shown = [{ output: 'oled', scene, index }]
      await host.waitForDevice(`${scene} in /api/devices`, (d) => JSON.stringify((d as unknown as Listed).screens) === JSON.stringify(shown), 5_000)
      timings.push(`${scene} #${index}: sim ${simMs} ms, host ${Date.now() - pressedAt} ms`)
      // The meter keeps its own binding beside the screen.
      expect(stepped.metric).toBe('vram')
      expect(Math.abs(stepped.needle - 42.3)).toBeLessThan(0.5)
    }
    // With a screen a short press steps the scenes and asks the host nothing.
    expect(device.events.slice(fromEvents).filter((e) => e.event === 'ack' || e.event === 'config')).toEqual([])
    console.log(`sim screens: short presses → ${timings.join('; ')}`)
  }, 90_000)

  it('lets vram past its limit take the screen over with a blinking LED, holds it above clear_below, and gives the hub back below it', async () => {
    const { host, device } = await liveDesk(42.3)
    await layOut(host, device, [STEADY_HUB, VRAM_GRAPH], { alerts: [{ metric: 'vram', above: 80, clear_below: 60 }] })
    await matching(host, device, 'hub before the alert')
    expect(device.latest()!.light).toMatchObject({ state: 'live', pattern: 'solid' })

    let from = device.statuses.length
    let setAt = Date.now()
    host.setVram(90)
    const alert = await showing(device, 'the vram alert', (screen) => screen.scene === 'alert', 5_000, from)
    const alertMs = Date.now() - setAt
    // As fast as any new figure reaches the screen (see the test above): a sampler interval and a display tick.
    expect(alertMs).toBeLessThan(1_000)
    expect(alert.screen).toMatchObject({ output: 'oled', scene: 'alert', alert: 'vram' })
    expect(alert.screen?.index).toBeUndefined()
    expect(alert.light).toMatchObject({ state: 'alert', colour: 'red', pattern: 'blink' })
    // The screen and the LED turn on the very frame that passed the limit.
    expect(Math.abs(alert.target - 90)).toBeLessThan(0.05)
    expect(device.statuses.slice(from, device.statuses.indexOf(alert)).every((s) => s.screen?.scene === 'hub' && s.light.state === 'live')).toBe(true)
    await host.waitForDevice('the alert in /api/devices', (d) => JSON.stringify((d as unknown as Listed).screens) === JSON.stringify([{ output: 'oled', scene: 'alert', alert: 'vram' }]), 5_000)
    const at90 = await matching(host, device, 'alert at 90 %')

    // Between clear_below (60) and the limit (80) the alert holds: two seconds of the device's clock at 70 %.
    from = device.statuses.length
    host.setVram(70)
    const at70 = await device.waitForStatus('vram 70 % on the device', (s) => Math.abs(s.target - 70) < 0.05, 5_000, from)
    const held = await device.waitForStatus('two seconds at 70 %', (s) => s.t >= at70.t + 2_000, 5_000, device.statuses.indexOf(at70))
    const window = device.statuses.slice(device.statuses.indexOf(at70), device.statuses.indexOf(held) + 1)
    expect(window.length).toBeGreaterThanOrEqual(5)
    expect(window.filter((s) => s.screen?.scene !== 'alert' || s.light.pattern !== 'blink')).toEqual([])
    const at70Picture = await matching(host, device, 'alert at 70 %')
    expect(differing(at70Picture.pixels, at90.pixels)).toBeGreaterThan(0)

    // Below clear_below the hub comes back, and the LED is solid green again.
    from = device.statuses.length
    setAt = Date.now()
    host.setVram(50)
    const back = await showing(device, 'the hub again', (screen) => screen.scene === 'hub' && screen.index === 0, 5_000, from)
    const backMs = Date.now() - setAt
    expect(backMs).toBeLessThan(1_000)
    expect(Math.abs(back.target - 50)).toBeLessThan(0.05)
    expect(back.light).toMatchObject({ state: 'live', colour: 'green', pattern: 'solid' })
    expect(device.statuses.slice(from, device.statuses.indexOf(back)).every((s) => s.screen?.scene === 'alert')).toBe(true)
    await host.waitForDevice('the hub in /api/devices', (d) => JSON.stringify((d as unknown as Listed).screens) === JSON.stringify([{ output: 'oled', scene: 'hub', index: 0 }]), 5_000)
    await matching(host, device, 'hub after the alert')
    console.log(`sim screens: alert ${alertMs} ms after vram went to 90 % (limit 80); held ${held.t - at70.t} ms at 70 % over ${window.length} status lines; hub back ${backMs} ms after 50 % (clear_below 60)`)
  }, 90_000)

  it('shows "no data" once the frozen host\'s figures go stale, then "no host" once it is gone, never the old figure as live', async () => {
    desk = await openDesk({ vram: 42.3, simArgs: OLED })
    const device = desk.device!
    const host = desk.host!
    const config = await device.waitForEvent('config from the host', (e) => e.event === 'config', 30_000)
    const staleAfterMs = Number(config.detail?.stale_after_ms)
    expect(staleAfterMs).toBeGreaterThan(0)
    await showing(device, 'the default hub', (screen, s) => s.meter === 'live' && screen.scene === 'hub', 10_000)
    await layOut(host, device, [STEADY_HUB, VRAM_GRAPH])
    const live = await matching(host, device, 'hub before the freeze')
    const [noData, noHost] = await Promise.all([stateScene({ state: 'no_data' }), stateScene({ state: 'no_host' })])

    await host.setFrozen(true)
    const frozenAt = device.latest()!.t
    const from = device.statuses.length
    // No frame comes: once the newest is stale_after_ms old, the screen says "no data".
    const stale = await showing(device, 'the state scene', (screen) => screen.scene === 'state', staleAfterMs + 2_000, from)
    const staleAfter = stale.t - frozenAt
    // The newest frame left at most one sampler interval (200 ms) before the freeze; a status line comes within 200 ms.
    expect(staleAfter).toBeGreaterThanOrEqual(staleAfterMs - 300)
    expect(staleAfter).toBeLessThanOrEqual(staleAfterMs + 300)
    expect(stale.screen?.index).toBeUndefined()
    // Until then it showed the last figure it had been sent, as the meter did (the host was live up to the freeze).
    expect(device.statuses.slice(from, device.statuses.indexOf(stale)).every((s) => s.screen?.scene === 'hub')).toBe(true)
    const staleShot = await simPicture(device, 'no-data')
    const staleDiff = differing(staleShot.pixels, noData)
    if (staleDiff !== 0) throw new Error(`the stale screen is not the "no data" state scene: ${staleDiff} pixels differ; kept in ${keep({ sim: staleShot.png })}`)

    // The host is gone for good: the link drops at once (the kernel resets the socket) and the screen says "no host".
    const killedFrom = device.statuses.length
    const killedAt = device.latest()!.t
    await host.kill()
    const gone = await device.waitForStatus('the link down', (s) => s.link !== 'connected' && s.screen?.scene === 'state' && s.screen.hash !== staleShot.hash, 5_000, killedFrom)
    const goneAfter = gone.t - killedAt
    expect(goneAfter).toBeLessThan(500)
    const goneShot = await simPicture(device, 'no-host')
    const goneDiff = differing(goneShot.pixels, noHost)
    if (goneDiff !== 0) throw new Error(`the screen without a host is not the "no host" state scene: ${goneDiff} pixels differ; kept in ${keep({ sim: goneShot.png })}`)
    expect(goneShot.hash).toBe(gone.screen!.hash)
    // From "no data" on, nothing showed the old figure or any scene but the state's.
    const after = device.statuses.slice(device.statuses.indexOf(stale))
    expect(after.filter((s) => s.screen?.scene !== 'state' || s.screen.hash === live.hash)).toEqual([])
    console.log(
      `sim screens: stale_after_ms ${staleAfterMs}; "no data" ${staleAfter} ms after SIGSTOP (light ${stale.light.state}); ` +
        `"no host" ${goneAfter} ms after SIGKILL (link ${gone.link}, light ${gone.light.state}); ${after.length} status lines since, all the state scene`,
    )
  }, 90_000)
})

/** Screens configs the simulated 128x64 OLED cannot show, with the field its refusal names and the host's REST field. */
const UNSHOWABLE: Array<{ what: string; screens: ScreenConfig[]; device: string; rest: string }> = [
  {
    what: 'an unknown scene',
    screens: [{ output: 'oled', scenes: [STEADY_HUB, { scene: 'clock', metrics: ['vram'] }] }],
    device: 'screens[0].scenes[1].scene: unknown scene "clock"',
    rest: 'screens.0.scenes.1.scene',
  },
  {
    what: 'five figures in the hub',
    screens: [{ output: 'oled', scenes: [{ scene: 'hub', metrics: ['vram', 'gpu_util', 'gpu_temp', 'cpu', 'ram'] }] }],
    device: 'screens[0].scenes[0].metrics: the hub holds 1 to 4 figures, got 5',
    rest: 'screens.0.scenes.0.metrics',
  },
  {
    what: 'a size it does not have',
    screens: [{ output: 'oled', scenes: [STEADY_HUB], width: 320, height: 240 }],
    device: 'screens[0].width: this screen is 128x64, not 320x240',
    rest: 'screens.0.width',
  },
  {
    what: 'a height it does not have',
    screens: [{ output: 'oled', scenes: [STEADY_HUB], width: WIDTH, height: 32 }],
    device: 'screens[0].height: this screen is 128x64, not 128x32',
    rest: 'screens.0.height',
  },
]

/** What the scripted host heard, line by line. */
interface Heard {
  event: string
  message?: { type: string; code?: string; reason?: string; outputs?: unknown[]; screens?: ScreenShown[] }
}

/** The scripted host (tests/netns/scripted-host.ts) in the desk's namespace, with what it hears collected. */
const scriptedHost = (theDesk: Desk): { heard: Heard[]; send: (frame: unknown) => void; next: (what: string, test: (h: Heard) => boolean, from: number) => Promise<Heard> } => {
  const server = theDesk.namespace.spawn([BUN, join(import.meta.dir, 'netns', 'scripted-host.ts'), theDesk.namespace.kernelIp, String(HOST_PORT)], {}, 'pipe') as Subprocess<'pipe', 'pipe', 'pipe'>
  const heard: Heard[] = []
  void (async () => {
    const decoder = new TextDecoder()
    let pending = ''
    for await (const chunk of server.stdout) {
      pending += decoder.decode(chunk, { stream: true })
      for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
        heard.push(JSON.parse(pending.slice(0, newline)) as Heard)
        pending = pending.slice(newline + 1)
      }
    }
  })()
  const send = (frame: unknown): void => {
    server.stdin.write(`${JSON.stringify(frame)}\n`)
    server.stdin.flush()
  }
  const next = async (what: string, test: (h: Heard) => boolean, from: number): Promise<Heard> => {
    const deadline = Date.now() + 10_000
    for (;;) {
      const found = heard.slice(from).find(test)
      if (found !== undefined) return found
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`scripted host: no ${what} within 10 s; heard ${JSON.stringify(heard.slice(-5))}`)
      await Bun.sleep(20)
    }
  }
  return { heard, send, next }
}

describe('a screens config the simulated OLED cannot show', () => {
  it('is refused by the device with bad_config naming the field when a scripted host sends it, and the screen keeps what it showed', async () => {
    desk = await openDesk({ device: false })
    const host = scriptedHost(desk)
    await host.next('listening', (h) => h.event === 'listening', 0)
    const device = desk.startDevice([...desk.hostArgs, '--backoff-max-ms', '2000', ...OLED])
    const hello = await host.next('the hello', (h) => h.message?.type === 'hello', 0)
    expect(hello.message?.outputs).toContainEqual({ id: 'oled', kind: 'oled', bits: 1, width: WIDTH, height: HEIGHT })
    const config: SessionConfig = {
      bindings: [{ output: 'meter', metric: 'vram' }],
      interval_ms: 200,
      stale_after_ms: 5_000,
      screens: [{ output: 'oled', scenes: [STEADY_HUB, VRAM_GRAPH], width: WIDTH, height: HEIGHT }],
    }
    host.send({ type: 'welcome', protocol: PROTOCOL_VERSION, host: 'scripted', version: '0.0.0-test', config })
    // Full, flat histories, so the graph holds still too.
    for (const [name, value] of [['vram', 42.3], ['gpu_util', GPU_UTIL], ['gpu_temp', GPU_TEMP_C]] as const) {
      host.send({ type: 'history', name, interval_ms: 200, values: Array.from({ length: 128 }, () => value) })
    }
    const frames = [{ type: 'vram', value: 42.3 }, { type: 'gpu_util', value: GPU_UTIL }, { type: 'gpu_temp', value: GPU_TEMP_C, raw: GPU_TEMP_C, unit: '°C' }]
    host.send({ repeat_ms: 200, frames })
    await showing(device, 'the hub', (screen, s) => s.meter === 'live' && screen.scene === 'hub' && screen.index === 0, 30_000)
    let from = device.statuses.length
    device.press('short')
    const graph = await showing(device, 'the metric scene', (screen) => screen.scene === 'metric' && screen.index === 1, 3_000, from)
    // Steady: the same picture for a second of the device's clock.
    from = device.statuses.length
    const steadyUntil = await device.waitForStatus('a second of the graph', (s) => s.t >= graph.t + 1_000, 5_000, from)
    const shownBefore = steadyUntil.screen!
    expect(device.statuses.slice(from).every((s) => s.screen?.hash === shownBefore.hash)).toBe(true)
    const before = await simPicture(device, 'before')

    const refusals: string[] = []
    for (const bad of UNSHOWABLE) {
      const fromHeard = host.heard.length
      const fromEvents = device.events.length
      const fromStatus = device.statuses.length
      host.send({ type: 'config', ...config, stale_after_ms: 4_000, screens: bad.screens })
      const error = await host.next(`bad_config for ${bad.what}`, (h) => h.message?.type === 'error', fromHeard)
      expect(error.message).toMatchObject({ type: 'error', code: 'bad_config' })
      expect(error.message?.reason?.startsWith(bad.device)).toBe(true)
      refusals.push(error.message?.reason ?? '')
      // The rest of the config applies (the meter's part); the screens are left as they were.
      const applied = await device.waitForEvent('the rest of the config applied', (e) => e.event === 'config', 3_000, fromEvents)
      expect(applied.detail).toMatchObject({ metric: 'vram', stale_after_ms: 4_000 })
      const settled = await device.waitForStatus('a second after the refusal', (s) => s.t >= applied.t + 1_000, 5_000, fromStatus)
      const since = device.statuses.slice(fromStatus, device.statuses.indexOf(settled) + 1)
      expect(since.filter((s) => s.screen?.scene !== 'metric' || s.screen.index !== 1 || s.screen.hash !== shownBefore.hash || s.link !== 'connected')).toEqual([])
      // Only the one error: no status saying the screen changed.
      expect(host.heard.slice(fromHeard).filter((h) => h.message?.type === 'error')).toHaveLength(1)
      expect(host.heard.slice(fromHeard).filter((h) => h.message?.type === 'status' && h.message.screens !== undefined && JSON.stringify(h.message.screens) !== JSON.stringify([{ output: 'oled', scene: 'metric', index: 1 }]))).toEqual([])
    }
    expect(device.events.filter((e) => e.event === 'screens_refused')).toEqual([])
    const after = await simPicture(device, 'after')
    expect(after.hash).toBe(before.hash)
    expect(differing(after.pixels, before.pixels)).toBe(0)
    console.log(`sim screens: refused by the device, the screen unchanged (${shownBefore.scene} #${shownBefore.index}, ${shownBefore.hash}):\n  ${refusals.join('\n  ')}`)
  }, 90_000)

  it('is refused by the host on REST with 400 naming the field, and nothing reaches the device', async () => {
    const { host, device } = await liveDesk(42.3)
    await layOut(host, device, [STEADY_HUB, VRAM_GRAPH])
    const shown = await matching(host, device, 'hub before the refusals')
    const before = await listed(host)
    const fromEvents = device.events.length
    const fromStatus = device.statuses.length
    const fields: string[] = []
    const startedAt = Date.now()
    for (const bad of UNSHOWABLE) {
      const answer = await putScreens(host, bad.screens)
      expect(answer.status).toBe(400)
      expect(answer.body).toMatchObject({ error: 'bad_config', field: bad.rest })
      fields.push(`${bad.rest}: ${(answer.body as { reason: string }).reason}`)
    }
    expect((await listed(host)).config).toEqual(before.config)
    const refusingMs = Date.now() - startedAt
    // A config that is fine, with a stale timeout to know it by: the first config the device gets after the refusals.
    const good = await putScreens(host, [{ output: 'oled', scenes: [STEADY_HUB, VRAM_GRAPH], width: WIDTH, height: HEIGHT }], { stale_after_ms: 4_321 })
    expect(good.status).toBe(200)
    const applied = await device.waitForEvent('the good config', (e) => e.event === 'config', 5_000, fromEvents)
    expect(applied.detail).toMatchObject({ stale_after_ms: 4_321 })
    expect(device.events.slice(fromEvents).filter((e) => e.event === 'config')).toHaveLength(1)
    // Until then the screen showed what it did before.
    const untilGood = device.statuses.slice(fromStatus).filter((s) => s.t < applied.t)
    expect(untilGood.length).toBeGreaterThan(0)
    expect(untilGood.filter((s) => s.screen?.scene !== 'hub' || s.screen.hash !== shown.hash)).toEqual([])
    expect(before.config.screens).toEqual([{ output: 'oled', scenes: [STEADY_HUB, VRAM_GRAPH], width: WIDTH, height: HEIGHT }])
    expect(before.lastError).toBeNull()
    expect((await listed(host)).lastError).toBeNull()
    console.log(`sim screens: refused by the host in ${refusingMs} ms, nothing sent (${untilGood.length} status lines until the good config, one picture):\n  ${fields.join('\n  ')}`)
  }, 90_000)
})
