// Benchmark: the screens. How long each scene takes to draw natively (the scenes crate in a release build, as the
// board and the simulator run it) and in the host's WASM module (as the PNG endpoint and `sysboy preview` run it),
// at the OLED's 128x64 in 1 bit and a TFT's 320x240 in RGB565; and how many bytes an SSD1306 update sends over I2C
// with page tracking against a full 1 KiB frame, for a steady hub and a moving graph (the device crate's
// `oled-bytes` example drives the board's own screen logic and page framebuffer).
import { benchScenes } from '../host/screens/bench.ts'
import type { Scene } from '../host/screens/screen-config.ts'

const ROOT = new URL('..', import.meta.url).pathname
const RENDERS = Number(process.env.BENCH_SCENE_RENDERS ?? '2000')

interface NativeRender {
  scene: Scene
  width: number
  height: number
  depth: number
  us_per_render: number
}

interface OledBytes {
  case: string
  updates: number
  bytes_per_update: number
  runs_per_update: number
  i2c_bytes_per_update: number
  full_frame_bytes: number
  full_frame_i2c_bytes: number
}

/** Runs a cargo example in release and parses its JSON lines. */
const cargoExample = <T>(pkg: string, example: string, ...args: string[]): T[] => {
  const run = Bun.spawnSync(['sh', 'scripts/cargo-host.sh', 'run', '-q', '--release', '-p', pkg, '--example', example, '--', ...args], {
    cwd: ROOT,
    stderr: 'pipe',
  })
  if (run.exitCode !== 0) throw new Error(`${example}: ${run.stderr.toString().trim().split('\n').slice(-5).join(' / ')}`)
  return run.stdout
    .toString()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as T)
}

const fixed = (n: number): string => (n < 10 ? n.toFixed(1) : n.toFixed(0))

export const main = async (): Promise<void> => {
  const native = cargoExample<NativeRender>('sysboy-scenes', 'render-bench', String(RENDERS))
  const wasmOled = await benchScenes({ iterations: RENDERS, width: 128, height: 64, depth: 1 })
  const wasmTft = await benchScenes({ iterations: RENDERS / 4, width: 320, height: 240, depth: 16 })
  const nativeOf = (scene: Scene, width: number): number => {
    const row = native.find((r) => r.scene === scene && r.width === width)
    if (row === undefined) throw new Error(`render-bench printed no ${scene} at width ${width}`)
    return row.us_per_render
  }
  console.log(`scene render time, µs per frame (${RENDERS} renders each; native = release build of firmware-rs/scenes on this CPU)`)
  console.log('scene     128x64 1-bit native  WASM   320x240 RGB565 native  WASM')
  for (const scene of Object.keys(wasmOled) as Scene[]) {
    console.log(
      `${scene.padEnd(9)} ${fixed(nativeOf(scene, 128)).padStart(19)} ${fixed(wasmOled[scene]).padStart(5)} ${fixed(nativeOf(scene, 320)).padStart(22)} ${fixed(wasmTft[scene]).padStart(5)}`,
    )
  }
  const oled = cargoExample<OledBytes>('sysboy-device', 'oled-bytes')
  console.log('SSD1306 128x64 over I2C per update with page tracking (mean of each case\'s updates), against a full frame')
  for (const row of oled) {
    console.log(
      `${row.case.padEnd(32)} ${fixed(row.i2c_bytes_per_update).padStart(5)} B on the wire (${fixed(row.bytes_per_update)} B of pixels in ${row.runs_per_update.toFixed(2)} runs); a full frame: ${row.full_frame_i2c_bytes} B (${row.full_frame_bytes} B of pixels)`,
    )
  }
}
