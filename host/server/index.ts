// The sysboy server: Hono on Bun.serve with /ws for devices, the REST API, /metrics and the dashboard hook.
import { Hono } from './hono.ts'
import type { Context } from 'hono'
import type { ServerWebSocket } from 'bun'
import { DEVICE_PATH, INTERVAL_MS, STALE_AFTER_MS, isMetricName, isPairingToken } from '../../schema/index.ts'
import { staleAfterMs as staleAfterFor } from '../hub/staleness.ts'
import type { MetricFrame } from '../../schema/index.ts'
import type { DeviceInfo, DeviceSession } from '../hub/device-session.ts'
import { boardAuth } from '../firmware/board-auth.ts'
import type { FirmwareCatalog } from '../firmware/catalog.ts'
import { firmwareRoutes } from '../firmware/firmware-routes.ts'
import { loadEmbeddedFirmware } from '../firmware/load.ts'
import { availableUpdate } from '../firmware/update-api.ts'
import { INSTALL_PAGE } from '../install/page.ts'
import { Hub } from '../hub/hub.ts'
import { Sampler } from '../sampler.ts'
import type { MetricSource } from '../sources/source.ts'
import type { BunWebSocketData } from './bun-adapter.ts'
import { getConnInfo, upgradeWebSocket, websocket } from './bun-adapter.ts'
import { CredentialStore } from './credentials.ts'
import type { ConfiguredScreens, DeviceConnection, DeviceSocket } from './device-gate.ts'
import { DeviceGate } from './device-gate.ts'
import { GuessLimiter } from './guess-limiter.ts'
import { Housekeeper } from './housekeeper.ts'
import { LiveEvents } from './live-events.ts'
import { PROMETHEUS_CONTENT_TYPE, deviceStreams, prometheusText } from './prometheus-text.ts'
import { devicesList, restApi } from './rest-api.ts'
import { tokenGuard } from './token-guard.ts'
import type { ServerTuning } from './tuning.ts'
import { DEFAULT_TUNING } from './tuning.ts'

export type { DeviceInfo } from '../hub/device-session.ts'
export type { ServerTuning } from './tuning.ts'

export interface ServerOptions {
  bind: string
  port: number
  token: string
  version: string
  hostName: string
  metric: string
  metrics: readonly string[]
  intervalMs: number
  staleAfterMs?: number
  openSource: (metric: string) => MetricSource
  dashboardHtml?: string
  /** The dashboard as Bun's HTML bundle (host/dashboard/page.ts), served at `/` with its scripts, styles and assets. */
  dashboard?: Bun.HTMLBundle
  /** The config file's screen layouts, for every device with a screen of their output id. */
  configuredScreens?: ConfiguredScreens
  /** Told, in a line, what the host did instead of what it was asked (a configured layout a device cannot show). */
  onNote?: (line: string) => void
  /** The boards' own credentials (host/config/credentials-file.ts keeps them); by default in memory only. */
  credentials?: CredentialStore
  /** The firmware images the host offers boards (/install, updates over the air); by default those built into it. */
  firmware?: FirmwareCatalog
}

export interface RunningServer {
  url: string
  port: number
  devices(): DeviceInfo[]
  deviceCount(): number
  latest(metric: string): MetricFrame | undefined
  /** Told of every frame the sampler publishes, after the devices are sent it. */
  onFrame(listener: (frame: MetricFrame) => void): void
  stop(): Promise<void>
}

const checkOptions = (options: ServerOptions): void => {
  if (!isPairingToken(options.token)) {
    throw new Error('the pairing token must be 8 to 128 characters of A-Z, a-z, 0-9, _ or -')
  }
  for (const metric of [options.metric, ...options.metrics]) {
    if (!isMetricName(metric)) throw new Error(`bad metric name '${metric}': use 1-32 characters of a-z, 0-9 and _`)
  }
  if (!options.metrics.includes(options.metric)) throw new Error(`the default metric '${options.metric}' is not among the offered metrics`)
  const { minimum, maximum } = INTERVAL_MS
  if (!Number.isInteger(options.intervalMs) || options.intervalMs < minimum || options.intervalMs > maximum) {
    throw new Error(`bad interval ${options.intervalMs} ms: use a whole number from ${minimum} to ${maximum}`)
  }
}

const urlOf = (bind: string, port: number): string => `http://${bind.includes(':') ? `[${bind}]` : bind}:${port}`

const isAddressInUse = (error: unknown): boolean => {
  const e = error as { code?: string; message?: string }
  return e.code === 'EADDRINUSE' || /EADDRINUSE|address.*in use/i.test(e.message ?? '')
}

type HonoSocket = ServerWebSocket<BunWebSocketData>

/** Starts serving; a second argument shortens timeouts and limits for tests. */
export const startServer = async (options: ServerOptions, tuningOverrides: Partial<ServerTuning> = {}): Promise<RunningServer> => {
  checkOptions(options)
  const tuning: ServerTuning = { ...DEFAULT_TUNING, ...tuningOverrides }
  // One staleness rule for the device's needle and the host's own frames.
  const staleAfterMs = options.staleAfterMs === undefined ? staleAfterFor(options.intervalMs) : Math.min(STALE_AFTER_MS.maximum, Math.max(STALE_AFTER_MS.minimum, options.staleAfterMs))
  const hub = new Hub(options.metric, options.intervalMs)
  // Pairing guesses on /ws and token guesses on the API are limited apart: wrong API tokens from an address never
  // lock a paired device on it out, nor the other way round.
  const pairingGuesses = new GuessLimiter(tuning.guessLimits)
  const apiGuesses = new GuessLimiter(tuning.guessLimits)
  // One store for the gate (board hellos) and the firmware routes (boards fetching an update with their credential).
  const credentials = options.credentials ?? new CredentialStore()
  const firmware = options.firmware ?? (await loadEmbeddedFirmware())
  // The gate's timeouts and pings run when one falls due, not on a tick (heartbeats are each session's own timer).
  const housekeeper = new Housekeeper(
    (now) => gate.housekeep(now),
    Date.now,
    (error) => (options.onNote ?? console.error)(`housekeeping failed (again within a minute): ${(error as Error).stack ?? String(error)}`),
  )
  const gate = new DeviceGate({ ...options, credentials, hub, limiter: pairingGuesses, tuning, staleAfterMs, wake: (at) => housekeeper.due(at) })
  const sampler = new Sampler({
    sink: hub,
    openSource: options.openSource,
    onCost: (metric, source, seconds) => hub.figures.sampleCost(metric, source, seconds),
    onError: (error) => (options.onNote ?? console.error)(`publishing a frame failed: ${(error as Error).stack ?? String(error)}`),
  })
  hub.onWantedChange(() => sampler.refresh())
  const connections = new WeakMap<HonoSocket, DeviceConnection>()
  const remoteAddress = (c: Context): string => getConnInfo(c).remote.address ?? 'unknown'

  const guard = { token: options.token, figures: hub.figures, remoteAddress }
  const apiGuard = tokenGuard({ ...guard, limiter: apiGuesses, guessing: 'API tokens' })

  const app = new Hono()
  app.get(
    DEVICE_PATH,
    tokenGuard({ ...guard, limiter: pairingGuesses, guessing: 'pairing tokens', headerOptional: true }),
    upgradeWebSocket((c) => {
      const address = remoteAddress(c)
      // The guard let the upgrade through: a header, if any, held the right token.
      const headerPaired = c.req.header('authorization') !== undefined
      return {
        onOpen: (_event, ws) => {
          const raw = ws.raw as HonoSocket
          const link: DeviceSocket = {
            send: (text) => raw.send(text),
            sendBinary: (bytes) => raw.sendBinary(bytes),
            bufferedAmount: () => raw.getBufferedAmount(),
            close: (code, reason) => raw.close(code, reason),
            ping: () => raw.ping(),
          }
          connections.set(raw, gate.open(link, address, headerPaired, Date.now()))
        },
        onMessage: (event, ws) => {
          const connection = connections.get(ws.raw as HonoSocket)
          if (connection !== undefined) gate.message(connection, event.data as string | ArrayBuffer, Date.now())
        },
        onClose: (_event, ws) => {
          const connection = connections.get(ws.raw as HonoSocket)
          if (connection !== undefined) gate.close(connection)
        },
      }
    }),
  )
  // The dashboard's events: nothing is computed or timed while no page listens.
  const events = new LiveEvents({
    snapshot: (kind) => {
      switch (kind) {
        case 'metrics':
          return hub.latestAll()
        case 'devices':
          return devicesList(hub, gate)
        case 'pairing':
          return gate.pairRequests()
        case 'credentials':
          return gate.credentials()
      }
    },
  })
  hub.onPublish(() => events.changed('metrics'))
  gate.onChange((kind) => events.changed(kind))
  // Whether the host carries newer firmware for a board is settled once, when it is admitted (its hello never changes).
  const updateChecked = new WeakSet<DeviceSession>()
  gate.onChange((kind) => {
    if (kind !== 'devices') return
    for (const session of hub.sessions()) {
      if (updateChecked.has(session)) continue
      updateChecked.add(session)
      session.update = availableUpdate(firmware, session.hello)
    }
  })
  const hello = (): unknown => ({ version: options.version, host: options.hostName, metrics: options.metrics, intervalMs: options.intervalMs, staleAfterMs })
  app.use('/api/*', apiGuard)
  app.route('/api', restApi({ hub, gate, metrics: options.metrics, events, hello, firmware }))
  app.route('/firmware', firmwareRoutes({ catalog: firmware, boardAuth: boardAuth({ ...guard, credentials, limiter: apiGuesses }) }))
  app.get('/metrics', apiGuard, (c) => c.body(prometheusText(hub.figures, hub.size, deviceStreams(hub)), 200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE }))
  app.get('/', (c) => (options.dashboardHtml === undefined ? c.text('sysboy: no dashboard in this build\n', 404) : c.html(options.dashboardHtml)))

  let server: ReturnType<typeof Bun.serve>
  try {
    server = Bun.serve<BunWebSocketData>({
      hostname: options.bind,
      // The bundled dashboard, served by Bun itself (in a compiled executable, from the files embedded at build time).
      // The install page likewise (host/install/), with ESP Web Tools bundled in.
      routes: { ...(options.dashboard === undefined ? {} : { '/': options.dashboard }), '/install': INSTALL_PAGE },
      development: false,
      // With HTML bundles among its routes Bun would otherwise bind with SO_REUSEPORT: a second sysboy on the same port
      // would share it silently instead of being told it is in use.
      reusePort: false,
      port: options.port,
      fetch: app.fetch,
      websocket: {
        ...websocket,
        drain: (ws: HonoSocket) => {
          const connection = connections.get(ws)
          if (connection !== undefined) gate.drain(connection, Date.now())
        },
        // Bun answers a ping with a pong itself; both count as hearing from the device.
        ping: (ws: HonoSocket) => {
          const connection = connections.get(ws)
          if (connection !== undefined) gate.heard(connection, Date.now())
        },
        pong: (ws: HonoSocket) => {
          const connection = connections.get(ws)
          if (connection !== undefined) gate.heard(connection, Date.now())
        },
        // Up to 4x the limit the gate reads the frame and says `too_large` before closing; beyond, Bun closes at once.
        maxPayloadLength: tuning.maxPayloadBytes * 4,
        backpressureLimit: tuning.backpressureBytes,
        closeOnBackpressureLimit: false,
        // The gate keeps its own idle clock from the device's frames, pings and pongs, and pings a quiet device itself.
        idleTimeout: 0,
        sendPings: false,
      },
    })
  } catch (error) {
    if (isAddressInUse(error)) throw new Error(`port ${options.port} on ${options.bind} is in use (EADDRINUSE); stop the other program or choose another port with --port`)
    throw error
  }
  const port = server.port ?? options.port
  sampler.start()

  return {
    url: urlOf(options.bind, port),
    port,
    devices: () => hub.devices(),
    deviceCount: () => hub.size,
    latest: (metric) => hub.latest(metric),
    onFrame: (listener) => hub.onPublish(listener),
    stop: async () => {
      housekeeper.stop()
      sampler.stop()
      for (const session of [...hub.sessions()]) {
        session.stopStreams()
        session.close(1001, 'the host is stopping')
      }
      await server.stop(true)
    },
  }
}

