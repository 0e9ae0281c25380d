// The board's meter logic for the page: the host's WebAssembly module, fetched and compiled once per page (its URL
// comes from the bundle), one instance per virtual meter or per user of its curve maths.
import { SYSBOY_WASM_URL } from '../wasm/module-url.ts'
import { compileSysboyWasm } from '../wasm/sysboy-wasm.ts'
import { MeterModule, VirtualMeter } from '../wasm/virtual-meter.ts'
import type { VirtualMeterOptions } from '../wasm/virtual-meter.ts'

let compiled: Promise<WebAssembly.Module> | undefined

/** A fresh instance of the module, for the board's curve maths (`codeAt`, `percentAtCode`, `curveProblem`). */
export const loadMeterModule = async (): Promise<MeterModule> => {
  compiled ??= compileSysboyWasm(new URL(SYSBOY_WASM_URL, location.href))
  return MeterModule.load(await compiled)
}

/** A virtual meter set up as the board's output is; its module instance is its own, released with it. */
export const createVirtualMeter = async (options: VirtualMeterOptions): Promise<VirtualMeter> =>
  new VirtualMeter(await loadMeterModule(), options)
