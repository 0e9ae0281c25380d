// Virtual meters: the board's own needle (firmware-rs/device's Meter: calibration, ballistics, no-data parking) run
// in the host's WebAssembly module, so a needle drawn on the dashboard is where the board's is, code for code; and
// the board's curve maths (a curve's code at a percent, percent at a code, and why it would refuse one) for pages
// that propose curves. Works in Bun and in a browser (see sysboy-wasm.ts for loading; no Node APIs).
import type { Ballistics, Calibration, CalibrationPoint } from '../../schema/index.ts'
import { instantiateSysboyWasm, type SysboyWasmSource } from './sysboy-wasm.ts'

/** The module's meter and curve calls (firmware-rs/wasm/src/wasm/meters.rs; numbers in firmware-rs/wasm/src/abi.rs). */
interface MeterExports {
  memory: WebAssembly.Memory
  meter_scratch(): number
  meter_reason(): number
  meter_create(slot: number, bits: number, staleAfterMs: number): number
  meter_release(slot: number): number
  meter_set_ballistics(slot: number, settleMs: number, overshootPct: number): number
  meter_set_calibration(slot: number, points: number): number
  meter_show_value(slot: number, nowMs: number, percent: number): number
  meter_show_unknown(slot: number, nowMs: number, reasonLen: number): number
  meter_tick(slot: number, nowMs: number): number
  meter_code(slot: number): number
  meter_percent(slot: number): number
  meter_state(slot: number): number
  meter_state_reason(slot: number): number
  calibration_check(points: number, bits: number): number
  calibration_code_at(points: number, bits: number, percent: number): number
  calibration_percent_at(points: number, bits: number, code: number): number
}

const EXPORTS = [
  'memory',
  'meter_scratch',
  'meter_reason',
  'meter_create',
  'meter_release',
  'meter_set_ballistics',
  'meter_set_calibration',
  'meter_show_value',
  'meter_show_unknown',
  'meter_tick',
  'meter_code',
  'meter_percent',
  'meter_state',
  'meter_state_reason',
  'calibration_check',
  'calibration_code_at',
  'calibration_percent_at',
] as const satisfies readonly (keyof MeterExports)[]

/** Meter slots one module instance holds. */
export const METER_SLOTS = 8
/** Bytes of the meter scratch buffer, and of one calibration point in it (percent, code: little-endian f64s). */
const SCRATCH_BYTES = 512
const POINT_BYTES = 16

/** Needle states in the module's numbering: live, or parked (no figure yet, stale, unknown), or the board's sweeps. */
export const NEEDLE_STATES = ['live', 'waiting', 'stale', 'unknown', 'sweeping', 'portal'] as const
export type NeedleState = (typeof NEEDLE_STATES)[number]

/** Where a needle is after a tick. */
export interface Needle {
  /** The output code the board would drive, 0 to 2^bits - 1, through the calibration curve. */
  code: number
  /** The needle's position, percent of full scale (past 100 by at most the ballistics' overshoot). */
  percent: number
  state: NeedleState
  /** Why the figure is unknown; only in state `unknown`. */
  reason?: string
}

/** A call the module refused; `message` is its reason (the device's own words for ballistics and curves). */
export class MeterError extends Error {
  override readonly name = 'MeterError'
  constructor(
    message: string,
    /** The module's result code (firmware-rs/wasm/src/abi.rs), 0 for a refusal of this wrapper's. */
    readonly code: number,
  ) {
    super(message)
  }
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** One instance of the module and its meter slots, called slot by slot. `VirtualMeter` is the handier face. */
export class MeterModule {
  readonly #exports: MeterExports
  readonly #taken = new Set<number>()

  private constructor(exports: MeterExports) {
    this.#exports = exports
  }

  /** Instantiates the module from its bytes or from it compiled. */
  static async load(source: SysboyWasmSource): Promise<MeterModule> {
    const exports = (await instantiateSysboyWasm(source)).exports as unknown as MeterExports
    for (const name of EXPORTS) {
      if (!(name in exports)) throw new MeterError(`the sysboy WebAssembly module has no '${name}' export (built before its meters and curves?)`, 0)
    }
    return new MeterModule(exports)
  }

  /** Claims a free slot, or throws when all are taken. */
  claim(): number {
    for (let slot = 0; slot < METER_SLOTS; slot++) {
      if (!this.#taken.has(slot)) {
        this.#taken.add(slot)
        return slot
      }
    }
    throw new MeterError(`all ${METER_SLOTS} meter slots are in use; release a virtual meter first`, 0)
  }

  /** A new meter in `slot`: parked, the device's default ballistics, a linear curve for `bits`. */
  create(slot: number, bits: number, staleAfterMs: number): void {
    this.#check(this.#exports.meter_create(slot, bits, staleAfterMs))
  }

  /** Empties `slot` (an empty one too) and frees it for `claim`. */
  release(slot: number): void {
    try {
      this.#check(this.#exports.meter_release(slot))
    } finally {
      this.#taken.delete(slot)
    }
  }

  setBallistics(slot: number, ballistics: Ballistics): void {
    this.#check(this.#exports.meter_set_ballistics(slot, ballistics.settle_ms, ballistics.overshoot_pct))
  }

  setCalibration(slot: number, points: Calibration['points']): void {
    this.#check(this.#exports.meter_set_calibration(slot, this.#writePoints(points)))
  }

  /**
   * The output code the board drives for a needle at `percent` through `points` (without: the straight line from 0 to
   * the largest code that a fresh `bits`-bit output starts with), as its `Calibration::code_for` gives it. Throws a
   * `MeterError` with the device's reason for a curve it refuses.
   */
  codeAt(points: readonly CalibrationPoint[] | undefined, percent: number, bits: number): number {
    const code = this.#exports.calibration_code_at(this.#writePoints(points ?? []), bits, percent)
    // A refused read-back gives minus the refusal's code.
    if (code < 0) throw this.#refusal(-code)
    return code
  }

  /**
   * Where a needle driven at `code` stands, percent, through `points` (without: the straight line), codes beyond the
   * curve's ends at the end positions, as the board's `Calibration::percent_for` reads it. Throws a `MeterError` with
   * the device's reason for a curve it refuses, or for a code that is not a whole number from 0 to 65535.
   */
  percentAtCode(points: readonly CalibrationPoint[] | undefined, code: number, bits: number): number {
    const percent = this.#exports.calibration_percent_at(this.#writePoints(points ?? []), bits, code)
    if (percent < 0) throw this.#refusal(-percent)
    return percent
  }

  /** Why the board would refuse `points` as the curve of a `bits`-bit output, in its own words; undefined when it takes them. */
  curveProblem(points: readonly CalibrationPoint[], bits: number): string | undefined {
    const result = this.#exports.calibration_check(this.#writePoints(points), bits)
    return result === 0 ? undefined : this.#refusal(result).message
  }

  /** Hands the meter in `slot` a figure (percent), or none (`null`) for `reason`, that arrived at `nowMs`. */
  show(slot: number, nowMs: number, value: number | null, reason = ''): void {
    if (value !== null) {
      this.#check(this.#exports.meter_show_value(slot, nowMs, value))
      return
    }
    const { written } = encoder.encodeInto(reason, this.#scratch())
    this.#check(this.#exports.meter_show_unknown(slot, nowMs, written))
  }

  /** Steps the needle in `slot` at every 10 ms tick due by `nowMs`, as the board's ticker does, and reads it. */
  tick(slot: number, nowMs: number): Needle {
    this.#check(this.#exports.meter_tick(slot, nowMs))
    const state = NEEDLE_STATES[this.#exports.meter_state(slot)]
    if (state === undefined) throw new MeterError(`the module gave meter slot ${slot} an unknown needle state`, 0)
    const needle: Needle = { code: this.#exports.meter_code(slot), percent: this.#exports.meter_percent(slot), state }
    if (state === 'unknown') needle.reason = this.#text(this.#exports.meter_state_reason(slot))
    return needle
  }

  /** Writes `points` into the scratch buffer as the module reads them; returns their count. */
  #writePoints(points: readonly CalibrationPoint[]): number {
    const view = new DataView(this.#exports.memory.buffer, this.#exports.meter_scratch(), SCRATCH_BYTES)
    // More points than fit are not written; the module refuses their count in the device's words.
    points.slice(0, SCRATCH_BYTES / POINT_BYTES).forEach(({ percent, code }, index) => {
      view.setFloat64(index * POINT_BYTES, percent, true)
      view.setFloat64(index * POINT_BYTES + 8, code, true)
    })
    return points.length
  }

  #scratch(): Uint8Array {
    return new Uint8Array(this.#exports.memory.buffer, this.#exports.meter_scratch(), SCRATCH_BYTES)
  }

  #text(length: number): string {
    return decoder.decode(this.#scratch().subarray(0, length))
  }

  #check(result: number): void {
    if (result !== 0) throw this.#refusal(result)
  }

  /** The module's last refusal, with its reason. */
  #refusal(result: number): MeterError {
    return new MeterError(this.#text(this.#exports.meter_reason()), result)
  }
}

/** A curve: the session's `Calibration` for the output, or just its points. */
export type CurveInput = Calibration | Pick<Calibration, 'points'>

/** How a virtual meter's output is set up: as the device's hello and the session's config describe it. */
export interface VirtualMeterOptions {
  /** The output's resolution (the hello's `bits`, 1 to 16). */
  bits: number
  /** After this long without a figure the needle parks as stale (the session's `stale_after_ms`). */
  staleAfterMs: number
  /** The session's ballistics; the device's default without. */
  ballistics?: Ballistics
  /** The output's curve (a `Calibration`, or its points); linear without. */
  calibration?: CurveInput
}

/** One needle, in a slot of a `MeterModule`, until `release()`. */
export class VirtualMeter implements Disposable {
  readonly #module: MeterModule
  #slot: number | undefined

  /** Claims a slot of `module` and sets the meter up; throws a `MeterError` with the device's reason if it refuses. */
  constructor(module: MeterModule, options: VirtualMeterOptions) {
    this.#module = module
    const slot = module.claim()
    try {
      module.create(slot, options.bits, options.staleAfterMs)
      if (options.ballistics !== undefined) module.setBallistics(slot, options.ballistics)
      if (options.calibration !== undefined) module.setCalibration(slot, options.calibration.points)
    } catch (error) {
      module.release(slot)
      throw error
    }
    this.#slot = slot
  }

  /** The module instance the meter's slot is in; its curve maths (`codeAt`, `percentAtCode`) are the board's too. */
  get module(): MeterModule {
    return this.#module
  }

  setBallistics(ballistics: Ballistics): void {
    this.#module.setBallistics(this.#held(), ballistics)
  }

  setCalibration(calibration: CurveInput): void {
    this.#module.setCalibration(this.#held(), calibration.points)
  }

  /** A figure (percent) that arrived at `nowMs`, or `null` when the host cannot read it, for `reason`. */
  show(nowMs: number, value: number | null, reason?: string): void {
    this.#module.show(this.#held(), nowMs, value, reason)
  }

  /** Moves the needle on to `nowMs` (a clock in ms, such as `performance.now()`) and says where it is. */
  tick(nowMs: number): Needle {
    return this.#module.tick(this.#held(), nowMs)
  }

  /** Frees the slot; the meter cannot be used after. */
  release(): void {
    if (this.#slot === undefined) return
    const slot = this.#slot
    this.#slot = undefined
    this.#module.release(slot)
  }

  [Symbol.dispose](): void {
    this.release()
  }

  #held(): number {
    if (this.#slot === undefined) throw new MeterError('this virtual meter was released', 0)
    return this.#slot
  }
}
