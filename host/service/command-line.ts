// The command a service runs: this executable, or bun and the script when run from source, and the user's flags.

/** Compiled executables see their own entry point inside Bun's embedded file system. */
export const isCompiled = (main: string = Bun.main): boolean => main.startsWith('/$bunfs/') || /^[A-Z]:[\\/]~BUN[\\/]/i.test(main)

/** argv[0..] for the service: the program, then `flags` (the ones given to install-service, minus its own). */
export const serviceCommand = (flags: readonly string[]): string[] =>
  isCompiled() ? [process.execPath, ...flags] : [process.execPath, Bun.main, ...flags]
