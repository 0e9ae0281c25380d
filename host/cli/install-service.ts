// `sysboy install-service`: writes the service file that starts sysboy at login, or prints it with --print.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { ConfigError } from '../config/file.ts'
import type { Settings } from '../config/resolve.ts'
import { storeToken } from '../config/token.ts'
import { serviceCommand } from '../service/command-line.ts'
import { serviceFileFor } from '../service/service-file.ts'
import { FLAGS, type FlagName, type Invocation } from './args.ts'
import type { Console } from './console.ts'
import { CliError, EXIT, type ExitCode } from './exit-codes.ts'
import { checkMetric, settingsFor } from './settings.ts'

// Not carried into the service: its own --print, the token (it goes to the 0600 config file, never into a service
// file others can read), and --config (written as the absolute path of the file the token is in).
const NOT_CARRIED: ReadonlySet<FlagName> = new Set(['print', 'token', 'config', 'help', 'version'])
// A service manager starts the program in another directory, so a relative path would name another file.
const PATHS: ReadonlySet<FlagName> = new Set(['nvml-lib'])

/**
 * The flags the service runs with: the ones given (as validated), minus those above, paths made absolute against
 * `cwd`, and `--config` with the absolute path of `configPath` when there is one.
 */
export const serviceFlags = (flags: Invocation['flags'], configPath: string | undefined, cwd: string): string[] => {
  const args: string[] = []
  for (const name of Object.keys(FLAGS) as FlagName[]) {
    const value = flags[name]
    if (value === undefined || NOT_CARRIED.has(name)) continue
    if (value === true) args.push(`--${name}`)
    else args.push(`--${name}`, PATHS.has(name) ? resolve(cwd, value) : value)
  }
  return configPath === undefined ? args : [...args, '--config', resolve(cwd, configPath)]
}

/** The config file the service must be told about: one the user named, or the one its token was just stored in. */
const configToName = (settings: Settings, flags: Invocation['flags'], env: Record<string, string | undefined>): string | undefined =>
  flags.config !== undefined || (env.SYSBOY_CONFIG ?? '') !== '' || flags.token !== undefined ? settings.configPath : undefined

export const runInstallService = (
  invocation: Invocation,
  env: Record<string, string | undefined>,
  console: Console,
  cwd: string = process.cwd(),
): ExitCode => {
  const { flags } = invocation
  const print = flags.print === true
  // The same checks as `sysboy` itself, before anything is written: a service that cannot start is no service.
  const settings = settingsFor(invocation, env)
  checkMetric(settings)
  const configPath = resolve(cwd, settings.configPath)
  const file = serviceFileFor(process.platform, serviceCommand(serviceFlags(flags, configToName(settings, flags, env), cwd)), env)
  if (file === undefined) {
    throw new CliError(`install-service knows Linux, macOS and Windows, not ${process.platform}; start sysboy from your init system`, EXIT.usage)
  }
  if (print) {
    console.out(file.content.trimEnd())
    if (flags.token !== undefined) {
      console.err(`# the pairing token is not in the ${file.kind}; without --print it is stored in ${configPath} (mode 0600)`)
    }
    console.err(`# ${file.kind}: save as ${file.path}, then run: ${file.nextStep}`)
    return EXIT.ok
  }
  if (typeof flags.token === 'string') {
    try {
      storeToken(configPath, flags.token)
    } catch (error) {
      if (error instanceof ConfigError) throw new CliError(error.message, EXIT.config)
      throw error
    }
    console.out(`stored the pairing token in ${configPath} (mode 0600); the ${file.kind} does not hold it`)
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
