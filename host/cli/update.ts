// `sysboy update <device>`: asks a running host to offer a board the newer firmware it carries. The board fetches it
// over Wi-Fi, checks it, restarts into it and reports how it goes, which `sysboy devices` shows.
import type { Settings } from '../config/resolve.ts'
import type { UpdateOffer } from '../../schema/index.ts'
import type { Console } from './console.ts'
import { CliError, EXIT, type ExitCode } from './exit-codes.ts'
import { hostRequest } from './host-api.ts'

interface UpdateAnswer {
  offered?: UpdateOffer
  error?: string
  reason?: string
}

export const runUpdate = async (settings: Settings, device: string | undefined, console: Console): Promise<ExitCode> => {
  if (device === undefined) throw new CliError('update needs the device to update: sysboy update <device> (sysboy devices lists them)', EXIT.usage)
  const response = await hostRequest(settings, 'POST', `/api/devices/${encodeURIComponent(device)}/update`, [400, 404, 409])
  let answer: UpdateAnswer
  try {
    answer = (await response.json()) as UpdateAnswer
  } catch {
    answer = {}
  }
  if (response.ok && answer.offered !== undefined) {
    const { version, size } = answer.offered
    console.out(`${device}: offered firmware ${version} (${size} bytes); it downloads, checks and restarts into it: follow it with sysboy devices`)
    return EXIT.ok
  }
  // A board that already runs this firmware or newer is where the command would take it.
  if (answer.error === 'not_newer') {
    console.out(`${device}: ${answer.reason ?? 'already up to date'}`)
    return EXIT.ok
  }
  throw new CliError(answer.reason ?? `the host answered HTTP ${response.status}`, EXIT.usage)
}
