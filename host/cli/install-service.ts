// `sysboy install-service`: writes the service file that starts sysboy at login, or prints it with --print.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { serviceCommand } from '../service/command-line.ts'
import { serviceFileFor } from '../service/service-file.ts'
import type { Console } from './console.ts'
import { CliError, EXIT, type ExitCode } from './exit-codes.ts'

/** The flags the service should run with: everything given, minus the subcommand and its own --print. */
export const serviceFlags = (argv: readonly string[]): string[] => argv.filter((a) => a !== 'install-service' && a !== '--print')

export const runInstallService = (
  argv: readonly string[],
  print: boolean,
  env: Record<string, string | undefined>,
  console: Console,
): ExitCode => {
  const file = serviceFileFor(process.platform, serviceCommand(serviceFlags(argv)), env)
  if (file === undefined) {
    throw new CliError(`install-service knows Linux, macOS and Windows, not ${process.platform}; start sysboy from your init system`, EXIT.usage)
  }
  if (print) {
    console.out(file.content.trimEnd())
    console.err(`# ${file.kind}: save as ${file.path}, then run: ${file.nextStep}`)
    return EXIT.ok
  }
  try {
    mkdirSync(dirname(file.path), { recursive: true })
    const bytes = file.encoding === 'utf16le' ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(file.content, 'utf16le')]) : file.content
    writeFileSync(file.path, bytes)
  } catch (error) {
    throw new CliError(`cannot write ${file.path}: ${(error as Error).message}; use --print and save it yourself`, EXIT.serviceNotInstalled)
  }
  console.out(`wrote the ${file.kind} to ${file.path}`)
  console.out(`next: ${file.nextStep}`)
  return EXIT.ok
}
