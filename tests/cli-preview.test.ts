// `sysboy preview`: a PNG of each scene at the size asked, from the executable alone (the scenes module is inside
// it), and one clear line with exit code 2 for a bad flag.
import { beforeAll, describe, expect, it } from 'bun:test'
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decode } from 'fast-png'
import { buildScenesWasm } from '../host/screens/build-scenes.ts'
import { BUILT, cleanEnv, runSysboy } from './cli-harness.ts'
import { buildFakeNvml } from './fixtures/nvml/build.ts'

let out: string

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'sysboy-preview-'))
  // From source the host imports the module from host/screens/generated/; the built executable carries its own.
  if (BUILT === undefined) await buildScenesWasm()
}, 300_000)

const png = (path: string): ReturnType<typeof decode> => decode(readFileSync(path))

describe('sysboy preview', () => {
  for (const scene of ['hub', 'metric', 'network', 'alert', 'state']) {
    it(`writes the ${scene} scene as a 128x64 PNG`, async () => {
      const file = join(out, `${scene}.png`)
      const { code, stdout, stderr } = await runSysboy(['preview', '--scene', scene, '--size', '128x64', '--out', file], cleanEnv())
      expect(stderr).toBe('')
      expect(code).toBe(0)
      expect(stdout).toStartWith(`wrote ${file}: the ${scene} scene`)
      const image = png(file)
      expect([image.width, image.height, image.channels]).toEqual([128, 64, 1])
      expect(image.data.some((v) => v === 255)).toBe(true)
      expect(image.data.every((v) => v === 0 || v === 255)).toBe(true)
    })
  }

  it('writes an RGB565 TFT scene as an RGB PNG of its size', async () => {
    const file = join(out, 'tft.png')
    const { code } = await runSysboy(['preview', '--scene', 'network', '--size', '320x240', '--depth', '16', '-o', file], cleanEnv())
    expect(code).toBe(0)
    const image = png(file)
    expect([image.width, image.height, image.channels]).toEqual([320, 240, 3])
  })

  it('draws the same picture every time from the sample figures', async () => {
    const [a, b] = [join(out, 'a.png'), join(out, 'b.png')]
    await runSysboy(['preview', '--out', a], cleanEnv())
    await runSysboy(['preview', '--out', b], cleanEnv())
    expect(readFileSync(a)).toEqual(readFileSync(b))
  })

  it('draws the PC figures now with --live, through the real sources', async () => {
    const library = await buildFakeNvml({ FAKE_NVML_TOTAL: String(16 * 1024 ** 3), FAKE_NVML_USED: String(4 * 1024 ** 3) })
    const file = join(out, 'live.png')
    const args = ['preview', '--live', '--interval', '100', '--scene', 'hub', '--metrics', 'vram,cpu,gpu_temp,ram', '--out', file]
    const { code, stdout } = await runSysboy(args, cleanEnv({ SYSBOY_NVML_LIB: library }))
    expect(code).toBe(0)
    expect(stdout).toContain('live figures')
    expect(png(file).width).toBe(128)
  })

  it.skipIf(BUILT === undefined)('runs from the executable alone, with nothing beside it and from another directory', async () => {
    const alone = mkdtempSync(join(tmpdir(), 'sysboy-alone-'))
    const executable = join(alone, 'sysboy')
    copyFileSync(BUILT as string, executable)
    const file = join(out, 'alone.png')
    const { code, stderr } = await runSysboy(['preview', '--scene', 'metric', '--out', file], cleanEnv(), executable, tmpdir())
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(png(file).height).toBe(64)
  })

  const refused: [string[], string][] = [
    [['--scene', 'clock'], "sysboy: --scene: unknown scene 'clock'; scenes: hub, metric, network, alert, state; see sysboy --help\n"],
    [['--size', 'big'], "sysboy: --size: must be WIDTHxHEIGHT in pixels, each 1 to 1024, such as 128x64; got 'big'; see sysboy --help\n"],
    [['--depth', '8'], "sysboy: --depth: must be 1 (monochrome OLED) or 16 (RGB565 TFT); got '8'; see sysboy --help\n"],
    [['--scene', 'metric', '--metrics', 'vram,cpu'], 'sysboy: --metrics: the metric scene shows exactly 1 metric, not 2; see sysboy --help\n'],
    [['--out', '/no/such/dir/hub.png'], 'sysboy: --out: no directory /no/such/dir; create it first or write elsewhere; see sysboy --help\n'],
    [['--size', '8x8', '--out', '/tmp/sysboy-never-written.png'], 'sysboy: --size: the scenes module cannot draw hub on a 8x8 screen of depth 1; see sysboy --help\n'],
    [['--port', '1'], 'sysboy: preview takes no --port'],
  ]
  for (const [args, line] of refused) {
    it(`refuses ${args.join(' ')} with exit code 2 and one line`, async () => {
      const { code, stdout, stderr } = await runSysboy(['preview', ...args], cleanEnv())
      expect(code).toBe(2)
      expect(stdout).toBe('')
      expect(stderr).toStartWith(line)
      expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    })
  }
})
