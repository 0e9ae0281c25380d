// A device as the tests and benchmarks play it: one typed hello builder and a Bun WebSocket client that decodes every frame.
import type { Hello, HostMessage } from '../schema/index.ts'
import { PROTOCOL_VERSION, decodeHostMessage } from '../schema/index.ts'

/** The pairing token the test servers start with unless a test names its own. */
export const TOKEN = 'test-pairing-token-0123'

export interface HelloFields {
  device?: string
  /** Absent: the test servers' TOKEN; `undefined`: no token in the hello (it comes in a header, or not at all). */
  token?: string | undefined
  /** Another version only to see it refused. */
  protocol?: number
  firmware?: string
  outputs?: string[]
  buttons?: string[]
}

/** The hello frame a simulated board sends, as JSON text. */
export const helloFrame = (fields: HelloFields = {}): string => {
  const token = 'token' in fields ? fields.token : TOKEN
  const hello: Hello = {
    type: 'hello',
    protocol: fields.protocol ?? PROTOCOL_VERSION,
    device: fields.device ?? 'dev-1',
    firmware: fields.firmware ?? '0.1.0',
    chip: 'sim',
    outputs: (fields.outputs ?? ['meter']).map((id) => ({ id, kind: 'pwm', bits: 10 })),
    buttons: (fields.buttons ?? ['select']).map((id) => ({ id })),
    ...(token === undefined ? {} : { token }),
  }
  return JSON.stringify(hello)
}

/** A device over Bun's own WebSocket client; every frame it receives must decode as a host message. */
export class DeviceClient {
  readonly socket: WebSocket
  readonly received: HostMessage[] = []
  /** Binary frames (stream pixels), each with the index in `received` of the message before it (its header). */
  readonly binaries: { after: number; bytes: Uint8Array }[] = []
  readonly closed: Promise<{ code: number; reason: string }>
  readonly opened: Promise<void>
  /**
   * Whether it answers each config that carries an id with `configured {id, ok: true}`, as the firmware does; a test
   * of a device that refuses, or of older firmware that says nothing, turns it off.
   */
  confirmConfigs = true
  #waiters: Array<() => void> = []

  constructor(url: string, headers: Record<string, string> = {}) {
    this.socket = new WebSocket(url, { headers } as unknown as string[])
    this.socket.binaryType = 'arraybuffer'
    this.opened = new Promise((resolve, reject) => {
      this.socket.addEventListener('open', () => resolve())
      this.socket.addEventListener('error', () => reject(new Error('websocket failed to open')))
    })
    this.closed = new Promise((resolve) => {
      this.socket.addEventListener('close', (event) => {
        resolve({ code: event.code, reason: event.reason })
        this.#wake()
      })
    })
    this.socket.addEventListener('message', (event) => {
      if (event.data instanceof ArrayBuffer) {
        this.binaries.push({ after: this.received.length - 1, bytes: new Uint8Array(event.data) })
        this.#wake()
        return
      }
      const decoded = decodeHostMessage(String(event.data))
      if (!decoded.ok) throw new Error(`host sent an invalid frame: ${decoded.reason}: ${String(event.data)}`)
      this.received.push(decoded.message)
      const message = decoded.message
      if (this.confirmConfigs && message.type === 'config' && message.id !== undefined && this.socket.readyState === WebSocket.OPEN) {
        this.socket.send(JSON.stringify({ type: 'configured', id: message.id, ok: true }))
      }
      this.#wake()
    })
  }

  static async paired(url: string, fields: HelloFields = {}): Promise<DeviceClient> {
    const client = new DeviceClient(url)
    await client.opened
    client.send(helloFrame(fields))
    await client.next((m) => m.type === 'welcome')
    return client
  }

  /** A board without any token: it asks to pair, and the host answers `pair_pending` and keeps the socket open. */
  static async asking(url: string, fields: HelloFields = {}): Promise<DeviceClient> {
    const client = new DeviceClient(url)
    await client.opened
    client.send(helloFrame({ ...fields, token: undefined }))
    await client.next((m) => m.type === 'pair_pending')
    return client
  }

  /** The credential the host issued when the user approved this board, once `paired` came. */
  async credential(timeoutMs = 5_000): Promise<string> {
    const paired = await this.next((m) => m.type === 'paired', timeoutMs)
    if (paired.type !== 'paired') throw new Error('no paired frame')
    return paired.token
  }

  send(text: string | Uint8Array<ArrayBuffer>): void {
    this.socket.send(text)
  }

  #probes = 0

  /**
   * What the host sent from index `from` on, up to its answer to an identify sent now. The host answers on the same
   * socket, in order, so anything it sent before that (a frame that should not have been sent, say) is in the list:
   * no sleep needed to say that nothing came.
   */
  async sentUntilAnswered(from = 0): Promise<HostMessage[]> {
    const id = 1_000_000 + this.#probes++
    this.send(JSON.stringify({ type: 'identify', id }))
    const ack = await this.next((m) => m.type === 'ack' && m.id === id, 5_000, from)
    return this.received.slice(from, this.received.indexOf(ack))
  }

  /** The first message from index `from` on that matches, waiting up to `timeoutMs`. */
  async next<T extends HostMessage>(match: (m: HostMessage) => m is T, timeoutMs?: number, from?: number): Promise<T>
  async next(match: (m: HostMessage) => boolean, timeoutMs?: number, from?: number): Promise<HostMessage>
  async next(match: (m: HostMessage) => boolean, timeoutMs = 5_000, from = 0): Promise<HostMessage> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.received.slice(from).find(match)
      if (found !== undefined) return found
      if (this.socket.readyState === WebSocket.CLOSED) {
        throw new Error(`socket closed before a matching frame; got ${JSON.stringify(this.received.slice(-3))}`)
      }
      if (Date.now() > deadline) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.received.slice(-3))}`)
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }
  }

  /** A metric frame for `metric` received after this call. */
  async freshMetric(metric: string, timeoutMs = 5_000): Promise<HostMessage> {
    const from = this.received.length
    return this.next((m) => m.type === metric || (m.type === 'metric' && m.name === metric), timeoutMs, from)
  }

  close(): void {
    this.socket.close()
  }

  #wake(): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w()
  }
}
