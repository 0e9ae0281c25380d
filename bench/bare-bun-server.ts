// The idle benchmark's Bun baseline: a bare Bun.serve WebSocket server that reads VRAM from NVML through bun:ffi
// and broadcasts {"type":"vram","value":<percent>} to every client once per interval; nothing else.
//
// Usage: bun bench/bare-bun-server.ts PORT [INTERVAL_MS]; NVML is libnvidia-ml.so.1, or SYSBOY_NVML_LIB.
import { dlopen, FFIType, ptr } from 'bun:ffi'

const { symbols: nvml } = dlopen(process.env.SYSBOY_NVML_LIB ?? 'libnvidia-ml.so.1', {
  nvmlInit_v2: { args: [], returns: FFIType.i32 },
  nvmlDeviceGetHandleByIndex_v2: { args: [FFIType.u32, FFIType.ptr], returns: FFIType.i32 },
  nvmlDeviceGetMemoryInfo: { args: [FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
})
if (nvml.nvmlInit_v2() !== 0) throw new Error('nvmlInit_v2 failed')
const handle = new BigUint64Array(1)
if (nvml.nvmlDeviceGetHandleByIndex_v2(0, ptr(handle)) !== 0) throw new Error('no GPU 0')
// struct nvmlMemory_t { unsigned long long total, free, used; }
const memory = new BigUint64Array(3)

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.argv[2] ?? 0),
  fetch: (request, server) => (server.upgrade(request) ? undefined : new Response('WebSocket only', { status: 426 })),
  websocket: {
    open: (ws) => {
      ws.subscribe('vram')
    },
    message: () => {},
  },
})
console.log(`listening on ${server.port}`)

setInterval(() => {
  if (nvml.nvmlDeviceGetMemoryInfo(handle[0] ?? 0n, ptr(memory)) !== 0) return
  const value = Math.round((Number(memory[2]) / Number(memory[0])) * 1000) / 10
  server.publish('vram', JSON.stringify({ type: 'vram', value }))
}, Number(process.argv[3] ?? 1000))
