import { describe, expect, it } from 'bun:test'
import type { Hello, SessionConfig } from '../../schema/index.ts'
import { BUILTIN_METRICS } from '../../schema/index.ts'
import { checkScreens, withScreens } from '../screens/screen-config.ts'
import type { StreamConfig } from './stream-config.ts'
import { checkStreams, streamMetrics } from './stream-config.ts'

const OFFERED = [...BUILTIN_METRICS]
const hello = (fields: Partial<Hello> = {}): Hello => ({
  type: 'hello',
  protocol: 1,
  device: 'desk-1',
  firmware: '0.3.0',
  chip: 'sim',
  outputs: [
    { id: 'meter', kind: 'pwm', bits: 10 },
    { id: 'oled', kind: 'oled', bits: 1, width: 128, height: 64 },
    { id: 'tft', kind: 'tft', bits: 16, width: 320, height: 240 },
  ],
  buttons: [],
  stream_buffer: 8_192,
  encodings: ['raw565', 'rle565'],
  ...fields,
})
const region: StreamConfig = { output: 'tft', source: 'region', region: { x: 10, y: 20 } }
const scene: StreamConfig = { output: 'tft', source: 'scene', scene: 'hub', metrics: ['cpu', 'ram'] }
const config = (streams: StreamConfig[], screens?: SessionConfig['screens']): SessionConfig => ({
  bindings: [{ output: 'meter', metric: 'vram' }],
  interval_ms: 1_000,
  stale_after_ms: 3_000,
  streams,
  ...(screens !== undefined ? { screens } : {}),
})
const refused = (c: SessionConfig, h: Hello = hello()) => checkStreams(c, h, OFFERED)

describe('stream checks', () => {
  it('accepts a region or a scene streamed to a tft of a device with encodings', () => {
    expect(refused(config([region]))).toBeUndefined()
    expect(refused(config([scene], [{ output: 'tft', scenes: [{ scene: 'stream', metrics: [] }] }]))).toBeUndefined()
  })

  it('refuses, naming the field, a stream to an unknown output, a non-tft, a device without encodings, or twice', () => {
    expect(refused(config([{ ...region, output: 'lcd' }]))).toMatchObject({ error: 'unknown_output', field: 'streams.0.output' })
    expect(refused(config([{ ...region, output: 'oled' }]))).toMatchObject({ field: 'streams.0.output', reason: expect.stringContaining('not a tft') })
    const { encodings: _none, ...noEncodings } = hello()
    expect(refused(config([region]), noEncodings)).toMatchObject({ field: 'streams.0.output', reason: expect.stringContaining('no stream encodings') })
    expect(refused(config([region, scene]))).toMatchObject({ field: 'streams.1.output', reason: expect.stringContaining('twice') })
  })

  it('refuses a stream to a screen whose layout leaves the stream out, and a stream scene with no stream', () => {
    const hub = [{ output: 'tft', scenes: [{ scene: 'hub', metrics: ['cpu'] }] }]
    expect(refused(config([region], hub))).toMatchObject({ field: 'streams.0.output', reason: expect.stringContaining('screens.0.scenes') })
    expect(refused(config([], [{ output: 'tft', scenes: [{ scene: 'stream', metrics: [] }] }]))).toMatchObject({ field: 'screens.0.scenes.0.scene' })
  })

  it('refuses a region stream without a region, and a scene stream with a bad scene or metrics', () => {
    const { region: _where, ...nowhere } = region
    expect(refused(config([nowhere]))).toMatchObject({ field: 'streams.0.region' })
    expect(refused(config([{ ...scene, scene: 'stream' }]))).toMatchObject({ field: 'streams.0.scene' })
    expect(refused(config([{ ...scene, scene: undefined }]))).toMatchObject({ field: 'streams.0.scene' })
    expect(refused(config([{ ...scene, scene: 'network', metrics: ['net_rx'] }]))).toMatchObject({ field: 'streams.0.metrics' })
    expect(refused(config([{ ...scene, metrics: ['cpu', 'lunar_phase'] }]))).toMatchObject({ error: 'unknown_metric', field: 'streams.0.metrics.1' })
  })

  it('names the metrics a scene stream shows, and none for a region', () => {
    expect([...streamMetrics(config([scene]))]).toEqual(['cpu', 'ram'])
    expect(streamMetrics(config([region])).size).toBe(0)
  })
})

describe('the stream scene on screens', () => {
  it('is a scene a tft of a device with encodings shows, and no other screen', () => {
    const stream = (output: string) => [{ output, scenes: [{ scene: 'stream', metrics: [] }] }]
    const { outputs, encodings } = hello()
    expect(checkScreens(stream('tft'), outputs, OFFERED, encodings)).toBeUndefined()
    expect(checkScreens(stream('tft'), outputs, OFFERED)).toMatchObject({ field: 'screens.0.scenes.0.scene', reason: expect.stringContaining('no stream encodings') })
    expect(checkScreens(stream('oled'), outputs, OFFERED, encodings)).toMatchObject({ field: 'screens.0.scenes.0.scene', reason: expect.stringContaining('only a tft') })
  })

  it('is the default of a tft only when the config streams to it; else the tft shows the colour scenes', () => {
    const streamed = withScreens(config([region]), hello(), OFFERED).screens?.find((s) => s.output === 'tft')
    expect(streamed).toEqual({ output: 'tft', scenes: [{ scene: 'stream', metrics: [] }], width: 320, height: 240 })
    const plain = withScreens(config([]), hello(), OFFERED).screens?.find((s) => s.output === 'tft')
    expect(plain?.scenes.map((s) => s.scene)).toEqual(['hub', 'metric', 'network'])
    const { encodings: _none, ...noEncodings } = hello()
    expect(withScreens(config([region]), noEncodings, OFFERED).screens?.find((s) => s.output === 'tft')?.scenes[0]?.scene).toBe('hub')
  })
})
