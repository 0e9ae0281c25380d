import { describe, expect, it } from 'bun:test'
import type { Hello, Output, ScreenConfig, SessionConfig } from '../../schema/index.ts'
import { BUILTIN_METRICS } from '../../schema/index.ts'
import { DEFAULT_CAROUSEL_MS, DEFAULT_SCENES, checkScreens, defaultScreen, screenMetrics, withScreens } from './screen-config.ts'

const OFFERED = [...BUILTIN_METRICS]
const meter: Output = { id: 'meter', kind: 'pwm', bits: 10 }
const oled: Output = { id: 'oled', kind: 'oled', bits: 1, width: 128, height: 64 }
const outputs = [meter, oled]
const hello = (buttons: string[] = ['select']): Hello => ({
  type: 'hello',
  protocol: 1,
  device: 'desk-1',
  firmware: '0.2.0',
  chip: 'sim',
  outputs,
  buttons: buttons.map((id) => ({ id })),
})
const base: SessionConfig = { bindings: [{ output: 'meter', metric: 'vram' }], interval_ms: 1_000, stale_after_ms: 3_000 }
const screen = (fields: Partial<ScreenConfig> = {}): ScreenConfig => ({ output: 'oled', scenes: [{ scene: 'hub', metrics: ['cpu'] }], ...fields })

describe('default screens', () => {
  it('shows the hub of vram, cpu, gpu_temp and ram, the vram graph and the network, sized as the hello says', () => {
    expect(defaultScreen(oled, true, OFFERED)).toEqual({ output: 'oled', scenes: DEFAULT_SCENES, width: 128, height: 64 })
    expect(DEFAULT_SCENES.map((s) => `${s.scene}:${s.metrics.join(',')}`)).toEqual(['hub:vram,cpu,gpu_temp,ram', 'metric:vram', 'network:net_rx,net_tx'])
  })

  it('turns the scenes every 10 s on a device without a button, which has no other way to step', () => {
    expect(defaultScreen(oled, false, OFFERED).carousel_ms).toBe(DEFAULT_CAROUSEL_MS)
    expect(defaultScreen(oled, true, OFFERED).carousel_ms).toBeUndefined()
  })

  it('leaves out metrics the host does not offer, and a scene left without enough of them', () => {
    expect(defaultScreen(oled, true, ['cpu', 'ram', 'net_rx']).scenes).toEqual([{ scene: 'hub', metrics: ['cpu', 'ram'] }])
  })

  it('fills in every screen a config leaves out, and leaves a device without screens as it is', () => {
    const filled = withScreens(base, hello(), OFFERED)
    expect(filled.screens?.map((s) => s.output)).toEqual(['oled'])
    expect(checkScreens(filled.screens ?? [], outputs, OFFERED)).toBeUndefined()
    const own = { ...base, screens: [screen()] }
    expect(withScreens(own, hello(), OFFERED)).toBe(own)
    expect(withScreens(base, { ...hello(), outputs: [meter] }, OFFERED)).toBe(base)
  })

  it('lays out each screen id once and at most four screens, so the welcome stays one a device can decode', () => {
    // Found by the DeviceGate fuzz property: a hello naming screen "a" five times got five layouts (schema: at most 4).
    const twice = (id: string): Output[] => [{ ...oled, id }, { ...oled, id }]
    const many = { ...hello(), outputs: [meter, ...twice('a'), ...twice('b'), ...twice('c'), ...twice('d'), ...twice('e')] }
    expect(withScreens(base, many, OFFERED).screens?.map((s) => s.output)).toEqual(['a', 'b', 'c', 'd'])
    const given = { ...base, screens: [screen({ output: 'e' })] }
    expect(withScreens(given, many, OFFERED).screens?.map((s) => s.output)).toEqual(['e', 'a', 'b', 'c'])
  })

  it('counts every scene metric and every alert metric as shown', () => {
    const config = { ...base, screens: [screen({ scenes: [{ scene: 'network', metrics: ['net_rx', 'net_tx'] }], alerts: [{ metric: 'gpu_temp', above: 85, clear_below: 80 }] })] }
    expect([...screenMetrics(config)]).toEqual(['net_rx', 'net_tx', 'gpu_temp'])
    expect(screenMetrics(base).size).toBe(0)
  })
})

describe('checkScreens', () => {
  const refused = (s: ScreenConfig[]) => checkScreens(s, outputs, OFFERED)

  it('accepts what the device can show', () => {
    expect(refused([screen({ scenes: DEFAULT_SCENES, carousel_ms: 5_000, width: 128, height: 64, rotation: 2 })])).toBeUndefined()
  })

  it('names an output the device does not have, and one that is not a screen', () => {
    expect(refused([screen({ output: 'lcd' })])).toMatchObject({ error: 'unknown_output', field: 'screens.0.output', reason: expect.stringContaining("'lcd'") })
    expect(refused([screen({ output: 'meter' })])).toMatchObject({ error: 'bad_config', field: 'screens.0.output', reason: expect.stringContaining('pwm output, not a screen') })
    const sizeless = checkScreens([screen()], [{ id: 'oled', kind: 'oled', bits: 1 }], OFFERED)
    expect(sizeless).toMatchObject({ field: 'screens.0.output', reason: expect.stringContaining('without a size') })
  })

  it('names a screen configured twice', () => {
    expect(refused([screen(), screen()])).toMatchObject({ field: 'screens.1.output' })
  })

  it('names an unknown scene, and the scenes that take the screen over by themselves', () => {
    expect(refused([screen({ scenes: [{ scene: 'hub', metrics: ['cpu'] }, { scene: 'clock', metrics: [] }] })])).toMatchObject({
      error: 'bad_config',
      field: 'screens.0.scenes.1.scene',
      reason: "unknown scene 'clock'; a screen shows hub, metric, network, stream",
    })
    expect(refused([screen({ scenes: [{ scene: 'alert', metrics: ['cpu'] }] })])).toMatchObject({ field: 'screens.0.scenes.0.scene' })
  })

  it('names a scene given more or fewer metrics than it shows', () => {
    const five = ['vram', 'cpu', 'ram', 'gpu_temp', 'disk']
    expect(refused([screen({ scenes: [{ scene: 'hub', metrics: five }] })])).toMatchObject({ field: 'screens.0.scenes.0.metrics', reason: 'the hub scene shows 1 to 4 metrics, not 5' })
    expect(refused([screen({ scenes: [{ scene: 'metric', metrics: ['cpu', 'ram'] }] })])).toMatchObject({ reason: 'the metric scene shows exactly 1 metric, not 2' })
    expect(refused([screen({ scenes: [{ scene: 'network', metrics: ['net_rx'] }] })])).toMatchObject({ reason: 'the network scene shows exactly 2 metrics, not 1' })
    expect(refused([screen({ scenes: [{ scene: 'hub', metrics: [] }] })])).toMatchObject({ field: 'screens.0.scenes.0.metrics' })
  })

  it('names a metric the host does not offer, in a scene or an alert', () => {
    expect(refused([screen({ scenes: [{ scene: 'hub', metrics: ['cpu', 'fan_rpm'] }] })])).toMatchObject({ error: 'unknown_metric', field: 'screens.0.scenes.0.metrics.1' })
    expect(refused([screen({ alerts: [{ metric: 'fan_rpm', above: 90, clear_below: 80 }] })])).toMatchObject({ error: 'unknown_metric', field: 'screens.0.alerts.0.metric' })
  })

  it('names a size that is not the screen it is for', () => {
    expect(refused([screen({ width: 128, height: 32 })])).toMatchObject({ field: 'screens.0.height', reason: expect.stringContaining('128x64') })
    expect(refused([screen({ width: 320 })])).toMatchObject({ field: 'screens.0.width' })
  })

  it('names a quarter turn and an alert that could never clear', () => {
    expect(refused([screen({ rotation: 1 })])).toMatchObject({ field: 'screens.0.rotation' })
    expect(refused([screen({ alerts: [{ metric: 'cpu', above: 80, clear_below: 90 }] })])).toMatchObject({ field: 'screens.0.alerts.0.clear_below' })
  })
})
