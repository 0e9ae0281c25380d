// Builds the host's WebAssembly module (firmware-rs/wasm for wasm32: the board's scenes and its meter maths, by
// scripts/scenes-wasm.sh) where the host imports it from: host/screens/generated/scenes.wasm, git-ignored. `npm run
// build`, `npm start` and the tests that draw or run virtual meters call it; host/wasm/module-url.ts gives pages its URL.
import { join } from 'node:path'

const ROOT = join(import.meta.dir, '..', '..')

/** Where the host imports the module from, and so where `bun build --compile` embeds it from. */
export const SCENES_WASM = join(ROOT, 'host', 'screens', 'generated', 'scenes.wasm')

/** Builds the module into `out` (cargo does nothing when it is up to date); throws with cargo's last line on failure. */
export const buildScenesWasm = async (out: string = SCENES_WASM): Promise<string> => {
  const proc = Bun.spawn(['sh', join(ROOT, 'scripts', 'scenes-wasm.sh'), out], { cwd: ROOT, stdout: 'ignore', stderr: 'pipe' })
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
  if (code !== 0) {
    const last = stderr.trim().split('\n').filter((line) => line.trim() !== '').slice(-3).join(' | ')
    throw new Error(`scripts/scenes-wasm.sh failed (exit ${code}): ${last}`)
  }
  return out
}
