import { describe, expect, it } from 'bun:test'
import type { SessionConfig } from '../../schema/index.ts'
import { SentRecord } from '../hub/sent-record.ts'
import { renderView } from '../screens/render.ts'
import { sampleFrame } from '../screens/sample-figures.ts'
import { ScenesModule } from '../screens/scenes-module.ts'
import type { ScreenView } from '../screens/screen-view.ts'
import { openSceneSource, streamSceneView } from './scene-source.ts'

const SIZE = { width: 320, height: 240 }
const config: SessionConfig = { bindings: [{ output: 'tft', metric: 'cpu' }], interval_ms: 1_000, stale_after_ms: 3_000 }

const record = (now: number): SentRecord => {
  const sent = new SentRecord()
  for (const metric of ['cpu', 'ram']) {
    const frame = sampleFrame(metric)
    if (frame !== undefined) sent.frame(metric, frame, now, true)
  }
  return sent
}

describe('the scene stream source', () => {
  it('draws the scene at the screen size in RGB565, as the screens draw it, from the figures sent', async () => {
    const now = 1_000_000
    const sent = record(now)
    const view = streamSceneView(config, sent, 'hub', ['cpu', 'ram'], now)
    expect(view.scene).toBe('hub')
    expect(view.figures.map((f) => [f.metric, f.state])).toEqual([
      ['cpu', 'live'],
      ['ram', 'live'],
    ])
    // A figure past the stale timeout has no data, as on the device.
    expect(streamSceneView(config, sent, 'hub', ['cpu'], now + 10_000).figures[0]?.state).toBe('no_data')
    const module = await ScenesModule.load()
    const opened = await openSceneSource({ ...SIZE, view: () => view, module })
    if (!opened.ok) throw new Error(opened.reason)
    const frame = opened.source.capture()
    expect([frame.width, frame.height]).toEqual([320, 240])
    const expected = renderView(module, view, { ...SIZE, depth: 16 })
    expect(new Uint8Array(frame.pixels.buffer, frame.pixels.byteOffset, frame.pixels.byteLength)).toEqual(expected)
    expect(new Set(frame.pixels).size).toBeGreaterThan(2)
  })

  it('draws again only when the view changes', async () => {
    let view: ScreenView = streamSceneView(config, record(0), 'metric', ['cpu'], 0)
    const opened = await openSceneSource({ ...SIZE, view: () => view })
    if (!opened.ok) throw new Error(opened.reason)
    const first = opened.source.capture()
    expect(opened.source.capture()).toBe(first)
    view = { ...view, figures: view.figures.map((f) => ({ ...f, percent: 90, raw: 90 })) }
    const changed = opened.source.capture()
    expect(changed).not.toBe(first)
    expect(changed.pixels).not.toEqual(first.pixels)
  })

  it('corrects gamma and white balance', async () => {
    const view = streamSceneView(config, record(0), 'hub', ['cpu'], 0)
    const plain = await openSceneSource({ ...SIZE, view: () => view })
    const corrected = await openSceneSource({ ...SIZE, view: () => view, correction: { gamma: 2.2, whiteBalance: { red: 1, green: 0.8, blue: 1 } } })
    if (!plain.ok || !corrected.ok) throw new Error('no source')
    expect(corrected.source.capture().pixels).not.toEqual(plain.source.capture().pixels)
  })

  it('refuses a size the scenes module cannot draw, saying so', async () => {
    const view = streamSceneView(config, record(0), 'network', ['cpu', 'ram'], 0)
    const opened = await openSceneSource({ width: 4, height: 4, view: () => view })
    expect(opened).toMatchObject({ ok: false, reason: expect.stringContaining('cannot draw network on a 4x4 screen') })
  })
})
