// Where the CLI writes: stdout for results and status, stderr for errors, and whether stdout is a terminal.
export interface Console {
  out(line: string): void
  err(line: string): void
  /** Rewrites the current terminal line in place (TTY only). */
  overwrite(line: string): void
  isTTY: boolean
}

export const processConsole = (): Console => {
  // A host whose terminal or log pipe went away keeps serving devices; its status line is not worth dying for.
  process.stdout.on('error', () => {})
  process.stderr.on('error', () => {})
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    overwrite: (line) => process.stdout.write(`\r\x1b[2K${line}`),
    isTTY: process.stdout.isTTY === true,
  }
}
