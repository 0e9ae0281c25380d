// The service file for this platform: what `sysboy install-service` writes, where, and what the user runs next.
import { homedir } from 'node:os'
import { join } from 'node:path'
import { launchdAgent } from './launchd.ts'
import { systemdUnit } from './systemd.ts'
import { windowsTask } from './windows-task.ts'

export interface ServiceFile {
  kind: string
  path: string
  content: string
  /** The command that enables and starts the service. */
  nextStep: string
  /** Written as UTF-8 unless this says otherwise. */
  encoding?: 'utf16le'
}

export const serviceFileFor = (
  platform: NodeJS.Platform,
  command: readonly string[],
  env: Record<string, string | undefined>,
  home: string = env.HOME ?? homedir(),
): ServiceFile | undefined => {
  if (platform === 'linux') return systemdUnit(command, env, home)
  if (platform === 'darwin') return launchdAgent(command, home)
  if (platform === 'win32') return windowsTask(command, env.APPDATA ?? join(env.USERPROFILE ?? home, 'AppData', 'Roaming'))
  return undefined
}
