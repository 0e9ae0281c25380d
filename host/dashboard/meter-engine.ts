// The board's meter logic for the page: the host's WebAssembly module, fetched and compiled once per page (its URL
// comes from the bundle), one instance per virtual meter.
import { SYSBOY_WASM_URL } from '../wasm/module-url.ts'
import { compileSysboyWasm } from '../wasm/sysboy-wasm.ts'
import { MeterModule, VirtualMeter } from '../wasm/virtual-meter.ts'
import type { VirtualMeterOptions } from '../wasm/virtual-meter.ts'

let compiled: Promise<WebAssembly.Module> | undefined

/** A virtual meter set up as the board's output is; its module instance is its own, released with it. */
export const createVirtualMeter = async (options: VirtualMeterOptions): Promise<VirtualMeter> => {
  compiled ??= compileSysboyWasm(new URL(SYSBOY_WASM_URL, location.href))
  const module = await MeterModule.load(await compiled)
  return new VirtualMeter(module, options)
}
