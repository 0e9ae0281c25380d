// Splits the command line into a subcommand and its flags (node:util parseArgs), refusing in one line a flag that
// is unknown, lacks its value, or belongs to another subcommand.
import { type ParseArgsOptionsConfig, parseArgs as parseTokens } from 'node:util'
import { CliError, EXIT } from './exit-codes.ts'

export const COMMANDS = ['run', 'doctor', 'devices', 'pair', 'revoke', 'update', 'open', 'install-service', 'preview', 'help', 'version'] as const
export type Command = (typeof COMMANDS)[number]

export const FLAGS = {
  metric: { type: 'string', short: 'm' },
  port: { type: 'string', short: 'p' },
  bind: { type: 'string' },
  interval: { type: 'string' },
  gpu: { type: 'string' },
  source: { type: 'string' },
  prometheus: { type: 'string' },
  query: { type: 'string' },
  config: { type: 'string', short: 'c' },
  token: { type: 'string' },
  'nvml-lib': { type: 'string' },
  'no-mdns': { type: 'boolean' },
  require: { type: 'boolean' },
  print: { type: 'boolean' },
  deny: { type: 'boolean' },
  scene: { type: 'string' },
  size: { type: 'string' },
  depth: { type: 'string' },
  metrics: { type: 'string' },
  live: { type: 'boolean' },
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const satisfies ParseArgsOptionsConfig

export type FlagName = keyof typeof FLAGS

/** The flags that set what a host runs with; `doctor` takes them all, to check the sources that run would use. */
const SETTINGS: readonly FlagName[] = ['metric', 'port', 'bind', 'interval', 'gpu', 'source', 'prometheus', 'query', 'config', 'token', 'nvml-lib', 'no-mdns']

/** The flags each subcommand takes, besides --help and --version. */
const TAKES: Record<Exclude<Command, 'help' | 'version'>, readonly FlagName[]> = {
  run: [...SETTINGS, 'require'],
  doctor: SETTINGS,
  devices: ['port', 'bind', 'token', 'config'],
  pair: ['port', 'bind', 'token', 'config', 'deny'],
  revoke: ['port', 'bind', 'token', 'config'],
  update: ['port', 'bind', 'token', 'config'],
  open: ['port', 'bind', 'token', 'config'],
  // The service runs the main job with these, so they are the main job's, and its own --print.
  'install-service': [...SETTINGS, 'require', 'print'],
  // --live reads the PC's figures, so it takes the flags that choose where they come from.
  preview: ['scene', 'size', 'depth', 'metrics', 'live', 'out', 'gpu', 'interval', 'nvml-lib', 'config'],
}

export interface Invocation {
  command: Command
  /** Flag values as typed; switches are `true`. The last of a repeated flag wins. */
  flags: Partial<Record<FlagName, string | true>>
  /** The device a command names (`sysboy pair <device>`, `sysboy revoke <device>`, `sysboy update <device>`); absent when none is given. */
  target?: string
}

/** The commands that name a device after them. */
const TAKES_TARGET: readonly Command[] = ['pair', 'revoke', 'update']

const PREVIEW_ONLY: readonly FlagName[] = ['scene', 'size', 'depth', 'metrics', 'live', 'out']

const usage = (message: string): CliError => new CliError(`${message}; see sysboy --help`, EXIT.usage)

const isFlag = (name: string): name is FlagName => Object.hasOwn(FLAGS, name)

const checkTaken = (command: Command, flags: Invocation['flags']): void => {
  if (command === 'help' || command === 'version') return
  const takes = TAKES[command]
  for (const name of Object.keys(flags) as FlagName[]) {
    if (name === 'help' || name === 'version' || takes.includes(name)) continue
    if (name === 'print') throw usage('--print belongs to install-service')
    if (PREVIEW_ONLY.includes(name)) throw usage(`--${name} belongs to preview`)
    throw usage(`${command === 'run' ? 'sysboy' : command} takes no --${name} (its flags: ${takes.map((f) => `--${f}`).join(', ')})`)
  }
}

export const parseArgs = (argv: readonly string[]): Invocation => {
  // Not strict: the checks below word each mistake in sysboy's own one-line style.
  const { tokens } = parseTokens({ args: [...argv], options: FLAGS, allowPositionals: true, strict: false, tokens: true })
  const flags: Invocation['flags'] = {}
  let command: Command | undefined
  let target: string | undefined
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue
    if (token.kind === 'positional') {
      if (command !== undefined && TAKES_TARGET.includes(command) && target === undefined) {
        target = token.value
        continue
      }
      if (command !== undefined) throw usage(`unexpected argument '${token.value}'`)
      if (!(COMMANDS as readonly string[]).includes(token.value)) {
        throw usage(`unknown command '${token.value}' (commands: doctor, devices, pair, revoke, update, open, install-service, preview)`)
      }
      command = token.value as Command
      continue
    }
    const { name } = token
    if (!isFlag(name)) throw usage(`unknown flag ${token.rawName}`)
    if (FLAGS[name].type === 'boolean') {
      if (token.value !== undefined) throw usage(`--${name} takes no value`)
      flags[name] = true
      continue
    }
    if (token.value === undefined) throw usage(`--${name} needs a value`)
    flags[name] = token.value
  }
  if (flags.help === true) return { command: 'help', flags }
  if (flags.version === true) return { command: 'version', flags }
  const chosen = command ?? 'run'
  checkTaken(chosen, flags)
  return target === undefined ? { command: chosen, flags } : { command: chosen, flags, target }
}
