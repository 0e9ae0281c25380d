import { describe, expect, it } from 'bun:test'
import { parseArgs } from './args.ts'
import { CliError, EXIT } from './exit-codes.ts'
import { previewRequest, previewView } from './preview.ts'

const request = (...argv: string[]) => previewRequest(parseArgs(['preview', ...argv]).flags)

const refusal = (argv: string[]): string => {
  try {
    request(...argv)
  } catch (error) {
    expect(error).toBeInstanceOf(CliError)
    expect((error as CliError).exitCode).toBe(EXIT.usage)
    return (error as CliError).message
  }
  throw new Error(`${argv.join(' ')} was not refused`)
}

describe('sysboy preview flags', () => {
  it('draws the hub of the default metrics on a 128x64 OLED into hub.png unless told otherwise', () => {
    expect(request()).toEqual({ scene: 'hub', size: { width: 128, height: 64, depth: 1 }, metrics: ['vram', 'cpu', 'gpu_temp', 'ram'], live: false, out: 'hub.png' })
    expect(request('--scene', 'network', '--size', '320x240', '--depth', '16', '--live', '-o', 'n.png')).toEqual({
      scene: 'network',
      size: { width: 320, height: 240, depth: 16 },
      metrics: ['net_rx', 'net_tx'],
      live: true,
      out: 'n.png',
    })
    expect(request('--scene', 'metric', '--metrics', 'gpu_util').metrics).toEqual(['gpu_util'])
    expect(request('--scene', 'alert').metrics).toEqual(['gpu_temp'])
    expect(request('--scene', 'state').metrics).toEqual([])
  })

  it('refuses a bad scene, size, depth or metric list in one line', () => {
    expect(refusal(['--scene', 'clock'])).toBe("--scene: unknown scene 'clock'; scenes: hub, metric, network, alert, state; see sysboy --help")
    expect(refusal(['--size', '128'])).toContain("--size: must be WIDTHxHEIGHT in pixels, each 1 to 1024, such as 128x64; got '128'")
    expect(refusal(['--size', '0x64'])).toContain('--size')
    expect(refusal(['--size', '2000x64'])).toContain('--size')
    expect(refusal(['--depth', '8'])).toContain("--depth: must be 1 (monochrome OLED) or 16 (RGB565 TFT); got '8'")
    expect(refusal(['--metrics', 'vram,fan'])).toContain("--metrics: unknown metric 'fan'")
    expect(refusal(['--scene', 'metric', '--metrics', 'vram,cpu'])).toContain('--metrics: the metric scene shows exactly 1 metric, not 2')
    expect(refusal(['--scene', 'hub', '--metrics', 'vram,cpu,ram,disk,gpu_util'])).toContain('the hub scene shows 1 to 4 metrics, not 5')
    expect(refusal(['--scene', 'state', '--metrics', 'vram'])).toContain('the state scene shows no metrics, not 1')
  })

  it('keeps the preview flags to preview', () => {
    expect(() => parseArgs(['--scene', 'hub'])).toThrow('--scene belongs to preview')
    expect(() => parseArgs(['devices', '--out', 'x.png'])).toThrow('--out belongs to preview')
    expect(() => parseArgs(['preview', '--port', '1'])).toThrow('preview takes no --port')
  })
})

describe('the preview view', () => {
  it('puts an alert past a round limit below its value, and shows the open portal on the state scene', () => {
    const figure = { metric: 'gpu_temp', state: 'live' as const, percent: 63, history: [] }
    expect(previewView(request('--scene', 'alert'), [figure]).alert).toEqual({ slot: 0, limit: 60 })
    expect(previewView(request('--scene', 'state'), []).link).toMatchObject({ state: 'portal_open', address: 'http://192.168.4.1' })
    expect(previewView(request(), [figure]).alert).toBeUndefined()
  })
})
