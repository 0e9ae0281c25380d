// For the WASM tests: the lines a sysboy-wasm example prints natively (`cargo run --example NAME`), one JSON object a
// line, to compare the module with the board's own code built for this machine.
import { join } from 'node:path'

const ROOT = join(import.meta.dir, '..', '..')

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
