// Virtual meters on the real module (scripts/scenes-wasm.sh), against the native build of the same meter code: the
// trace example (firmware-rs/wasm/examples/meter-trace) prints every op of a scripted sequence and the needle after
// each tick; here the same ops run through the WebAssembly module and must give the same codes, tick by tick.
import { beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MeterError, MeterModule, VirtualMeter, type Needle } from './virtual-meter.ts'
import { BUILD_TIMEOUT_MS, moduleAndNativeExample, refusal } from './native-example.ts'

type TraceLine =
  | { op: 'create'; slot: number; bits: number; stale_after_ms: number; refused?: string }
  | { op: 'ballistics'; slot: number; settle_ms: number; overshoot_pct: number; refused?: string }
  | { op: 'calibration'; slot: number; points: { percent: number; code: number }[]; refused?: string }
  | { op: 'show'; slot: number; at: number; value: number | null; reason?: string; refused?: string }
  | ({ op: 'tick'; slot: number; at: number; refused?: string } & Needle)

let bytes: Uint8Array
/** The native trace: `cargo run --example meter-trace`, one JSON object a line. */
let trace: TraceLine[]

beforeAll(async () => {
  ;({ wasm: bytes, lines: trace } = await moduleAndNativeExample<TraceLine>('meter-trace'))
}, BUILD_TIMEOUT_MS)

/** What the op did: its refusal's reason, or the needle after a tick. */
const replay = (module: MeterModule, meters: Map<number, VirtualMeter>, line: TraceLine): { refused?: string; needle?: Needle } => {
  try {
    const meter = (): VirtualMeter => {
      const held = meters.get(line.slot)
      if (held === undefined) throw new Error(`the trace uses slot ${line.slot} before creating it`)
      return held
    }
    switch (line.op) {
      case 'create':
        meters.set(line.slot, new VirtualMeter(module, { bits: line.bits, staleAfterMs: line.stale_after_ms }))
        return {}
      case 'ballistics':
        meter().setBallistics({ settle_ms: line.settle_ms, overshoot_pct: line.overshoot_pct })
        return {}
      case 'calibration':
        meter().setCalibration({ points: line.points })
        return {}
      case 'show':
        meter().show(line.at, line.value, line.reason)
        return {}
      case 'tick':
        return { needle: meter().tick(line.at) }
    }
  } catch (error) {
    if (error instanceof MeterError) return { refused: error.message }
    throw error
  }
}

describe('a virtual meter', () => {
  it('gives the native meter trace, code for code, tick by tick', async () => {
    const module = await MeterModule.load(bytes)
    const meters = new Map<number, VirtualMeter>()
    let ticks = 0
    for (const [index, line] of trace.entries()) {
      const { refused, needle } = replay(module, meters, line)
      const where = `line ${index + 1}: ${JSON.stringify(line)}`
      expect(refused, where).toBe(line.refused)
      if (line.op !== 'tick' || needle === undefined) continue
      ticks++
      expect({ code: needle.code, state: needle.state, reason: needle.reason }, where).toEqual({ code: line.code, state: line.state, reason: line.reason })
      // The native trace prints the f32 position in its shortest form; the module returns the f32 itself.
      expect(needle.percent, where).toBe(Math.fround(line.percent))
    }
    expect(ticks).toBeGreaterThan(1_000)
    expect(trace.filter((line) => line.refused !== undefined)).toHaveLength(1)
    expect(new Set(trace.flatMap((line) => (line.op === 'tick' ? [line.state] : [])))).toEqual(new Set(['waiting', 'live', 'stale', 'unknown']))
  })

  it('eases towards a figure, keeps a curve, and parks with the reason of an unknown figure', async () => {
    const module = await MeterModule.load(bytes)
    const points = [
      { percent: 0, code: 0 },
      { percent: 50, code: 700 },
      { percent: 100, code: 1023 },
    ]
    using meter = new VirtualMeter(module, { bits: 10, staleAfterMs: 5_000, ballistics: { settle_ms: 300, overshoot_pct: 0 }, calibration: { output: 'meter', points } })
    expect(meter.tick(0)).toEqual({ code: 0, percent: 0, state: 'waiting' })
    meter.show(0, 60)
    const early = meter.tick(100)
    expect(early.state).toBe('live')
    expect(early.percent).toBeGreaterThan(0)
    expect(early.percent).toBeLessThan(59)
    expect(meter.tick(1_000).code).toBe(765)
    meter.show(1_000, null, 'NVML not found')
    expect(meter.tick(2_000)).toMatchObject({ code: 0, state: 'unknown', reason: 'NVML not found' })
    meter.show(2_000, Number.NaN)
    expect(meter.tick(2_010)).toMatchObject({ state: 'unknown', reason: 'not a number' })
  })

  it('loads from a compiled module, each instance with its own slots', async () => {
    const compiled = await WebAssembly.compile(bytes)
    const [a, b] = await Promise.all([MeterModule.load(compiled), MeterModule.load(compiled)])
    const meters = Array.from({ length: 8 }, () => new VirtualMeter(a, { bits: 12, staleAfterMs: 5_000 }))
    expect(() => new VirtualMeter(a, { bits: 12, staleAfterMs: 5_000 })).toThrow('all 8 meter slots are in use')
    using other = new VirtualMeter(b, { bits: 12, staleAfterMs: 5_000 })
    expect(other.tick(0).code).toBe(0)
    meters[3]?.release()
    expect(() => meters[3]?.tick(0)).toThrow('this virtual meter was released')
    expect(new VirtualMeter(a, { bits: 8, staleAfterMs: 5_000 }).tick(0).state).toBe('waiting')
  })
})

describe('a refused call', () => {
  it('names a slot the module does not have, or one with no meter', async () => {
    const module = await MeterModule.load(bytes)
    expect(refusal(() => module.tick(8, 0))).toMatchObject({ code: 1, message: 'no meter slot 8: the module has slots 0 to 7' })
    expect(refusal(() => module.show(-1, 0, 50))).toMatchObject({ code: 1, message: 'no meter slot 4294967295: the module has slots 0 to 7' })
    expect(refusal(() => module.tick(3, 0))).toMatchObject({ code: 2, message: 'meter slot 3 holds no meter' })
  })

  it('gives the device its reason for a bad curve, and leaves the slot free', async () => {
    const module = await MeterModule.load(bytes)
    const meter = (points: { percent: number; code: number }[]) => () => new VirtualMeter(module, { bits: 10, staleAfterMs: 5_000, calibration: { points } })
    const line = (n: number) => Array.from({ length: n }, (_, i) => ({ percent: i, code: i }))
    expect(refusal(meter([{ percent: 0, code: 0 }, { percent: 100, code: 2_000 }]))).toMatchObject({
      code: 9,
      message: "calibration code 2000 is above the output's largest code (1023)",
    })
    expect(refusal(meter([{ percent: 0, code: 0 }, { percent: 50, code: 700 }, { percent: 40, code: 800 }])).message).toBe(
      'calibration point 2 does not increase in both percent and code',
    )
    expect(refusal(meter(line(1))).message).toBe('a calibration needs 2 to 16 points, got 1')
    expect(refusal(meter(line(17))).message).toBe('a calibration needs 2 to 16 points, got 17')
    expect(refusal(meter(line(40))).message).toBe('a calibration needs 2 to 16 points, got 40')
    expect(refusal(meter([{ percent: 0, code: 0 }, { percent: 120, code: 10 }])).message).toBe('a calibration percent is outside 0..100')
    expect(refusal(meter([{ percent: 0, code: 0 }, { percent: 100, code: 1.5 }])).message).toBe(
      'calibration point 1 has a code that is not a whole number in 0..=65535',
    )
    // Every refused meter gave its slot back.
    const all = Array.from({ length: 8 }, () => new VirtualMeter(module, { bits: 10, staleAfterMs: 5_000 }))
    expect(all).toHaveLength(8)
  })

  it('gives the device its reason for bad ballistics, bits, stale timeouts and times', async () => {
    const module = await MeterModule.load(bytes)
    const make = (options: Partial<ConstructorParameters<typeof VirtualMeter>[1]>) => () =>
      new VirtualMeter(module, { bits: 10, staleAfterMs: 5_000, ...options })
    expect(refusal(make({ ballistics: { settle_ms: 10, overshoot_pct: 1 } })).message).toBe('settle time 10 ms is outside 50..5000 ms')
    expect(refusal(make({ ballistics: { settle_ms: 300, overshoot_pct: 2 } })).message).toBe('overshoot is outside 0..1.5 %')
    expect(refusal(make({ bits: 17 })).message).toBe('an output has 1 to 16 bits, got 17')
    expect(refusal(make({ staleAfterMs: 0 })).message).toBe('the stale timeout must be above 0 ms')
    using meter = new VirtualMeter(module, { bits: 10, staleAfterMs: 5_000 })
    expect(refusal(() => meter.tick(-1)).message).toBe('a time must be a finite number of milliseconds, 0 or more')
    expect(refusal(() => meter.show(Number.NaN, 50)).code).toBe(4)
  })
})

describe('the module in a page', () => {
  it('comes with a Bun HTML bundle as an asset URL, and the wrapper bundles for a browser', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sysboy-wasm-page-'))
    try {
      writeFileSync(join(dir, 'page.html'), '<!doctype html><html><body><script type="module" src="./page.ts"></script></body></html>')
      writeFileSync(
        join(dir, 'page.ts'),
        [
          `import { SYSBOY_WASM_URL } from ${JSON.stringify(join(import.meta.dir, 'module-url.ts'))}`,
          `import { compileSysboyWasm } from ${JSON.stringify(join(import.meta.dir, 'sysboy-wasm.ts'))}`,
          `import { MeterModule, VirtualMeter } from ${JSON.stringify(join(import.meta.dir, 'virtual-meter.ts'))}`,
          'const meters = await MeterModule.load(await compileSysboyWasm(SYSBOY_WASM_URL))',
          'console.log(new VirtualMeter(meters, { bits: 10, staleAfterMs: 5000 }).tick(performance.now()))',
        ].join('\n'),
      )
      const result = await Bun.build({ entrypoints: [join(dir, 'page.html')], outdir: join(dir, 'out'), target: 'browser' })
      expect(result.success).toBe(true)
      const wasm = result.outputs.find((output) => output.path.endsWith('.wasm'))
      expect(wasm?.kind).toBe('asset')
      expect(new Uint8Array(await (wasm as Blob).arrayBuffer())).toEqual(new Uint8Array(bytes))
      const script = await Promise.all(result.outputs.filter((output) => output.path.endsWith('.js')).map((output) => output.text()))
      const name = wasm?.path.split('/').pop() ?? ''
      expect(script.join('\n')).toContain(`"./${name}"`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
