// The exit codes sysboy documents in --help; each failure kind has its own.
export const EXIT = {
  /** Done, or stopped by Ctrl-C / SIGTERM. */
  ok: 0,
  /** Something unexpected; the message says what. */
  internal: 1,
  /** Bad command line: unknown flag, bad value, unknown metric. */
  usage: 2,
  /** Bad config file or environment variable, or the token cannot be stored. */
  config: 3,
  /** The port is in use, or the address cannot be bound. */
  portInUse: 4,
  /** The metric cannot be read here and --require was given. */
  metricUnavailable: 5,
  /** `sysboy devices`, `pair`, `revoke`, `open`: no host answers, or it refused the token. */
  hostUnreachable: 6,
  /** `sysboy install-service`: the service file cannot be written. */
  serviceNotInstalled: 7,
  /** `sysboy open`: the browser could not be started (the URL is printed all the same). */
  browserFailed: 8,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** A failure that ends the command with one line on stderr and its own exit code. */
export class CliError extends Error {
  override readonly name = 'CliError'
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message)
  }
}
