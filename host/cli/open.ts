// `sysboy open`: opens the dashboard of a running host in the default browser, signed in with the token, and prints
// the URL (for a PC without a browser, or one that did not start).
import type { Settings } from '../config/resolve.ts'
import { isLoopback, isWildcard } from '../mdns/addresses.ts'
import type { Console } from './console.ts'
import { CliError, EXIT, type ExitCode } from './exit-codes.ts'
import { hostRequest, tokenOf } from './host-api.ts'

/** The dashboard's address on this PC, the token in the fragment (never sent to the server, never in its logs). */
export const dashboardUrl = (bind: string, port: number, token: string): string => {
  const host = isWildcard(bind) || isLoopback(bind) ? 'localhost' : bind.includes(':') ? `[${bind}]` : bind
  return `http://${host}:${port}/#token=${token}`
}

/**
 * The command that opens `url`: $BROWSER when set (its first entry; `%s` stands for the URL), else the platform's
 * opener.
 */
export const browserCommand = (url: string, env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform): string[] => {
  const chosen = env.BROWSER?.split(':').find((entry) => entry.trim() !== '')
  if (chosen !== undefined) {
    const words = chosen.trim().split(/\s+/)
    return words.some((w) => w.includes('%s')) ? words.map((w) => w.replaceAll('%s', url)) : [...words, url]
  }
  if (platform === 'darwin') return ['open', url]
  // `start` treats its first quoted argument as a window title, hence the empty one.
  if (platform === 'win32') return ['cmd', '/c', 'start', '""', url.replaceAll('&', '^&')]
  return ['xdg-open', url]
}

export const runOpen = async (settings: Settings, env: Record<string, string | undefined>, console: Console): Promise<ExitCode> => {
  const token = tokenOf(settings)
  // The host must answer (and take the token) before a browser is sent there.
  await hostRequest(settings, 'GET', '/api/pairing')
  const url = dashboardUrl(settings.bind, settings.port, token)
  console.out(`dashboard: ${url}`)
  const command = browserCommand(url, env)
  let code: number
  try {
    const child = Bun.spawn(command, { env: env as Record<string, string>, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe' })
    // Openers hand the URL over and exit; one that keeps running (a browser started directly) is left to run.
    code = await Promise.race([child.exited, Bun.sleep(5_000).then(() => 0)])
  } catch (error) {
    throw new CliError(`cannot start ${command[0]} (${(error as Error).message}); open the URL above yourself, or set $BROWSER`, EXIT.browserFailed)
  }
  if (code !== 0) throw new CliError(`${command[0]} exited with code ${code}; open the URL above yourself, or set $BROWSER`, EXIT.browserFailed)
  return EXIT.ok
}
