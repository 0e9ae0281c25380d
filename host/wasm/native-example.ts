// For the WASM tests: the lines a sysboy-wasm example prints natively (`cargo run --example NAME`), one JSON object a
// line, to compare the module with the board's own code built for this machine; and a refusal of the module's, caught.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SCENES_WASM, buildScenesWasm } from '../screens/build-scenes.ts'
import { MeterError } from './virtual-meter.ts'

const ROOT = join(import.meta.dir, '..', '..')

/** How long building the module and the example may take together: both compile Rust, from nothing on a cold cache. */
export const BUILD_TIMEOUT_MS = 600_000

/** Runs example `name` of sysboy-wasm and parses each line it prints; throws with cargo's last lines on failure. */
export const nativeExampleLines = async <Line>(name: string): Promise<Line[]> => {
  const command = ['sh', join(ROOT, 'scripts', 'cargo-host.sh'), 'run', '-q', '-p', 'sysboy-wasm', '--example', name]
  const proc = Bun.spawn(command, { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' })
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()])
  if (code !== 0) throw new Error(`the ${name} example failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`)
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Line)
}

/** The two sides of a comparison, made at once: the module's bytes (scripts/scenes-wasm.sh) and example `name`'s lines. */
export const moduleAndNativeExample = async <Line>(name: string): Promise<{ wasm: Uint8Array; lines: Line[] }> => {
  const [, lines] = await Promise.all([buildScenesWasm(), nativeExampleLines<Line>(name)])
  return { wasm: readFileSync(SCENES_WASM), lines }
}

/** The MeterError `call` throws; any other error is thrown on, and a call that returns fails the test. */
export const refusal = (call: () => unknown): MeterError => {
  try {
    call()
  } catch (error) {
    if (error instanceof MeterError) return error
    throw error
  }
  throw new Error('the call was not refused')
}
