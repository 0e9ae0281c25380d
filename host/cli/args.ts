// Splits the command line into a subcommand and its flags, refusing unknown flags in one line.
import { CliError, EXIT } from './exit-codes.ts'

export const COMMANDS = ['run', 'doctor', 'devices', 'install-service', 'help', 'version'] as const
export type Command = (typeof COMMANDS)[number]

interface FlagSpec {
  takesValue: boolean
  short?: string
}

export const FLAGS = {
  metric: { takesValue: true, short: 'm' },
  port: { takesValue: true, short: 'p' },
  bind: { takesValue: true },
  interval: { takesValue: true },
  gpu: { takesValue: true },
  source: { takesValue: true },
  prometheus: { takesValue: true },
  query: { takesValue: true },
  config: { takesValue: true, short: 'c' },
  token: { takesValue: true },
  'nvml-lib': { takesValue: true },
  'no-mdns': { takesValue: false },
  require: { takesValue: false },
  print: { takesValue: false },
  help: { takesValue: false, short: 'h' },
  version: { takesValue: false, short: 'V' },
} as const satisfies Record<string, FlagSpec>

export type FlagName = keyof typeof FLAGS

export interface Invocation {
  command: Command
  /** Flag values as typed; switches are `true`. The last of a repeated flag wins. */
  flags: Partial<Record<FlagName, string | true>>
}

const usage = (message: string): CliError => new CliError(`${message}; see sysboy --help`, EXIT.usage)

const byShort = new Map<string, FlagName>(
  Object.entries(FLAGS).flatMap(([name, spec]) => ('short' in spec ? [[spec.short, name as FlagName]] : [])),
)

const lookup = (arg: string): { name: FlagName; inline: string | undefined } => {
  if (arg.startsWith('--')) {
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
    if (!(name in FLAGS)) throw usage(`unknown flag --${name}`)
    return { name: name as FlagName, inline: eq === -1 ? undefined : arg.slice(eq + 1) }
  }
  const name = byShort.get(arg.slice(1, 2))
  if (name === undefined || (arg.length > 2 && !FLAGS[name].takesValue)) throw usage(`unknown flag ${arg}`)
  return { name, inline: arg.length > 2 ? arg.slice(2) : undefined }
}

export const parseArgs = (argv: readonly string[]): Invocation => {
  const flags: Invocation['flags'] = {}
  let command: Command | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg.startsWith('-') && arg !== '-') {
      const { name, inline } = lookup(arg)
      if (!FLAGS[name].takesValue) {
        if (inline !== undefined) throw usage(`--${name} takes no value`)
        flags[name] = true
        continue
      }
      const value = inline ?? argv[++i]
      if (value === undefined) throw usage(`--${name} needs a value`)
      flags[name] = value
      continue
    }
    if (command !== undefined) throw usage(`unexpected argument '${arg}'`)
    if (!(COMMANDS as readonly string[]).includes(arg)) {
      throw usage(`unknown command '${arg}' (commands: doctor, devices, install-service)`)
    }
    command = arg as Command
  }
  if (flags.help === true) return { command: 'help', flags }
  if (flags.version === true) return { command: 'version', flags }
  return { command: command ?? 'run', flags }
}
