// Benchmark: the simulated device against the real host in a network namespace. Prints the time from the link
// coming up (the session going live) to the needle's first movement, and the heap high-water mark of the device
// logic beside what an ESP32-C3 has. Needs root (it creates namespaces) and builds the simulator if needed.
// BENCH_SIM_ROUNDS sets how many fresh boots are measured (default 3).
import { openDesk } from '../tests/netns/scenario.ts'
import { readFirmwareHeap } from './firmware-heap.ts'

/** The ESP32-C3's SRAM the application can use, roughly; Wi-Fi's driver and buffers take a large share of it. */
const ESP32_C3_SRAM_KB = 320
/** The heap the ESP32 binary hands its allocator (firmware-rs/esp32/src/main.rs), shared with the Wi-Fi driver. */
const ESP32_HEAP_KB = readFirmwareHeap().heapBytes / 1024

export interface SimRound {
  linkUpMs: number
  firstMoveMs: number
  heapPeakBytes: number
}

const round = async (): Promise<SimRound> => {
  const desk = await openDesk({ vram: 42.3 })
  try {
    const device = desk.device!
    const live = await device.waitForEvent('live session', (e) => e.event === 'live', 30_000)
    const moved = await device.waitForStatus('needle moving', (s) => s.t >= live.t && s.meter === 'live' && s.needle > 1, 10_000)
    // A press, a metric switch and a few seconds of frames and statuses: the heap's working set, not just start-up.
    device.press('short')
    await device.waitForEvent('ack', (e) => e.event === 'ack', 10_000)
    await Bun.sleep(3_000)
    const last = device.latest()!
    return { linkUpMs: live.t, firstMoveMs: moved.t - live.t, heapPeakBytes: Math.max(...device.statuses.map((s) => s.heap_peak), last.heap_peak) }
  } finally {
    await desk.close()
  }
}

export const main = async (): Promise<SimRound[]> => {
  const rounds = Number(process.env.BENCH_SIM_ROUNDS ?? '3')
  const results: SimRound[] = []
  for (let i = 0; i < rounds; i += 1) {
    const result = await round()
    results.push(result)
    console.log(
      `sim round ${i + 1}: link up ${result.linkUpMs} ms after boot (DHCP included); first needle movement ${result.firstMoveMs} ms after link up; heap high-water ${result.heapPeakBytes} B`,
    )
  }
  const worstMove = Math.max(...results.map((r) => r.firstMoveMs))
  const peak = Math.max(...results.map((r) => r.heapPeakBytes))
  const kb = peak / 1024
  console.log(`sim: first needle movement after link up: worst ${worstMove} ms over ${rounds} boots`)
  console.log(
    `sim: device-logic heap high-water ${kb.toFixed(1)} KiB = ${((100 * kb) / ESP32_HEAP_KB).toFixed(0)} % of the ${ESP32_HEAP_KB} KiB heap the ESP32 binary sets up ` +
      `(${((100 * kb) / ESP32_C3_SRAM_KB).toFixed(0)} % of an ESP32-C3's ~${ESP32_C3_SRAM_KB} KiB SRAM, much of which Wi-Fi takes). ` +
      'The figure is counted by the simulator\'s allocator, so it also holds the simulator\'s own report lines: an upper bound.',
  )
  return results
}

if (import.meta.main) await main()
