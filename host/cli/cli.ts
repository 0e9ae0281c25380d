// The sysboy command line: parses argv, runs the command, and turns every failure into one line and an exit code.
import { METRICS } from '../sources/index.ts'
import { VERSION } from '../version.ts'
import { parseArgs } from './args.ts'
import type { Console } from './console.ts'
import { CliError, EXIT, type ExitCode } from './exit-codes.ts'
import { runHost } from './run.ts'
import { settingsFor } from './settings.ts'
import { usageText } from './usage.ts'

const dispatch = async (argv: readonly string[], env: Record<string, string | undefined>, console: Console): Promise<ExitCode> => {
  const invocation = parseArgs(argv)
  switch (invocation.command) {
    case 'help':
      console.out(usageText(VERSION, METRICS).trimEnd())
      return EXIT.ok
    case 'version':
      console.out(VERSION)
      return EXIT.ok
    case 'install-service':
      return (await import('./install-service.ts')).runInstallService(invocation, env, console)
    case 'doctor':
      return await (await import('./doctor.ts')).runDoctor(settingsFor(invocation, env), console)
    case 'devices':
      return await (await import('./devices.ts')).runDevices(settingsFor(invocation, env), console)
    case 'pair':
      return await (await import('./pair.ts')).runPair(settingsFor(invocation, env), invocation.target, invocation.flags.deny === true, console)
    case 'revoke':
      return await (await import('./pair.ts')).runRevoke(settingsFor(invocation, env), invocation.target, console)
    case 'update':
      return await (await import('./update.ts')).runUpdate(settingsFor(invocation, env), invocation.target, console)
    case 'open':
      return await (await import('./open.ts')).runOpen(settingsFor(invocation, env), env, console)
    case 'preview':
      return await (await import('./preview.ts')).runPreview(invocation, settingsFor(invocation, env), console)
    case 'run':
      return await runHost(settingsFor(invocation, env), { require: invocation.flags.require === true, console })
  }
}

export const runCli = async (argv: readonly string[], env: Record<string, string | undefined>, console: Console): Promise<ExitCode> => {
  try {
    return await dispatch(argv, env, console)
  } catch (error) {
    if (error instanceof CliError) {
      console.err(`sysboy: ${error.message}`)
      return error.exitCode
    }
    console.err(`sysboy: internal error: ${(error as Error).stack ?? String(error)}`)
    return EXIT.internal
  }
}
