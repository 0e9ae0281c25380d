// The /ws endpoint's logic: pairing (by token, by a board's own credential, or by the user's approval), hello/welcome,
// commands, config confirmations, bad-frame handling, pings and idle timeouts (the host's heartbeats are each session's
// own timer, host/hub/keep-alive.ts).
import type { ErrorCode, Hello, HostMessage, ScreenConfig, SessionConfig } from '../../schema/index.ts'
import { PROTOCOL_VERSION, decodeDeviceMessage } from '../../schema/index.ts'
import type { DeviceLink } from '../hub/device-session.ts'
import { DeviceSession } from '../hub/device-session.ts'
import type { KeepAliveTimers } from '../hub/keep-alive.ts'
import type { Hub } from '../hub/hub.ts'
import { clip } from '../hub/metric-frame.ts'
import type { ScreenRefusal } from '../screens/screen-config.ts'
import { checkScreens, isScreen, withScreens } from '../screens/screen-config.ts'
import type { CaptureResult, RegionCaptureOptions } from '../stream/capture.ts'
import type { StreamConfig } from '../stream/stream-config.ts'
import { captureRefusal, checkStreams, streamBuffer } from '../stream/stream-config.ts'
import type { DeviceStream } from '../stream/stream-session.ts'
import { StreamSession, runStream } from '../stream/stream-session.ts'
import type { ConfigOutcome } from './config-confirmations.ts'
import { ConfigConfirmations } from './config-confirmations.ts'
import { CredentialStore } from './credentials.ts'
import type { CredentialInfo, IssueRefusal } from './credentials.ts'
import { carryOut } from './device-commands.ts'
import type { PairRequestInfo } from './pair-requests.ts'
import { PairRequests } from './pair-requests.ts'
import type { GuessLimiter } from './guess-limiter.ts'
import { tokenMatches } from './pairing.ts'
import type { ServerTuning } from './tuning.ts'
import { CLOSE_IDLE, CLOSE_REPLACED } from './tuning.ts'
import { utcOffsetMinutes } from './utc-offset.ts'

/** A device's socket as the gate uses it: the session's link, and WebSocket pings. */
export interface DeviceSocket extends DeviceLink {
  ping(): void
}

/** One WebSocket from a device, before and after it paired. */
export interface DeviceConnection {
  link: DeviceSocket
  remoteAddress: string
  /** Whether the upgrade carried the right token as `Authorization: Bearer` (the token guard refuses a wrong one). */
  headerPaired: boolean
  openedAt: number
  /** When the host last pinged this device because it had gone quiet; a pong or any frame counts as heard. */
  pingedAt: number
  badFrames: number[]
  session: DeviceSession | undefined
  /** The hello of a board waiting for the user's approval to pair. */
  pending: Hello | undefined
  /** Whether the board got in with its own credential (revoking it then closes the session). */
  byCredential: boolean
  closed: boolean
}

/** What changed, for the dashboard's event stream. */
export type GateChange = 'devices' | 'pairing' | 'credentials'

export interface GateOptions {
  hub: Hub
  token: string
  hostName: string
  version: string
  metric: string
  metrics: readonly string[]
  intervalMs: number
  staleAfterMs: number
  /** Wrong pairing tokens per address; the REST API has its own. */
  limiter: GuessLimiter
  tuning: ServerTuning
  /**
   * Layouts and streams from the config file, by screen output id, and the file's path to name when one does not fit
   * a device.
   */
  configuredScreens?: ConfiguredScreens
  /**
   * Told, in a line, what the host did instead of what it was asked (a configured layout a device cannot show, a
   * stream whose source gives no pictures).
   */
  onNote?: (line: string) => void
  /** The boards' own credentials; by default kept in memory only. */
  credentials?: CredentialStore
  /** Opens a region of the PC's screen for a stream; by default X11 capture (host/stream/capture.ts). */
  openRegion?: (region: RegionCaptureOptions) => CaptureResult | Promise<CaptureResult>
  /**
   * Told that something new falls due at `at` (a hello awaited, a pairing request listed, a session started), so
   * that the edge runs `housekeep` by then: it wakes only when something is due, not on a tick.
   */
  wake?: (at: number) => void
  /** The sessions' heartbeat timers; by default the runtime's (host/hub/keep-alive.ts). */
  timers?: KeepAliveTimers
}

/**
 * The config file's screen layouts (its `screens`), each for every device with a screen of that output id, and its
 * streams (`streams`), each for every device with a tft of that output id that takes streams.
 */
export interface ConfiguredScreens {
  layouts: readonly ScreenConfig[]
  streams?: readonly StreamConfig[]
  file: string
}

const showsStream = (layout: ScreenConfig): boolean => layout.scenes.some((s) => s.scene === 'stream')

const REMEMBERED_DEVICES = 1_000

/** The last error frame a device sent (a calibration it refused, an undo with nothing to undo), as the API shows it. */
export interface DeviceError {
  code: ErrorCode
  reason: string
  at: string
}

/** Calibration is stored on the device: the host sends it once and never again, so an undo is not taken back. */
const withoutCalibration = (config: SessionConfig): SessionConfig => {
  const { calibration: _sent, ...kept } = config
  return kept
}

/** What approving a board came to; a refusal leaves its request waiting. */
export type ApproveResult = { ok: true } | { ok: false; code: 'not_waiting'; reason: string } | IssueRefusal

const notWaiting = (device: string): ApproveResult => ({ ok: false, code: 'not_waiting', reason: `no board '${device}' is waiting to pair` })

export class DeviceGate {
  readonly #options: GateOptions
  readonly #awaitingHello = new Set<DeviceConnection>()
  readonly #paired = new Map<DeviceSession, DeviceConnection>()
  /** Settings of devices seen before, so a device that reconnects keeps the metric it chose. */
  readonly #remembered = new Map<string, SessionConfig>()
  /** The last error each device sent, kept across reconnects so a refusal answered just before a drop is seen. */
  readonly #lastErrors = new Map<string, DeviceError>()
  readonly #pairRequests: PairRequests<DeviceConnection>
  readonly #credentials: CredentialStore
  readonly #confirmations = new ConfigConfirmations<DeviceSession>()
  readonly #listeners = new Set<(change: GateChange) => void>()

  constructor(options: GateOptions) {
    this.#options = options
    this.#pairRequests = new PairRequests(options.tuning.pairLimits)
    this.#credentials = options.credentials ?? new CredentialStore()
  }

  /** Told of every change the dashboard shows: devices (connect, close, status, config, errors, commands), pairing, credentials. */
  onChange(listener: (change: GateChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #changed(change: GateChange): void {
    for (const listener of this.#listeners) listener(change)
  }

  open(link: DeviceSocket, remoteAddress: string, headerPaired: boolean, now: number): DeviceConnection {
    const connection: DeviceConnection = {
      link,
      remoteAddress,
      headerPaired,
      openedAt: now,
      pingedAt: 0,
      badFrames: [],
      session: undefined,
      pending: undefined,
      byCredential: false,
      closed: false,
    }
    this.#awaitingHello.add(connection)
    this.#options.wake?.(now + this.#options.tuning.helloTimeoutMs)
    return connection
  }

  message(connection: DeviceConnection, data: string | ArrayBuffer | Uint8Array, now: number): void {
    if (connection.closed) return
    if (typeof data !== 'string') {
      this.#refuse(connection, 'binary_frame', 'binary frames are not part of the protocol; send JSON text frames', 1003)
      return
    }
    const { maxPayloadBytes } = this.#options.tuning
    const bytes = data.length <= maxPayloadBytes / 4 ? data.length : Buffer.byteLength(data)
    if (bytes > maxPayloadBytes) {
      this.#refuse(connection, 'too_large', `a frame of ${bytes} bytes; the limit is ${maxPayloadBytes}`, 1009)
      return
    }
    const session = connection.session
    if (connection.pending !== undefined) {
      this.#whilePending(connection, data, now)
      return
    }
    if (session === undefined) {
      this.#hello(connection, data, now)
      return
    }
    session.lastHeardAt = now
    const decoded = decodeDeviceMessage(data)
    if (!decoded.ok) {
      this.#badFrame(connection, decoded.code, decoded.reason, now)
      return
    }
    const message = decoded.message
    switch (message.type) {
      case 'hello':
        this.#badFrame(connection, 'bad_frame', 'hello: this session already said hello', now)
        return
      case 'button':
      case 'select_metric':
      case 'identify': {
        const context = { metrics: this.#options.metrics, now }
        for (const reply of carryOut(message, session, context)) {
          if (reply.type === 'config') {
            const { type: _config, ...config } = reply
            this.reconfigure(session, config, now)
          } else {
            this.#send(connection, reply)
          }
        }
        this.#checkBuffer(connection)
        this.#changed('devices')
        return
      }
      case 'status':
        session.lastStatus = message
        // A status without `screens` says nothing about them: they show what they showed.
        if (message.screens !== undefined) {
          session.screensShown = message.screens
          for (const shown of message.screens) session.stream(shown.output)?.screenShown(shown.scene)
        }
        // Likewise the stored curves and the holds: each is sent again whenever it changes.
        if (message.calibration !== undefined) session.calibration = message.calibration
        if (message.held !== undefined) session.held = message.held
        this.#changed('devices')
        return
      case 'configured':
        this.#confirmations.configured(session, message.id, message.ok)
        this.#changed('devices')
        return
      case 'error':
        if (message.id !== undefined) this.#confirmations.error(session, message.id, { code: message.code, reason: message.reason })
        this.#options.hub.figures.error(`device_${message.code}`)
        if (message.code === 'bad_frame') for (const stream of session.streams()) stream.refused(message.reason)
        this.#lastErrors.delete(session.id)
        this.#lastErrors.set(session.id, { code: message.code, reason: message.reason, at: new Date(now).toISOString() })
        if (this.#lastErrors.size > REMEMBERED_DEVICES) {
          const oldest = this.#lastErrors.keys().next().value
          if (oldest !== undefined) this.#lastErrors.delete(oldest)
        }
        this.#changed('devices')
        return
      case 'heartbeat':
        return
      case 'applied':
        session.applied(message.seq, now, message.stream)
        return
    }
  }

  /**
   * A WebSocket ping or pong from the device: it is alive, as much as after a frame. Clients that keep alive with
   * pings (Python's websockets) and clients that only answer the host's pings (browsers) both count.
   */
  heard(connection: DeviceConnection, now: number): void {
    if (connection.session !== undefined) connection.session.lastHeardAt = now
  }

  drain(connection: DeviceConnection, now: number): void {
    connection.session?.drain(now)
  }

  close(connection: DeviceConnection): void {
    connection.closed = true
    this.#awaitingHello.delete(connection)
    if (this.#pairRequests.drop(connection)) this.#changed('pairing')
    if (connection.session !== undefined) {
      connection.session.end()
      this.#paired.delete(connection.session)
      this.#confirmations.closed(connection.session)
      this.#options.hub.remove(connection.session)
      this.#changed('devices')
    }
  }

  /**
   * Applies new settings to a device (from a command or the REST API) and tells the device, with `id` when the host
   * wants it confirmed. The config goes out before the newest frame of a newly bound metric, so the device never drops
   * that frame as unbound.
   */
  reconfigure(session: DeviceSession, config: SessionConfig, now: number, id?: number): void {
    // An id is the host's to choose, per config sent; the session keeps none.
    const { id: _asked, ...asked } = config
    const full = this.#withLayouts(asked, session.hello)
    session.sendControl({ type: 'config', ...(id === undefined ? {} : { id }), ...full })
    this.#options.hub.reconfigure(session, withoutCalibration(full), now)
    this.#remember(session)
    for (const stream of session.streams()) stream.staleAfter(session.config.stale_after_ms)
    this.#syncStreams(session)
    this.#changed('devices')
  }

  /** Reconfigures the device with a config it is asked to confirm, and what it says within the confirmation time. */
  configure(session: DeviceSession, config: SessionConfig, now: number): Promise<ConfigOutcome> {
    const { id, outcome } = this.#confirmations.start(session, this.#options.tuning.configConfirmMs)
    this.reconfigure(session, config, now, id)
    return outcome
  }

  /** Holds an analog output at a raw code for `forMs` (the calibration wizard); the device lets go when it passes. */
  hold(session: DeviceSession, output: string, code: number, forMs: number): void {
    session.sendControl({ type: 'hold', output, code, for_ms: forMs })
  }

  /** Ends a hold: the output shows live figures again. */
  release(session: DeviceSession, output: string): void {
    session.sendControl({ type: 'release', output })
  }

  /** The boards waiting for the user's approval, oldest first. */
  pairRequests(): PairRequestInfo[] {
    return this.#pairRequests.list()
  }

  /** The boards paired by approval. */
  credentials(): CredentialInfo[] {
    return this.#credentials.list()
  }

  /**
   * Lets a waiting board in: issues its own credential (stored as a hash), sends it `paired`, then welcomes it on the
   * same socket. Refused when no request of `device` waits, or when the store will not issue one (the id holds a
   * credential already, or the store is full); the board then keeps waiting.
   */
  approve(device: string, now: number): ApproveResult {
    const waiting = this.#pairRequests.list().some((r) => r.device === device)
    if (!waiting) return notWaiting(device)
    // Issued (and saved) first: a credential that cannot be stored throws, and the board keeps waiting.
    const issued = this.#credentials.issue(device, now)
    if (!issued.ok) return issued
    const taken = this.#pairRequests.take(device)
    const connection = taken?.waiter
    const hello = connection?.pending
    if (connection === undefined || hello === undefined) return notWaiting(device)
    connection.pending = undefined
    this.#send(connection, { type: 'paired', token: issued.credential })
    this.#admit(connection, hello, now, true)
    this.#changed('pairing')
    this.#changed('credentials')
    return { ok: true }
  }

  /** Refuses a waiting board and closes its socket; false when no request of `device` waits. */
  deny(device: string): boolean {
    const taken = this.#pairRequests.take(device)
    if (taken === undefined) return false
    this.#refuse(taken.waiter, 'unauthorized', 'the pairing request was denied on the host', 1008)
    this.#changed('pairing')
    return true
  }

  /**
   * Deletes a board's own credential and closes its session at once when it got in with it; its next hello with that
   * credential is refused. False when `device` has none.
   */
  revoke(device: string): boolean {
    if (!this.#credentials.revoke(device)) return false
    const session = this.#options.hub.get(device)
    const connection = session === undefined ? undefined : this.#paired.get(session)
    if (session !== undefined && connection?.byCredential === true) {
      session.stopStreams()
      this.#refuse(connection, 'unauthorized', "this board's credential was revoked", 1008)
    }
    this.#changed('credentials')
    return true
  }

  /**
   * The first reason the host could not stream `config.streams` to the device: the checks of the hello and screens,
   * then, for a region stream not already running as asked, whether its capture opens (the region lies inside the
   * PC's screen).
   */
  async streamRefusal(session: DeviceSession, config: SessionConfig): Promise<ScreenRefusal | undefined> {
    const refused = checkStreams(config, session.hello, this.#options.metrics)
    if (refused !== undefined) return refused
    for (const [i, stream] of (config.streams ?? []).entries()) {
      if (stream.source !== 'region') continue
      if (Bun.deepEquals(session.stream(stream.output)?.config, stream)) continue
      const result = await this.#openRegion(session, stream)
      if (!result.ok) return captureRefusal(i, result.reason)
      result.source.close()
    }
    return undefined
  }

  /** Asks the device to put back `output`'s previous calibration; a refusal comes back as its `lastError`. */
  undoCalibration(session: DeviceSession, output: string): void {
    session.sendControl({ type: 'calibration_undo', output })
  }

  /** The last error frame the device sent, or null. */
  lastError(device: string): DeviceError | null {
    return this.#lastErrors.get(device) ?? null
  }

  /**
   * Closes sockets that never said hello or went silent, and pings a device heard from for half the idle bound: a
   * peer that answers with a pong is alive; one that answers nothing is closed. (The host's heartbeats to a device
   * are its session's: host/hub/keep-alive.ts.)
   * Gives when it is next due (infinity: nothing waits), so the edge sleeps until then rather than ticking: a host
   * with one quiet device wakes for this a few times a minute, not every second.
   */
  housekeep(now: number): number {
    const { tuning } = this.#options
    let next = Number.POSITIVE_INFINITY
    for (const connection of this.#awaitingHello) {
      const due = connection.openedAt + tuning.helloTimeoutMs
      if (now < due) next = Math.min(next, due)
      else this.#refuse(connection, 'bad_frame', `no hello within ${tuning.helloTimeoutMs} ms`, 1008)
    }
    const expired = this.#pairRequests.expire(now)
    for (const connection of expired) this.#refuse(connection, 'unauthorized', 'pairing request expired', 1008)
    if (expired.length > 0) this.#changed('pairing')
    next = Math.min(next, this.#pairRequests.nextExpiry())
    for (const session of this.#options.hub.sessions()) {
      const idleAt = session.lastHeardAt + tuning.idleTimeoutMs
      if (now >= idleAt) {
        session.close(CLOSE_IDLE, `nothing heard for ${tuning.idleTimeoutMs} ms`)
        continue
      }
      next = Math.min(next, idleAt)
      const connection = this.#paired.get(session)
      if (connection !== undefined && connection.pingedAt <= session.lastHeardAt) {
        const pingAt = session.lastHeardAt + tuning.idleTimeoutMs / 2
        if (now >= pingAt) {
          connection.pingedAt = now
          connection.link.ping()
        } else {
          next = Math.min(next, pingAt)
        }
      }
    }
    return next
  }

  /**
   * The settings a new session starts with: what the device had when last seen, if it still has those outputs and
   * screens; else every analog output shows the host's default metric (a device with screens only binds its first),
   * and every screen the config file's layout for its output id, or the default scenes.
   */
  #initialConfig(hello: Hello): SessionConfig {
    const { metric, metrics } = this.#options
    const remembered = this.#remembered.get(hello.device)
    const outputs = new Set(hello.outputs.map((o) => o.id))
    if (
      remembered !== undefined &&
      remembered.bindings.every((b) => outputs.has(b.output)) &&
      checkScreens(remembered.screens ?? [], hello.outputs, metrics, hello.encodings) === undefined &&
      checkStreams(remembered, hello, metrics) === undefined
    ) {
      return withScreens(remembered, hello, metrics)
    }
    const analog = hello.outputs.filter((o) => !isScreen(o))
    const bound = analog.length > 0 ? analog : hello.outputs.slice(0, 1)
    const config: SessionConfig = {
      bindings: bound.map((o) => ({ output: o.id, metric })),
      interval_ms: this.#options.intervalMs,
      stale_after_ms: this.#options.staleAfterMs,
    }
    return this.#withLayouts(config, hello)
  }

  /**
   * `config` with a layout for every screen of the device: the one it names, else the config file's for that output
   * id when the device can show it, else the default. A config without `screens` (a REST PUT of bindings alone, say)
   * so gets the file's layouts, as a new session does.
   */
  #withLayouts(asked: SessionConfig, hello: Hello): SessionConfig {
    const { metrics } = this.#options
    const config = this.#withConfiguredStreams(asked, hello)
    const given = config.screens ?? []
    // A screen the config streams to shows the stream, and one it does not stream to cannot: a file's layout that
    // says otherwise (a stream the device could not take, a stream given through the API) is left for the default.
    const streamed = (output: string): boolean => (config.streams ?? []).some((s) => s.output === output)
    const configured = this.#configuredScreens(hello).filter(
      (layout) => !given.some((s) => s.output === layout.output) && showsStream(layout) === streamed(layout.output),
    )
    if (configured.length === 0) return withScreens(config, hello, metrics)
    const full = withScreens({ ...config, screens: [...given, ...configured] }, hello, metrics)
    // Each layout fits on its own; together they may show more metrics than a device keeps.
    const refused = checkScreens(full.screens ?? [], hello.outputs, metrics, hello.encodings)
    if (refused === undefined) return full
    this.#noteLayout(hello, refused.field, refused.reason, 'its screens show the default layout')
    return withScreens(config, hello, metrics)
  }

  /**
   * `config` with the config file's stream to each screen of the device that the config names no stream for, unless
   * the config gives that screen a layout without the stream scene (how an API client turns a file's stream off).
   * A device with a screen of that id that cannot take the stream (not a tft, no stream encodings in its hello, a
   * metric this host lacks) keeps that screen's default layout, with a line saying why.
   */
  #withConfiguredStreams(config: SessionConfig, hello: Hello): SessionConfig {
    const { configuredScreens, metrics } = this.#options
    const given = config.streams ?? []
    const added: StreamConfig[] = []
    for (const [i, stream] of (configuredScreens?.streams ?? []).entries()) {
      // A stream is for devices with a screen of that id; a device without one is none of its business.
      if (!hello.outputs.some((o) => o.id === stream.output && isScreen(o))) continue
      if (given.some((s) => s.output === stream.output)) continue
      const layout = (config.screens ?? []).find((s) => s.output === stream.output)
      if (layout !== undefined && !showsStream(layout)) continue
      const refused = checkStreams({ ...config, screens: layout === undefined ? [] : [layout], streams: [stream] }, hello, metrics)
      if (refused === undefined) added.push(stream)
      else this.#noteLayout(hello, refused.field.replace(/^streams\.0/, `streams.${i}`), refused.reason, `screen '${stream.output}' shows the default layout`)
    }
    return added.length === 0 ? config : { ...config, streams: [...given, ...added] }
  }

  /** The config file's layouts for the device's screens; one it cannot show is left to the default, with a line saying why. */
  #configuredScreens(hello: Hello): ScreenConfig[] {
    const { configuredScreens, metrics } = this.#options
    const chosen: ScreenConfig[] = []
    for (const [i, layout] of (configuredScreens?.layouts ?? []).entries()) {
      // A layout is for devices with a screen of that id; a device without one is none of its business.
      if (!hello.outputs.some((o) => o.id === layout.output && isScreen(o))) continue
      const refused = checkScreens([layout], hello.outputs, metrics, hello.encodings)
      if (refused === undefined) chosen.push(layout)
      else this.#noteLayout(hello, refused.field.replace(/^screens\.0/, `screens.${i}`), refused.reason, `screen '${layout.output}' shows the default layout`)
    }
    return chosen
  }

  #noteLayout(hello: Hello, field: string, reason: string, instead: string): void {
    const file = this.#options.configuredScreens?.file ?? 'config file'
    this.#options.onNote?.(`device ${hello.device}: ${file}: ${field}: ${reason}; ${instead}`)
  }

  /** Starts the streams the session's config names and does not run yet, stops those it no longer names or changed. */
  #syncStreams(session: DeviceSession): void {
    // A session that closed while a REST request was checking its config starts nothing.
    const wanted = this.#paired.has(session) ? (session.config.streams ?? []) : []
    for (const running of [...session.streams()]) {
      if (!Bun.deepEquals(wanted.find((s) => s.output === running.output), running.config)) session.stopStreams(running.output)
    }
    for (const [i, config] of wanted.entries()) {
      if (session.stream(config.output) === undefined) session.attachStream(this.#startStream(session, config, i))
    }
  }

  #startStream(session: DeviceSession, config: StreamConfig, index: number): DeviceStream {
    const { hello } = session
    const output = hello.outputs.find((o) => o.id === config.output)
    const width = output?.width ?? 0
    const height = output?.height ?? 0
    const stream = new StreamSession({
      output: config.output,
      config,
      width,
      height,
      maxBytes: streamBuffer(hello),
      encodings: hello.encodings ?? [],
      staleAfterMs: session.config.stale_after_ms,
    })
    const { configuredScreens } = this.#options
    const fromFile = (configuredScreens?.streams ?? []).findIndex((s) => Bun.deepEquals(s, config))
    const field = fromFile >= 0 ? `${configuredScreens?.file ?? 'config file'}: streams.${fromFile}` : `streams.${index}`
    return runStream({
      session: stream,
      open: () => (config.source === 'region' ? this.#openRegion(session, config) : this.#openScene(session, config, width, height)),
      send: (chunk) => session.sendStream(chunk),
      onNote: (line) => this.#options.onNote?.(`device ${session.id}: ${field} (${config.source} to '${config.output}'): ${line}`),
    })
  }

  async #openRegion(session: DeviceSession, config: StreamConfig): Promise<CaptureResult> {
    const output = session.hello.outputs.find((o) => o.id === config.output)
    const request: RegionCaptureOptions = {
      ...(config.display !== undefined ? { display: config.display } : {}),
      x: config.region?.x ?? 0,
      y: config.region?.y ?? 0,
      width: output?.width ?? 0,
      height: output?.height ?? 0,
      ...(config.gamma !== undefined ? { gamma: config.gamma } : {}),
      ...(config.white_balance !== undefined ? { whiteBalance: config.white_balance } : {}),
    }
    if (this.#options.openRegion !== undefined) return this.#options.openRegion(request)
    // Loaded on the first region stream: a host that streams no region never loads libX11.
    const { openRegionCapture } = await import('../stream/capture.ts')
    return openRegionCapture(request)
  }

  async #openScene(session: DeviceSession, config: StreamConfig, width: number, height: number): Promise<CaptureResult> {
    // Loaded on the first scene stream, as the screen pictures load the scenes module.
    const { openSceneSource, streamSceneView } = await import('../stream/scene-source.ts')
    const scene = config.scene ?? 'hub'
    const metrics = config.metrics ?? []
    return openSceneSource({
      width,
      height,
      view: () => streamSceneView(session.config, session.sent, scene, metrics, Date.now()),
      correction: {
        ...(config.gamma !== undefined ? { gamma: config.gamma } : {}),
        ...(config.white_balance !== undefined ? { whiteBalance: config.white_balance } : {}),
      },
    })
  }

  #remember(session: DeviceSession): void {
    this.#remembered.delete(session.id)
    this.#remembered.set(session.id, session.config)
    if (this.#remembered.size > REMEMBERED_DEVICES) {
      const oldest = this.#remembered.keys().next().value
      if (oldest !== undefined) this.#remembered.delete(oldest)
    }
  }

  #hello(connection: DeviceConnection, data: string, now: number): void {
    const decoded = decodeDeviceMessage(data)
    if (!decoded.ok) {
      this.#refuse(connection, decoded.code, `expected hello first: ${decoded.reason}`, 1008)
      return
    }
    const hello = decoded.message
    if (hello.type !== 'hello') {
      this.#refuse(connection, 'bad_frame', `expected hello first, got '${hello.type}'`, 1008)
      return
    }
    const { limiter, token } = this.#options
    if (!limiter.allows(connection.remoteAddress)) {
      const seconds = Math.ceil(limiter.retryAfterMs(connection.remoteAddress) / 1000)
      this.#refuse(connection, 'rate_limited', `too many wrong pairing tokens from this address; try again in ${seconds} s`, 1008)
      return
    }
    const presented = hello.token
    if (presented === undefined && !connection.headerPaired) {
      // No token at all: the board asks to pair (a guess it is not, so the address is not counted for it).
      this.#askToPair(connection, hello, now)
      return
    }
    const byToken = presented === undefined ? connection.headerPaired : tokenMatches(token, presented)
    const byCredential = !byToken && this.#credentials.matches(hello.device, presented)
    if (!byToken && !byCredential) {
      limiter.fail(connection.remoteAddress)
      this.#refuse(
        connection,
        'unauthorized',
        "wrong pairing token; use the token `sysboy` printed (hello.token or Authorization: Bearer), or the board's own credential if it was not revoked",
        1008,
      )
      return
    }
    if (hello.protocol !== PROTOCOL_VERSION) {
      this.#refuse(connection, 'unsupported_version', `this host speaks protocol ${PROTOCOL_VERSION}, the device ${hello.protocol}`, 1002)
      return
    }
    this.#admit(connection, hello, now, byCredential)
  }

  /** Lists a board without a token as asking to pair, answers `pair_pending`, and keeps its socket open. */
  #askToPair(connection: DeviceConnection, hello: Hello, now: number): void {
    if (hello.protocol !== PROTOCOL_VERSION) {
      this.#refuse(connection, 'unsupported_version', `this host speaks protocol ${PROTOCOL_VERSION}, the device ${hello.protocol}`, 1002)
      return
    }
    const asked = this.#pairRequests.ask({ device: hello.device, chip: hello.chip, firmware: hello.firmware, address: connection.remoteAddress }, connection, now)
    if (!asked.ok) {
      this.#refuse(connection, asked.code, asked.reason, 1008)
      return
    }
    this.#awaitingHello.delete(connection)
    connection.pending = hello
    if (asked.replaced !== undefined && asked.replaced !== connection) {
      this.#refuse(asked.replaced, 'unauthorized', 'the same board asked to pair again on another connection', CLOSE_REPLACED)
    }
    const reason = `waiting for approval: run \`sysboy pair ${hello.device}\` on the host, or approve it in the dashboard`
    this.#send(connection, { type: 'pair_pending', reason: clip(reason, 200) })
    this.#options.wake?.(this.#pairRequests.nextExpiry())
    this.#changed('pairing')
  }

  /** A waiting board may keep its socket alive with heartbeats; anything else is a bad frame until it is paired. */
  #whilePending(connection: DeviceConnection, data: string, now: number): void {
    const decoded = decodeDeviceMessage(data)
    if (decoded.ok && decoded.message.type === 'heartbeat') return
    const reason = decoded.ok ? `'${decoded.message.type}' before the board is paired; it waits for approval` : decoded.reason
    this.#badFrame(connection, decoded.ok ? 'bad_frame' : decoded.code, reason, now)
  }

  /** Starts the session of a board that got in: the welcome, then the hub's history and newest frames. */
  #admit(connection: DeviceConnection, hello: Hello, now: number, byCredential: boolean): void {
    this.#awaitingHello.delete(connection)
    connection.byCredential = byCredential
    const heartbeat = {
      maxMs: this.#options.tuning.heartbeatMs,
      timers: this.#options.timers,
      // Reported where the host's other notes go, as the sampler reports a frame it could not publish.
      onError: (error: unknown) => (this.#options.onNote ?? console.error)(`device ${hello.device}: a heartbeat failed: ${(error as Error).message ?? String(error)}`),
    }
    const session = new DeviceSession(hello, connection.remoteAddress, this.#initialConfig(hello), connection.link, this.#options.hub.figures, now, heartbeat)
    connection.session = session
    this.#paired.set(session, connection)
    const { hostName, version } = this.#options
    session.sendControl({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      host: clip(hostName, 64),
      version: clip(version, 32),
      config: session.config,
      time: now,
      utc_offset_min: utcOffsetMinutes(now),
    })
    const replaced = this.#options.hub.add(session, now)
    replaced?.stopStreams()
    replaced?.close(CLOSE_REPLACED, 'the same device connected again')
    this.#syncStreams(session)
    // Its idle bound and ping now fall due (its heartbeats keep their own timer: host/hub/keep-alive.ts).
    this.#options.wake?.(now)
    this.#changed('devices')
  }

  #badFrame(connection: DeviceConnection, code: ErrorCode, reason: string, now: number): void {
    const { badFrameLimit, badFrameWindowMs } = this.#options.tuning
    this.#send(connection, { type: 'error', code, reason: clip(reason, 200) })
    connection.badFrames = connection.badFrames.filter((at) => now - at < badFrameWindowMs)
    connection.badFrames.push(now)
    if (connection.badFrames.length >= badFrameLimit) {
      this.#refuse(connection, 'rate_limited', `${badFrameLimit} bad frames within ${badFrameWindowMs} ms; closing`, 1008)
    }
  }

  #send(connection: DeviceConnection, message: HostMessage): void {
    if (message.type === 'error') this.#options.hub.figures.error(message.code)
    if (connection.session !== undefined) connection.session.sendControl(message)
    else connection.link.send(JSON.stringify(message))
  }

  /** A device that sends commands but never reads would grow the queue of acks; it is closed instead. */
  #checkBuffer(connection: DeviceConnection): void {
    if (connection.link.bufferedAmount() > this.#options.tuning.maxBufferedBytes) {
      connection.link.close(1008, 'not reading its frames')
    }
  }

  #refuse(connection: DeviceConnection, code: ErrorCode, reason: string, closeCode: number): void {
    this.#send(connection, { type: 'error', code, reason: clip(reason, 200) })
    this.#awaitingHello.delete(connection)
    if (this.#pairRequests.drop(connection)) this.#changed('pairing')
    connection.closed = true
    connection.link.close(closeCode, clip(reason, 100))
  }
}
