// The settings a command runs with: its flags over the environment over the config file over the defaults.
import { ConfigError } from '../config/error.ts'
import { type Settings, resolveSettings } from '../config/resolve.ts'
import type { Invocation } from './args.ts'
import { CliError, EXIT } from './exit-codes.ts'
import { flagLayer } from './flag-layer.ts'

export const settingsFor = (invocation: Invocation, env: Record<string, string | undefined>): Settings => {
  const config = invocation.flags.config
  try {
    return resolveSettings({ flags: flagLayer(invocation.flags), configFlag: typeof config === 'string' ? config : undefined, env })
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.config)
    throw error
  }
}
