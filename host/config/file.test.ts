import { describe, expect, it } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { configProblem, readConfigFile } from './file.ts'

const file = (text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'sysboy-file-')), 'config.json')
  writeFileSync(path, text)
  return path
}

/** A screen layout as the README shows it. */
const layout = {
  output: 'oled',
  scenes: [
    { scene: 'hub', metrics: ['vram', 'cpu', 'gpu_temp', 'ram'] },
    { scene: 'metric', metrics: ['vram'] },
  ],
  alerts: [{ metric: 'gpu_temp', above: 85, clear_below: 80 }],
}

describe('config file', () => {
  it('accepts every documented field', () => {
    const config = {
      metric: 'vram', port: 8377, bind: '0.0.0.0', interval: 500, gpu: 1, source: 'nvml', token: 'abcdefgh_-12',
      prometheus: { url: 'http://localhost:9090', query: 'sum(up)', scale: 10 }, mdns: false, nvmlLib: '/x/libnvidia-ml.so.1',
      screens: [{ ...layout, carousel_ms: 10_000, brightness: 80, rotation: 2, width: 128, height: 64 }],
    }
    expect(configProblem(config)).toBeUndefined()
  })

  it('reads a file with screen layouts as written', () => {
    const path = file(JSON.stringify({ screens: [layout] }, null, 2))
    expect(readConfigFile(path, true)).toEqual({ config: { screens: [layout] }, exists: true })
  })

  it('names a field a screen layout does not have, at any depth (the protocol would ignore it; a file has a typo)', () => {
    expect(configProblem({ screens: [{ ...layout, carousel: 10_000 }] })).toBe(
      'screens.0.carousel: unknown field (known: output, scenes, carousel_ms, alerts, brightness, rotation, width, height)',
    )
    expect(configProblem({ screens: [layout, { ...layout, output: 'tft', scenes: [{ scene: 'hub', metric: ['cpu'] }] }] })).toBe(
      'screens.1.scenes.0.metric: unknown field (known: scene, metrics)',
    )
  })

  it('names a screen layout field out of bounds or missing', () => {
    expect(configProblem({ screens: [{ ...layout, rotation: 4 }] })).toStartWith('screens.0.rotation: must be <= 3 (Rotation of the picture')
    expect(configProblem({ screens: [{ output: 'oled' }] })).toBe("screens.0: missing field 'scenes'")
    expect(configProblem({ screens: [{ ...layout, scenes: [] }] })).toBe('screens.0.scenes: must not have fewer than 1 items (The scenes in carousel order.)')
    expect(configProblem({ screens: [layout, layout, layout, layout, layout] })).toStartWith('screens: must not have more than 4 items (The layout for each screen output id')
  })

  it('names a stream field it does not have, out of bounds or missing', () => {
    const stream = { output: 'tft', source: 'region', region: { x: 0, y: 0 }, fps: 30 }
    expect(configProblem({ streams: [stream, { ...stream, output: 'side', source: 'scene', scene: 'hub', metrics: ['cpu'] }] })).toBeUndefined()
    expect(configProblem({ streams: [{ ...stream, frames: 30 }] })).toBe(
      'streams.0.frames: unknown field (known: output, source, region, display, scene, metrics, fps, max_threshold, gamma, white_balance)',
    )
    expect(configProblem({ streams: [{ ...stream, region: { x: 0, y: 0, width: 320 } }] })).toBe('streams.0.region.width: unknown field (known: x, y)')
    expect(configProblem({ streams: [{ ...stream, fps: 120 }] })).toStartWith('streams.0.fps: must be <= 60 (Frames per second to aim for')
    expect(configProblem({ streams: [{ ...stream, gamma: 0 }] })).toStartWith('streams.0.gamma: must be >= 0.5')
    expect(configProblem({ streams: [{ output: 'tft' }] })).toBe("streams.0: missing field 'source'")
  })

  it('names the file, the field and the reason for a wrong type', () => {
    const path = file('{"port": "eighty"}')
    expect(() => readConfigFile(path, true)).toThrow(`${path}: port: must be integer`)
  })

  it('names an unknown field and lists the known ones', () => {
    expect(configProblem({ prot: 1 })).toStartWith('prot: unknown field (known: metric, port,')
  })

  it('names a nested missing field', () => {
    expect(configProblem({ prometheus: { url: 'http://x' } })).toBe("prometheus: missing field 'query'")
  })

  it('explains gpu as an index or all', () => {
    expect(configProblem({ gpu: 'first' })).toBe('gpu: must be integer (GPU index, or "all".)')
  })

  it('says when the file is not JSON', () => {
    const path = file('{ port: 1 ')
    expect(() => readConfigFile(path, false)).toThrow(`${path}: not valid JSON:`)
  })

  it('treats a missing default file as empty', () => {
    expect(readConfigFile('/nonexistent/config.json', false)).toEqual({ config: {}, exists: false })
  })

  it('names every unknown field, even past the eight errors the schema checker stops at (found by fuzzing)', () => {
    const fields = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((name) => [name, 0]))
    expect(configProblem(fields)).toStartWith('a, b, c, d, e, f, g, h, i: unknown field (known: metric, port,')
    expect(configProblem({ prometheus: { url: 'http://x', query: 'up', ...fields } })).toBe('prometheus.a, b, c, d, e, f, g, h, i: unknown field (known: url, query, scale)')
  })

  it('keeps the refusal one line when an unknown field has a line break in its name (found by fuzzing)', () => {
    const path = file('{\n  "x\\ny": 0\n}')
    expect(() => readConfigFile(path, true)).toThrow(`${path}: x\\u000ay: unknown field (known: metric,`)
  })

  it('keeps the refusal one line when the JSON parser quotes a line break (found by fuzzing)', () => {
    const path = file('"\\\n"')
    expect(() => readConfigFile(path, true)).toThrow(`${path}: not valid JSON: JSON Parse error: Invalid escape character \\u000a`)
  })
})
