// Where the config file lives by default on each platform.
import { homedir } from 'node:os'
import { join } from 'node:path'

type Env = Record<string, string | undefined>

/** `$XDG_CONFIG_HOME/sysboy/config.json`, `~/.config/sysboy/config.json`, or `%APPDATA%\sysboy\config.json`. */
export const defaultConfigPath = (env: Env, platform: NodeJS.Platform = process.platform): string => {
  if (platform === 'win32') {
    const appData = env.APPDATA ?? join(env.USERPROFILE ?? homedir(), 'AppData', 'Roaming')
    return join(appData, 'sysboy', 'config.json')
  }
  const base = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), '.config')
  return join(base, 'sysboy', 'config.json')
}
