// How the CLI talks to a running host's REST API: where it is (from the same settings the host runs with), the token,
// and one line for each way that fails.
import type { Settings } from '../config/resolve.ts'
import { CliError, EXIT } from './exit-codes.ts'

/** Where to reach the host this config describes: a wildcard bind is reached on loopback. */
export const hostUrl = (bind: string, port: number): string => {
  const host = bind === '0.0.0.0' ? '127.0.0.1' : bind === '::' ? '[::1]' : bind.includes(':') ? `[${bind}]` : bind
  return `http://${host}:${port}`
}

/** The token the host was started with, or the one-line error that says where it should be. */
export const tokenOf = (settings: Settings): string => {
  if (settings.token === undefined) {
    throw new CliError(`no pairing token in ${settings.configPath}: the host stores one there on its first run; pass it with --token`, EXIT.config)
  }
  return settings.token
}

/** A request to the host's API; a refusal the caller words itself (a 404 for a device, say) comes back as the response. */
export const hostRequest = async (settings: Settings, method: string, path: string, answered: readonly number[] = []): Promise<Response> => {
  const url = hostUrl(settings.bind, settings.port)
  const token = tokenOf(settings)
  let response: Response
  try {
    response = await fetch(`${url}${path}`, { method, headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) })
  } catch (error) {
    throw new CliError(
      `no sysboy host answers at ${url} (${(error as Error).message}); start it with 'sysboy', or pass the --port and --bind it uses`,
      EXIT.hostUnreachable,
    )
  }
  if (response.status === 401) {
    throw new CliError(`the host at ${url} refused the pairing token; pass the token it printed at start with --token`, EXIT.hostUnreachable)
  }
  if (!response.ok && !answered.includes(response.status)) {
    throw new CliError(`the host at ${url} answered HTTP ${response.status} for ${path.split('/').slice(0, 3).join('/')}`, EXIT.hostUnreachable)
  }
  return response
}
