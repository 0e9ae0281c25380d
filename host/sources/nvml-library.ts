// NVML, the NVIDIA driver's management library, through bun:ffi: loaded once per path, a few calls per read.
import { dlopen, type FFIFunction, FFIType, ptr } from 'bun:ffi'
import { describeError } from './figure.ts'
import type { GpuMemory } from './gpu-memory.ts'

const NVML_SUCCESS = 0
const NVML_ERROR_FUNCTION_NOT_FOUND = 13
const NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25
const NVML_TEMPERATURE_GPU = 0
// struct nvmlMemory_v2_t { unsigned int version; unsigned long long total, reserved, free, used; }: 4 + 4 padding + 32.
const MEMORY_V2_SIZE = 40
const MEMORY_V2_VERSION = MEMORY_V2_SIZE | (2 << 24)
// struct nvmlMemory_t { unsigned long long total, free, used; }
const MEMORY_V1_SIZE = 24

const coreSymbols = {
  nvmlInit_v2: { args: [], returns: FFIType.i32 },
  nvmlShutdown: { args: [], returns: FFIType.i32 },
  nvmlErrorString: { args: [FFIType.i32], returns: FFIType.cstring },
  nvmlDeviceGetCount_v2: { args: [FFIType.ptr], returns: FFIType.i32 },
  nvmlDeviceGetHandleByIndex_v2: { args: [FFIType.u32, FFIType.ptr], returns: FFIType.i32 },
  // nvmlDevice_t is an opaque pointer; passing it as u64 keeps it exact on every 64-bit ABI Sysboy ships for.
  nvmlDeviceGetMemoryInfo: { args: [FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
} as const
const memoryV2Symbols = { nvmlDeviceGetMemoryInfo_v2: { args: [FFIType.u64, FFIType.ptr], returns: FFIType.i32 } } as const
const utilizationSymbols = {
  nvmlDeviceGetUtilizationRates: { args: [FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
} as const
const temperatureSymbols = {
  nvmlDeviceGetTemperature: { args: [FFIType.u64, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
} as const

type Core = ReturnType<typeof dlopen<typeof coreSymbols>>['symbols']
type Optional<T extends Record<string, FFIFunction>> = ReturnType<typeof dlopen<T>>['symbols'] | undefined

interface NvmlLibrary {
  core: Core
  memoryV2: Optional<typeof memoryV2Symbols>
  utilization: Optional<typeof utilizationSymbols>
  temperature: Optional<typeof temperatureSymbols>
}

/** Where NVML lives on this OS when no path is given; undefined where NVIDIA ships no NVML (macOS). */
export const defaultNvmlPath = (): string | undefined => {
  if (process.platform === 'win32') return 'nvml.dll'
  if (process.platform === 'darwin') return undefined
  return 'libnvidia-ml.so.1'
}

const libraries = new Map<string, NvmlLibrary>()

// Symbols a driver may lack (the v2 memory call came with driver 510) are bound on their own, so a missing one
// does not stop the rest from loading.
const optional = <T extends Record<string, FFIFunction>>(
  path: string,
  symbols: T,
): Optional<T> => {
  try {
    return dlopen(path, symbols).symbols
  } catch {
    return undefined
  }
}

const loadLibrary = (path: string): NvmlLibrary => {
  const cached = libraries.get(path)
  if (cached !== undefined) return cached
  let core: Core
  try {
    core = dlopen(path, coreSymbols).symbols
  } catch (error) {
    const message = describeError(error)
    if (/cannot open|not found|no such file|could not be found|failed to open/i.test(message)) {
      throw new Error(`${path} not found`)
    }
    throw new Error(`${path} cannot be used: ${message}`)
  }
  const library: NvmlLibrary = {
    core,
    memoryV2: optional(path, memoryV2Symbols),
    utilization: optional(path, utilizationSymbols),
    temperature: optional(path, temperatureSymbols),
  }
  libraries.set(path, library)
  return library
}

/** An initialised NVML with the handles of every GPU; close() shuts NVML down (NVML counts inits). */
export class NvmlSession {
  readonly count: number
  private readonly library: NvmlLibrary
  private readonly handles: bigint[] = []
  private useMemoryV2: boolean
  private readonly memoryV2 = new Uint8Array(MEMORY_V2_SIZE)
  private readonly memoryV2View = new DataView(this.memoryV2.buffer)
  private readonly memoryV1 = new Uint8Array(MEMORY_V1_SIZE)
  private readonly memoryV1View = new DataView(this.memoryV1.buffer)
  private readonly word = new Uint32Array(2)
  private closed = false

  /** Loads the library and initialises NVML; throws an Error whose message says why not. */
  constructor(path: string) {
    this.library = loadLibrary(path)
    this.useMemoryV2 = this.library.memoryV2 !== undefined
    const { core } = this.library
    this.check('nvmlInit_v2', core.nvmlInit_v2())
    try {
      this.check('nvmlDeviceGetCount_v2', core.nvmlDeviceGetCount_v2(ptr(this.word)))
      this.count = this.word[0] ?? 0
      const handle = new BigUint64Array(1)
      for (let index = 0; index < this.count; index++) {
        this.check('nvmlDeviceGetHandleByIndex_v2', core.nvmlDeviceGetHandleByIndex_v2(index, ptr(handle)))
        this.handles.push(handle[0] ?? 0n)
      }
    } catch (error) {
      core.nvmlShutdown()
      throw error
    }
  }

  /** Memory of every GPU; uses the v2 call (which leaves driver-reserved memory out) where the driver has it. */
  memory(): GpuMemory[] {
    return this.handles.map((handle, index) => this.memoryOf(handle, index))
  }

  /** GPU utilisation in percent over the driver's last sample period, per GPU. */
  utilization(): { index: number; value: number }[] {
    const call = this.library.utilization?.nvmlDeviceGetUtilizationRates
    if (call === undefined) throw new Error('this NVML has no nvmlDeviceGetUtilizationRates')
    return this.handles.map((handle, index) => {
      this.check('nvmlDeviceGetUtilizationRates', call(handle, ptr(this.word)))
      return { index, value: this.word[0] ?? 0 }
    })
  }

  /** GPU core temperature in °C, per GPU. */
  temperature(): { index: number; value: number }[] {
    const call = this.library.temperature?.nvmlDeviceGetTemperature
    if (call === undefined) throw new Error('this NVML has no nvmlDeviceGetTemperature')
    return this.handles.map((handle, index) => {
      this.check('nvmlDeviceGetTemperature', call(handle, NVML_TEMPERATURE_GPU, ptr(this.word)))
      return { index, value: this.word[0] ?? 0 }
    })
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.library.core.nvmlShutdown()
  }

  private memoryOf(handle: bigint, index: number): GpuMemory {
    const v2 = this.library.memoryV2?.nvmlDeviceGetMemoryInfo_v2
    if (this.useMemoryV2 && v2 !== undefined) {
      this.memoryV2View.setUint32(0, MEMORY_V2_VERSION, true)
      const result = v2(handle, ptr(this.memoryV2))
      if (result === NVML_SUCCESS) {
        return {
          index,
          total: Number(this.memoryV2View.getBigUint64(8, true)),
          used: Number(this.memoryV2View.getBigUint64(32, true)),
        }
      }
      // A driver that knows the name but not this struct version answers one of these; v1 works everywhere.
      if (result !== NVML_ERROR_FUNCTION_NOT_FOUND && result !== NVML_ERROR_ARGUMENT_VERSION_MISMATCH) {
        this.check('nvmlDeviceGetMemoryInfo_v2', result)
      }
      this.useMemoryV2 = false
    }
    this.check('nvmlDeviceGetMemoryInfo', this.library.core.nvmlDeviceGetMemoryInfo(handle, ptr(this.memoryV1)))
    return {
      index,
      total: Number(this.memoryV1View.getBigUint64(0, true)),
      used: Number(this.memoryV1View.getBigUint64(16, true)),
    }
  }

  /** Which memory call the last read used, for doctor and tests. */
  get memoryCall(): 'nvmlDeviceGetMemoryInfo_v2' | 'nvmlDeviceGetMemoryInfo' {
    return this.useMemoryV2 ? 'nvmlDeviceGetMemoryInfo_v2' : 'nvmlDeviceGetMemoryInfo'
  }

  private check(call: string, result: number): void {
    if (result === NVML_SUCCESS) return
    throw new Error(`${call} failed: ${String(this.library.core.nvmlErrorString(result))} (${result})`)
  }
}
