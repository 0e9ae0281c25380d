// What the idle benchmarks share: the built host they measure, and executables started as if read from disk.
//
// The resident size of an executable's code depends on how its pages came into the page cache, not only on what the
// program runs: the same host binary faults in as 33.2 MB of code just after the bundler wrote it, 30.2 MB after cp
// and 28.1 MB read back from disk. So every executable measured runs from a copy dropped from the page cache.
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'

const ROOT = join(import.meta.dir, '..')

/** The host to measure: SYSBOY_BENCH_BINARY, else dist/sysboy-linux-x64 (npm run build). */
export const builtHost = (): string => {
  const host = process.env.SYSBOY_BENCH_BINARY ?? join(ROOT, 'dist', 'sysboy-linux-x64')
  if (!existsSync(host)) throw new Error(`${host} is missing: run npm run build first`)
  return host
}

/** Drops `file` from the page cache: the kernel keeps dirty pages, so it is written back first, then dropped whole. */
export const dropFromPageCache = async (file: string): Promise<void> => {
  for (const command of [['sync', file], ['dd', `if=${file}`, 'iflag=nocache', 'count=0', 'status=none']]) {
    const proc = Bun.spawn(command, { stdout: 'ignore', stderr: 'pipe' })
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
    if (code !== 0) throw new Error(`${command.join(' ')} failed (exit ${code}): ${stderr.trim()}`)
  }
}

/** A copy of `executable` in `folder`/bin named `name`, dropped from the page cache, so that it starts as from disk. */
export const coldCopy = async (executable: string, folder: string, name: string): Promise<string> => {
  mkdirSync(join(folder, 'bin'), { recursive: true })
  const copy = join(folder, 'bin', name)
  copyFileSync(executable, copy)
  chmodSync(copy, 0o755)
  await dropFromPageCache(copy)
  return copy
}
