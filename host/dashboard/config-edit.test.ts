import { describe, expect, it } from 'bun:test'
import type { ScreenConfig, SessionConfig } from '../../schema/index.ts'
import { applyEdit, emptyEdit, errorIsFor, inputKeyOf } from './config-edit.ts'

const current: SessionConfig = {
  id: 7,
  bindings: [{ output: 'meter', metric: 'vram' }, { output: 'aux', metric: 'cpu' }],
  interval_ms: 1000,
  stale_after_ms: 3000,
  ballistics: { settle_ms: 300, overshoot_pct: 0 },
  calibration: [{ output: 'meter', points: [{ percent: 0, code: 0 }, { percent: 100, code: 1000 }] }],
  screens: [
    { output: 'oled', scenes: [{ scene: 'hub', metrics: ['vram', 'cpu'] }], carousel_ms: 10_000 },
    { output: 'tft', scenes: [{ scene: 'metric', metrics: ['ram'] }] },
  ],
}

describe('settings laid over the device config', () => {
  it('changes only what the user changed, without the confirmation id or the stored curves', () => {
    const sent = applyEdit(current, { ...emptyEdit(), bindings: { aux: 'gpu_temp' } })
    expect(sent).toEqual({
      bindings: [{ output: 'meter', metric: 'vram' }, { output: 'aux', metric: 'gpu_temp' }],
      interval_ms: 1000,
      stale_after_ms: 3000,
      ballistics: { settle_ms: 300, overshoot_pct: 0 },
      screens: current.screens,
    })
  })

  it('replaces one screen layout and keeps the other', () => {
    const oled = { output: 'oled', scenes: [{ scene: 'network', metrics: ['net_rx', 'net_tx'] }], alerts: [{ metric: 'cpu', above: 90, clear_below: 80 }] }
    const sent = applyEdit(current, { ...emptyEdit(), screens: { oled }, intervalMs: 500, ballistics: { settle_ms: 800, overshoot_pct: 1 } })
    expect(sent.screens).toEqual([oled, current.screens?.[1] as ScreenConfig])
    expect(sent.interval_ms).toBe(500)
    expect(sent.ballistics).toEqual({ settle_ms: 800, overshoot_pct: 1 })
  })

  it('finds the input a refused field names', () => {
    const sent = applyEdit(current, emptyEdit())
    expect(inputKeyOf(sent, 'bindings.1.metric')).toBe('binding.aux')
    expect(inputKeyOf(sent, 'screens.0.alerts.1.above')).toBe('screen.oled.alerts.1.above')
    expect(inputKeyOf(sent, 'screens.1.scenes.0.metrics')).toBe('screen.tft.scenes.0.metrics')
    expect(inputKeyOf(sent, 'interval_ms')).toBe('interval_ms')
    expect(errorIsFor('screen.oled.alerts.1.above', 'screen.oled.alerts.1.above')).toBe(true)
    expect(errorIsFor('screen.oled.alerts.1.above', 'screen.oled.alerts.1')).toBe(true)
    expect(errorIsFor('screen.oled.alerts.10', 'screen.oled.alerts.1')).toBe(false)
  })
})
