// `sysboy devices`: asks a running host's REST API which devices are connected, and prints them as a table.
import type { Settings } from '../config/resolve.ts'
import type { DeviceInfo } from '../server/index.ts'
import type { Console } from './console.ts'
import { CliError, EXIT, type ExitCode } from './exit-codes.ts'
import { table } from './table.ts'

/** Where to reach the host this config describes: a wildcard bind is reached on loopback. */
export const hostUrl = (bind: string, port: number): string => {
  const host = bind === '0.0.0.0' ? '127.0.0.1' : bind === '::' ? '[::1]' : bind.includes(':') ? `[${bind}]` : bind
  return `http://${host}:${port}`
}

const fetchDevices = async (url: string, token: string): Promise<DeviceInfo[]> => {
  let response: Response
  try {
    response = await fetch(`${url}/api/devices`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5000),
    })
  } catch (error) {
    throw new CliError(
      `no sysboy host answers at ${url} (${(error as Error).message}); start it with 'sysboy', or pass the --port and --bind it uses`,
      EXIT.hostUnreachable,
    )
  }
  if (response.status === 401) {
    throw new CliError(`the host at ${url} refused the pairing token; pass the token it printed at start with --token`, EXIT.hostUnreachable)
  }
  if (!response.ok) throw new CliError(`the host at ${url} answered HTTP ${response.status} for /api/devices`, EXIT.hostUnreachable)
  return (await response.json()) as DeviceInfo[]
}

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

export const runDevices = async (settings: Settings, console: Console): Promise<ExitCode> => {
  const url = hostUrl(settings.bind, settings.port)
  if (settings.token === undefined) {
    throw new CliError(
      `no pairing token in ${settings.configPath}: the host stores one there on its first run; pass it with --token`,
      EXIT.config,
    )
  }
  const devices = await fetchDevices(url, settings.token)
  if (devices.length === 0) {
    console.out(`no devices connected to ${url}`)
    return EXIT.ok
  }
  // The screens column only where some device has a screen, so a meter-only desk reads as it always did.
  const withScreens = devices.some((d) => (d.config.screens ?? []).length > 0)
  const rows = devices.map((d) => [
    d.id,
    d.chip,
    d.firmware,
    d.remoteAddress,
    d.bindings.map((b) => `${b.output}=${b.metric}`).join(' '),
    ...(withScreens ? [screensText(d)] : []),
    d.connectedSince,
  ])
  console.out(table(['device', 'chip', 'firmware', 'address', 'outputs', ...(withScreens ? ['screens'] : []), 'connected since'], rows))
  return EXIT.ok
}
