// Turns command-line flags into the top settings layer; a bad value is a usage error naming the flag.
import {
  type Layer,
  type Parsed,
  parseBind,
  parseGpu,
  parseInterval,
  parseMetric,
  parseName,
  parsePort,
  parseToken,
  parseUrl,
} from '../config/resolve.ts'
import type { FlagName, Invocation } from './args.ts'
import { CliError, EXIT } from './exit-codes.ts'

const value = <T>(flags: Invocation['flags'], name: FlagName, parse: (text: string) => Parsed<T>): T | undefined => {
  const text = flags[name]
  if (text === undefined || text === true) return undefined
  const parsed = parse(text)
  if (!parsed.ok) throw new CliError(`--${name}: ${parsed.reason}`, EXIT.usage)
  return parsed.value
}

const text = (t: string): Parsed<string> =>
  t.trim() === '' ? { ok: false, reason: 'must not be empty' } : { ok: true, value: t }

export const flagLayer = (flags: Invocation['flags']): Layer => ({
  metric: value(flags, 'metric', parseMetric),
  port: value(flags, 'port', parsePort),
  bind: value(flags, 'bind', parseBind),
  interval: value(flags, 'interval', parseInterval),
  gpu: value(flags, 'gpu', parseGpu),
  source: value(flags, 'source', parseName),
  prometheus: value(flags, 'prometheus', parseUrl),
  query: value(flags, 'query', text),
  token: value(flags, 'token', parseToken),
  nvmlLib: value(flags, 'nvml-lib', text),
  mdns: flags['no-mdns'] === true ? false : undefined,
})
