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
  const rows = devices.map((d) => [
    d.id,
    d.chip,
    d.firmware,
    d.remoteAddress,
    d.bindings.map((b) => `${b.output}=${b.metric}`).join(' '),
    d.connectedSince,
  ])
  console.out(table(['device', 'chip', 'firmware', 'address', 'outputs', 'connected since'], rows))
  return EXIT.ok
}
