// `sysboy [--metric NAME]`: the main job. Serves the metric to devices, advertises it, shows one live status line.
import { hostname, networkInterfaces } from 'node:os'
import { ConfigError } from '../config/file.ts'
import type { Settings } from '../config/resolve.ts'
import { credentialsPathFor, readCredentials, writeCredentials } from '../config/credentials-file.ts'
import { pairingToken } from '../config/token.ts'
import { DASHBOARD_PAGE } from '../dashboard/page.ts'
import { metricOfFrame } from '../hub/metric-frame.ts'
import { isLoopback, isWildcard, lanAddresses } from '../mdns/addresses.ts'
import type { Advertiser } from '../mdns/advertise.ts'
import { CredentialStore } from '../server/credentials.ts'
import { type RunningServer, startServer } from '../server/index.ts'
import { METRICS, openSource } from '../sources/index.ts'
import { VERSION } from '../version.ts'
import type { Console } from './console.ts'
import { CliError, EXIT, type ExitCode } from './exit-codes.ts'
import { checkMetric } from './settings.ts'
import { sourceOptionsFor } from './source-options.ts'
import { hostUrl } from './devices.ts'
import { statusLine } from './status-line.ts'

const PLAIN_STATUS_EVERY_MS = 10_000

/** The metrics devices may pick: the built-in ones, the main one when it is a Prometheus-named metric, and the config
 * file's named metrics. */
const offeredMetrics = (settings: Settings): string[] => [
  ...new Set([...METRICS, settings.metric, ...settings.namedMetrics.map((m) => m.name)]),
]

/** Reads the main metric once before serving, so a missing GPU is said at start (and ends the run with --require). */
const firstReading = async (settings: Settings, console: Console, require: boolean): Promise<void> => {
  let source: ReturnType<typeof openSource>
  try {
    source = openSource(sourceOptionsFor(settings, settings.metric))
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.usage)
  }
  try {
    let reading = await source.read()
    // Rate sources (CPU, network) have nothing to say until a second read gives them a delta.
    if (!reading.known) {
      await Bun.sleep(250)
      reading = await source.read()
    }
    if (reading.known) return
    if (require) {
      throw new CliError(`${settings.metric} cannot be read here: ${reading.reason}; run sysboy doctor to see why`, EXIT.metricUnavailable)
    }
    console.err(`sysboy: ${settings.metric} cannot be read here (${reading.reason}); serving "unknown" until it can`)
  } finally {
    source.close()
  }
}

const bindNote = (bind: string): string =>
  isLoopback(bind)
    ? 'this PC only; boards on the LAN cannot reach it (leave out --bind to serve them)'
    : `${isWildcard(bind) ? 'every interface' : 'this address'}; the pairing token guards it`

/** The line naming the addresses a board can be given, each with the port; the token guards every one. */
const boardsLine = (bind: string, port: number): string => {
  if (isLoopback(bind)) return 'boards: none can reach a loopback address'
  const lan = lanAddresses(bind, networkInterfaces())
  if (lan.length === 0) return 'boards: no LAN address yet; boards can use this PC once it has one'
  return `boards can use: ${lan.map((a) => `${a.address}:${port} (${a.name})`).join(', ')}; the pairing token guards each`
}

/** The boards paired by approval, from the credentials file beside the config; each change is written back. */
const credentialStore = (settings: Settings): CredentialStore => {
  const path = credentialsPathFor(settings.configPath)
  try {
    return new CredentialStore(readCredentials(path), (entries) => writeCredentials(path, entries))
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.config)
    throw error
  }
}

const start = async (settings: Settings, token: string, credentials: CredentialStore, console: Console): Promise<RunningServer> => {
  try {
    return await startServer({
      bind: settings.bind,
      port: settings.port,
      token,
      version: VERSION,
      hostName: hostname(),
      metric: settings.metric,
      metrics: offeredMetrics(settings),
      intervalMs: settings.intervalMs,
      openSource: (metric) => openSource(sourceOptionsFor(settings, metric)),
      dashboard: DASHBOARD_PAGE,
      configuredScreens: { layouts: settings.screens, streams: settings.streams, file: settings.configPath },
      onNote: (line) => console.err(`sysboy: ${line}`),
      credentials,
    })
  } catch (error) {
    const message = (error as Error).message
    if (/in use|EADDRINUSE/i.test(message)) {
      throw new CliError(`port ${settings.port} on ${settings.bind} is in use: stop the other program or pass --port <n>`, EXIT.portInUse)
    }
    if (/EADDRNOTAVAIL|EACCES|bind|listen/i.test(message)) {
      throw new CliError(`cannot listen on ${settings.bind}:${settings.port}: ${message}; pass another --bind or --port`, EXIT.portInUse)
    }
    throw error
  }
}

export const runHost = async (settings: Settings, options: { require: boolean; console: Console }): Promise<ExitCode> => {
  const { console } = options
  checkMetric(settings)
  // Listen for Ctrl-C / SIGTERM from the start, so a stop that comes while starting still ends the run cleanly.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  let token: { token: string; created: boolean }
  try {
    token = pairingToken(settings.token, settings.configPath)
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.config)
    throw error
  }
  await firstReading(settings, console, options.require)
  const server = await start(settings, token.token, credentialStore(settings), console)
  const url = hostUrl(settings.bind, server.port)

  console.out(`sysboy ${VERSION}: serving ${settings.metric} every ${settings.intervalMs} ms`)
  if (settings.namedMetrics.length > 0) {
    const named = settings.namedMetrics.map((m) => `${m.name}${m.unit === undefined ? '' : ` (${m.unit})`}`)
    console.out(`named metrics from Prometheus: ${named.join(', ')}`)
  }
  console.out(`listening on ${server.url} (bind ${settings.bind}: ${bindNote(settings.bind)})`)
  console.out(boardsLine(settings.bind, server.port))
  console.out(`pairing token: ${token.token}${token.created ? ` (new, stored in ${settings.configPath})` : ''}`)
  console.out(`dashboard: ${url}/#token=${token.token}`)
  // Web Serial needs a secure context: http://localhost is one, a LAN address is not.
  const installAt = isLoopback(settings.bind) || isWildcard(settings.bind) ? `http://localhost:${server.port}/install` : `${url}/install (Web Serial needs http://localhost or https)`
  console.out(`install on a board from the browser: ${installAt}`)

  let advertiser: Advertiser | undefined
  if (settings.mdns) {
    // Loaded only when used: the mDNS responder and what it pulls in are a third of the bundle.
    const { advertise } = await import('../mdns/advertise.ts')
    advertiser = await advertise({ bind: settings.bind, port: server.port, version: VERSION, onNote: console.out })
    console.out(advertiser.note)
  } else {
    console.out('mDNS: off (--no-mdns); boards need the host address')
  }

  let lastLine = ''
  let lastPlain = ''
  let lastPlainAt = 0
  const draw = (): void => {
    const frame = server.latest(settings.metric)
    const devices = server.deviceCount()
    if (console.isTTY) {
      const line = statusLine(settings.metric, frame, devices)
      if (line !== lastLine) console.overwrite(line)
      lastLine = line
      return
    }
    // Off a terminal: a line when the state changes (known, source, devices), else one every 10 s; worded only then.
    const shape = `${frame === undefined ? 'none' : frame.value === null ? 'unknown' : 'known'}|${frame?.source}|${devices}`
    if (shape !== lastPlain || Date.now() - lastPlainAt >= PLAIN_STATUS_EVERY_MS) {
      console.out(statusLine(settings.metric, frame, devices))
      lastPlain = shape
      lastPlainAt = Date.now()
    }
  }
  // Drawn as each frame of the main metric comes in (the sampler always samples it), so it wakes the host no more often.
  server.onFrame((frame) => {
    if (metricOfFrame(frame) === settings.metric) draw()
  })

  await stopRequested
  if (console.isTTY) console.out('')
  await advertiser?.stop()
  await server.stop()
  console.out('sysboy: stopped')
  return EXIT.ok
}
