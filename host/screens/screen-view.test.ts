import { describe, expect, it } from 'bun:test'
import type { SessionConfig } from '../../schema/index.ts'
import { SentRecord } from '../hub/sent-record.ts'
import { DEFAULT_SCENES } from './screen-config.ts'
import { deviceScreenView, figureOfFrame } from './screen-view.ts'

const config: SessionConfig = {
  bindings: [{ output: 'meter', metric: 'vram' }],
  interval_ms: 1_000,
  stale_after_ms: 3_000,
  screens: [{ output: 'oled', scenes: DEFAULT_SCENES, alerts: [{ metric: 'gpu_temp', above: 85, clear_below: 80 }] }],
}

const record = (): SentRecord => {
  const sent = new SentRecord()
  sent.burst('vram', [40, null])
  sent.frame('vram', { type: 'vram', value: 62.5, used: 5, total: 8, raw: 5, unit: 'B' }, 10_000, true)
  sent.frame('cpu', { type: 'cpu', value: null, reason: 'stale: the newest reading is 9.0 s old, over the 3.0 s bound' }, 10_000, true)
  sent.frame('ram', { type: 'ram', value: null, reason: 'no /proc' }, 10_000, true)
  sent.frame('gpu_temp', { type: 'gpu_temp', value: 91, raw: 91, unit: '°C' }, 10_000, true)
  return sent
}

describe('figureOfFrame', () => {
  it('is live with the amount, stale or unreadable as the host said, and no data without a frame', () => {
    expect(figureOfFrame('vram', { type: 'vram', value: 62.5, used: 5, total: 8, raw: 5, unit: 'B' })).toEqual({ metric: 'vram', state: 'live', percent: 62.5, used: 5, total: 8, raw: 5, unit: 'B' })
    expect(figureOfFrame('cpu', { type: 'cpu', value: null, reason: 'stale: old' }).state).toBe('stale')
    expect(figureOfFrame('cpu', { type: 'cpu', value: null, reason: 'no /proc' }).state).toBe('unreadable')
    expect(figureOfFrame('cpu', undefined).state).toBe('no_data')
  })
})

describe('deviceScreenView', () => {
  it('draws the first scene before the device says what it shows, from the frames and history sent to it', () => {
    const view = deviceScreenView({ config, shown: undefined, sent: record() }, 'oled', 10_500)
    expect(view?.scene).toBe('hub')
    expect(view?.link).toEqual({ state: 'live' })
    expect(view?.figures.map((f) => [f.metric, f.state])).toEqual([
      ['vram', 'live'],
      ['cpu', 'stale'],
      ['gpu_temp', 'live'],
      ['ram', 'unreadable'],
    ])
    expect(view?.figures[0]?.history).toEqual([40, Number.NaN, 62.5])
  })

  it('draws the scene the status names, by index', () => {
    const view = deviceScreenView({ config, shown: { output: 'oled', scene: 'network', index: 2 }, sent: record() }, 'oled', 10_500)
    expect(view?.scene).toBe('network')
    expect(view?.figures.map((f) => [f.metric, f.state])).toEqual([
      ['net_rx', 'no_data'],
      ['net_tx', 'no_data'],
    ])
  })

  it('has no data for a figure whose newest frame is as old as the stale timeout, as the device does', () => {
    const view = deviceScreenView({ config, shown: { output: 'oled', scene: 'metric', index: 1 }, sent: record() }, 'oled', 13_000)
    expect(view?.figures.map((f) => f.state)).toEqual(['no_data'])
    expect(view?.figures[0]?.history).toHaveLength(3)
  })

  it('draws an alert with its figure in slot 0 and its limit, and the state scene as "no data"', () => {
    const alert = deviceScreenView({ config, shown: { output: 'oled', scene: 'alert', alert: 'gpu_temp' }, sent: record() }, 'oled', 10_500)
    expect(alert).toMatchObject({ scene: 'alert', alert: { slot: 0, limit: 85 }, figures: [{ metric: 'gpu_temp', state: 'live', percent: 91 }] })
    const state = deviceScreenView({ config, shown: { output: 'oled', scene: 'state' }, sent: record() }, 'oled', 10_500)
    expect(state).toEqual({ scene: 'state', figures: [], link: { state: 'no_data' } })
  })

  it('has no view of a screen the config does not configure', () => {
    expect(deviceScreenView({ config, shown: undefined, sent: record() }, 'tft', 0)).toBeUndefined()
  })
})
