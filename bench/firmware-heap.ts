// The ESP32 firmware's heap as firmware-rs/esp32/src/main.rs sets it up: the sizes its `esp_alloc::heap_allocator!`
// calls add up to, esp-radio's share, and the simulated device-logic worst case it was sized from. Run as a script it
// prints the one line scripts/firmware-build.sh shows; tests/firmware-heap.test.ts holds the figures to a new
// measurement.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export const MAIN_RS = join(import.meta.dir, '..', 'firmware-rs', 'esp32', 'src', 'main.rs')

export interface FirmwareHeap {
  /** Every heap region the allocator gets, summed. */
  heapBytes: number
  /** What main.rs sets aside for esp-radio's Wi-Fi (`RADIO_HEAP`). */
  radioBytes: number
  /** The simulated device-logic worst case main.rs was sized from (`DEVICE_LOGIC_PEAK`). */
  devicePeakBytes: number
}

/** The value of a constant expression of integers, `+`, `-`, `*`, parentheses and the `consts` already read. */
const evaluate = (expression: string, consts: Map<string, number>, where: string): number => {
  const substituted = expression.replace(/[A-Z_][A-Z0-9_]*/g, (name) => {
    const value = consts.get(name)
    if (value === undefined) throw new Error(`${where}: unknown constant ${name} in '${expression}'`)
    return String(value)
  })
  const plain = substituted.replace(/_/g, '')
  if (!/^[0-9+\-*() ]+$/.test(plain)) throw new Error(`${where}: '${expression}' is not a plain integer expression`)
  return Function(`"use strict"; return (${plain})`)() as number
}

/** The `const NAME: usize = …;` lines of a Rust source file, each worked out (they may use the ones before). */
export const readUsizeConsts = (path: string, source = readFileSync(path, 'utf8')): Map<string, number> => {
  const consts = new Map<string, number>()
  for (const [, name, expression] of source.matchAll(/^\s*(?:pub )?const ([A-Z_][A-Z0-9_]*): usize = ([^;]+);/gm)) {
    consts.set(name!, evaluate(expression!, consts, path))
  }
  return consts
}

/** Reads the heap figures from main.rs's `const NAME: usize = …;` lines and its `heap_allocator!` calls. */
export const readFirmwareHeap = (path = MAIN_RS): FirmwareHeap => {
  const source = readFileSync(path, 'utf8')
  const consts = readUsizeConsts(path, source)
  const regions = [...source.matchAll(/esp_alloc::heap_allocator!\((?:#\[[^\]]*\]\s*)?size:\s*([^)]+)\)/g)]
  if (regions.length === 0) throw new Error(`${path}: no esp_alloc::heap_allocator! call`)
  const heapBytes = regions.reduce((sum, [, size]) => sum + evaluate(size!, consts, path), 0)
  const radioBytes = consts.get('RADIO_HEAP')
  const devicePeakBytes = consts.get('DEVICE_LOGIC_PEAK')
  if (radioBytes === undefined || devicePeakBytes === undefined) throw new Error(`${path}: RADIO_HEAP and DEVICE_LOGIC_PEAK must be set`)
  return { heapBytes, radioBytes, devicePeakBytes }
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`

/** One line: the heap, esp-radio's share, and how many times the device logic's worst case the rest is. */
export const describeFirmwareHeap = (heap: FirmwareHeap): string => {
  const rest = heap.heapBytes - heap.radioBytes
  return (
    `heap ${kib(heap.heapBytes)} = esp-radio ${kib(heap.radioBytes)} + ${kib(rest)} for the device logic, ` +
    `${(rest / heap.devicePeakBytes).toFixed(2)}x its simulated worst case of ${kib(heap.devicePeakBytes)} (tests/firmware-heap.test.ts)`
  )
}

if (import.meta.main) console.log(describeFirmwareHeap(readFirmwareHeap()))
