// `sysboy devices`: asks a running host's REST API which devices are connected, and prints them as a table.
import type { Settings } from '../config/resolve.ts'
import type { DeviceInfo } from '../server/index.ts'
import type { Console } from './console.ts'
import { EXIT, type ExitCode } from './exit-codes.ts'
import { hostRequest, hostUrl } from './host-api.ts'
import { table } from './table.ts'

export { hostUrl } from './host-api.ts'

/** What each screen shows, as the device last said: `oled=hub#0`, `oled=alert:gpu_temp`; `?` before it said. */
export const screensText = (device: DeviceInfo): string => {
  const configured = device.config.screens ?? []
  if (configured.length === 0) return '-'
  return configured
    .map(({ output }) => {
      const shown = device.screens?.find((s) => s.output === output)
      if (shown === undefined) return `${output}=?`
      const detail = shown.alert !== undefined ? `:${shown.alert}` : shown.index !== undefined ? `#${shown.index}` : ''
      return `${output}=${shown.scene}${detail}`
    })
    .join(' ')
}

/** Where a firmware update stands: the board's own progress while it reports one, else a newer version the host has. */
export const updateText = (device: DeviceInfo): string => {
  const progress = device.lastStatus?.update
  if (progress !== undefined) {
    const done = progress.total > 0 ? ` ${Math.floor((progress.written / progress.total) * 100)}%` : ''
    const why = progress.reason === undefined ? '' : `: ${progress.reason}`
    return `${progress.state} ${progress.version}${progress.state === 'downloading' ? done : ''}${why}`
  }
  // A host from before updates over the air says nothing of them.
  const available = device.update?.available
  return available === undefined ? '-' : `${available} available`
}

export const runDevices = async (settings: Settings, console: Console): Promise<ExitCode> => {
  const url = hostUrl(settings.bind, settings.port)
  const devices = (await (await hostRequest(settings, 'GET', '/api/devices')).json()) as DeviceInfo[]
  if (devices.length === 0) {
    console.out(`no devices connected to ${url}`)
    return EXIT.ok
  }
  // The screens column only where some device has a screen, so a meter-only desk reads as it always did.
  const withScreens = devices.some((d) => (d.config.screens ?? []).length > 0)
  // Likewise the update column only where some board has an update to take or under way.
  const withUpdates = devices.some((d) => updateText(d) !== '-')
  const rows = devices.map((d) => [
    d.id,
    d.chip,
    d.firmware,
    d.remoteAddress,
    d.bindings.map((b) => `${b.output}=${b.metric}`).join(' '),
    ...(withScreens ? [screensText(d)] : []),
    ...(withUpdates ? [updateText(d)] : []),
    d.connectedSince,
  ])
  const headings = ['device', 'chip', 'firmware', 'address', 'outputs', ...(withScreens ? ['screens'] : []), ...(withUpdates ? ['update'] : []), 'connected since']
  console.out(table(headings, rows))
  return EXIT.ok
}
