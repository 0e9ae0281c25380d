// Where the CLI writes: stdout for results and status, stderr for errors, and whether stdout is a terminal.
import { fstatSync } from 'node:fs'

export interface Console {
  out(line: string): void
  err(line: string): void
  /** Rewrites the current terminal line in place (TTY only). */
  overwrite(line: string): void
  isTTY: boolean
}

/** Whether stdout is a terminal. Only a character device can be one, so a pipe or a file is told without node:tty. */
const stdoutIsTerminal = (): boolean => {
  try {
    if (!fstatSync(1).isCharacterDevice()) return false
  } catch {
    return false
  }
  return process.stdout.isTTY === true
}

export const processConsole = (): Console => {
  if (!stdoutIsTerminal()) {
    // Off a terminal (a pipe, a file, a service's journal) lines go out through Bun's console, which writes to the
    // descriptor itself: process.stdout is a Node stream whose modules cost an idle host about 1 MB of peak RSS
    // (bench/idle.ts with SYSBOY_BENCH_COMPARE, three runs: 0.8-1.3 MB). Bun ignores SIGPIPE, so a line written after
    // the reader went away is lost and the host keeps serving devices.
    return {
      out: (line) => console.log('%s', line),
      err: (line) => console.error('%s', line),
      overwrite: (line) => console.log('%s', line),
      isTTY: false,
    }
  }
  // A host whose terminal went away keeps serving devices; its status line is not worth dying for.
  process.stdout.on('error', () => {})
  process.stderr.on('error', () => {})
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    overwrite: (line) => process.stdout.write(`\r\x1b[2K${line}`),
    isTTY: true,
  }
}
