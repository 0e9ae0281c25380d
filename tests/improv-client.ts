// An Improv Wi-Fi serial client, written from the specification (https://www.improv-wifi.com/serial/): frames are
// `IMPROV`, version 1, type, length, data, and a checksum that is the sum of the bytes before it modulo 256. It talks to
// a serial port given as a path (the simulator's `--serial` terminal) and skips everything on the port that is not a
// frame, such as the board's log lines.
import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs'

export const HEADER = [...new TextEncoder().encode('IMPROV')]
export const VERSION = 1

/** Packet types. */
export const Type = { currentState: 0x01, errorState: 0x02, rpc: 0x03, rpcResult: 0x04 } as const
/** Current states. */
export const State = { authorizationRequired: 0x01, authorized: 0x02, provisioning: 0x03, provisioned: 0x04 } as const
/** Error states. */
export const ErrorState = { none: 0x00, invalidRpc: 0x01, unknownRpc: 0x02, unableToConnect: 0x03, notAuthorized: 0x04, badHostname: 0x05, unknown: 0xff } as const
/** RPC commands. */
export const Command = { wifiSettings: 0x01, currentState: 0x02, deviceInfo: 0x03, scan: 0x04, hostname: 0x05, deviceName: 0x06, networkState: 0x07 } as const

/** One frame read from the port. */
export interface Packet {
  type: number
  data: number[]
  /** For RPC results: the command answered and its strings. */
  command?: number
  strings?: string[]
}

const sum = (bytes: number[]): number => bytes.reduce((total, b) => total + b, 0) & 0xff

/** One frame of `type` carrying `data`, then a newline (sdk-serial-js ends its frames so too). */
export const encodePacket = (type: number, data: number[]): Uint8Array => {
  if (data.length > 255) throw new Error(`Improv data of ${data.length} bytes does not fit one frame`)
  const body = [...HEADER, VERSION, type, data.length, ...data]
  return new Uint8Array([...body, sum(body), 0x0a])
}

/** An RPC command frame: command, data length, data. */
export const encodeRpc = (command: number, args: number[] = []): Uint8Array => encodePacket(Type.rpc, [command, args.length, ...args])

/** The Wi-Fi settings RPC's arguments: SSID length and bytes, password length and bytes. */
export const wifiArgs = (ssid: string, password: string): number[] => {
  const [s, p] = [new TextEncoder().encode(ssid), new TextEncoder().encode(password)]
  return [s.length, ...s, p.length, ...p]
}

/** Reads an RPC result's data: the command, then the strings its length covers. */
export const decodeResult = (data: number[]): { command: number; strings: string[] } => {
  const [command = 0, length = 0] = data
  const strings: string[] = []
  let at = 2
  while (at < 2 + length) {
    const n = data[at] ?? 0
    strings.push(new TextDecoder().decode(new Uint8Array(data.slice(at + 1, at + 1 + n))))
    at += 1 + n
  }
  return { command, strings }
}

/**
 * Finds frames in a byte stream however it is cut, as the client ESP Web Tools uses does (improv-wifi-serial-sdk
 * 2.8.0, `ImprovSerial._processInput`): a frame counts only where a line starts (the stream's start, after a newline,
 * or right after another frame); a line that does not open with a frame header is text up to its newline, so a
 * frame glued to the end of a log line is lost, as it would be in the browser. A frame whose version or checksum is
 * wrong is dropped. What is not part of a frame is handed to `text`.
 */
export class FrameReader {
  #buffer: number[] = []
  #lineStart = true

  constructor(
    private readonly frame: (packet: Packet) => void,
    private readonly text: (bytes: number[]) => void = () => {},
  ) {}

  push(chunk: Uint8Array): void {
    this.#buffer.push(...chunk)
    for (;;) {
      if (!this.#lineStart) {
        const newline = this.#buffer.indexOf(NEWLINE)
        if (newline < 0) {
          this.text(this.#buffer.splice(0, this.#buffer.length))
          return
        }
        this.text(this.#buffer.splice(0, newline + 1))
        this.#lineStart = true
        continue
      }
      if (this.#buffer.length === 0) return
      if (this.#buffer[0] === NEWLINE) {
        this.text(this.#buffer.splice(0, 1))
        continue
      }
      const seen = Math.min(this.#buffer.length, HEADER.length)
      if (HEADER.slice(0, seen).some((byte, i) => this.#buffer[i] !== byte)) {
        this.#lineStart = false
        continue
      }
      if (this.#buffer.length < 9) return
      if (this.#buffer[6] !== VERSION) {
        this.#lineStart = false
        continue
      }
      const length = this.#buffer[8] ?? 0
      if (this.#buffer.length < 9 + length + 1) return
      const body = this.#buffer.slice(0, 9 + length)
      const checksum = this.#buffer[9 + length]
      this.#buffer.splice(0, 10 + length)
      // The next frame may follow at once, as after a newline.
      if (sum(body) !== checksum) continue
      const packet: Packet = { type: body[7] ?? 0, data: body.slice(9) }
      if (packet.type === Type.rpcResult) Object.assign(packet, decodeResult(packet.data))
      this.frame(packet)
    }
  }
}

const NEWLINE = 0x0a

/** An error state other than "no error", as a rejection. */
export class ImprovError extends Error {
  constructor(readonly code: number) {
    super(`Improv error state ${code}`)
  }
}

/** How often the port is looked at for bytes. */
const POLL_MS = 5

/**
 * A client on one serial port (a terminal's path). Its reading descriptor is non-blocking and read every POLL_MS
 * until the port has nothing more, so no read is ever left waiting when the client closes; writes go through a
 * blocking descriptor of their own. A `cat` child read through `Bun.spawn`'s stdout pipe was used before, and Bun
 * 1.4.5 stopped reading that pipe in 4 of 17 runs of tests/sim-improv.test.ts with the board's answers waiting in it
 * (155 bytes in the socket's receive queue, `ss -x`, while the test timed out waiting for them).
 */
export class ImprovClient {
  readonly packets: Packet[] = []
  /** The port's text outside frames, as lines (the board's log). */
  readonly lines: string[] = []
  readonly #in: number
  readonly #out: number
  readonly #poll: ReturnType<typeof setInterval>
  #partial = ''
  #waiters: Array<() => void> = []
  /** Why reading stopped, if the port failed or ended. */
  #failure: string | undefined

  constructor(readonly path: string) {
    // O_NOCTTY: the board's port must never become this process's controlling terminal.
    this.#in = openSync(path, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK)
    this.#out = openSync(path, constants.O_WRONLY | constants.O_NOCTTY)
    const frames = new FrameReader(
      (packet) => this.packets.push(packet),
      (bytes) => {
        this.#partial += new TextDecoder().decode(new Uint8Array(bytes))
        const parts = this.#partial.split('\n')
        this.#partial = parts.pop() ?? ''
        this.lines.push(...parts.map((line) => line.trim()).filter((line) => line.length > 0))
      },
    )
    const buffer = Buffer.alloc(4096)
    this.#poll = setInterval(() => {
      if (this.#failure === undefined && this.#read(frames, buffer)) for (const wake of this.#waiters.splice(0)) wake()
    }, POLL_MS)
  }

  /** Takes everything the port holds now; whether anything came (bytes, or the port's end). */
  #read(frames: FrameReader, buffer: Buffer): boolean {
    let came = false
    for (;;) {
      let count: number
      try {
        count = readSync(this.#in, buffer, 0, buffer.length, null)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return came
        this.#failure = `reading ${this.path} failed: ${(error as Error).message}`
        return true
      }
      if (count === 0) {
        this.#failure = `${this.path} ended`
        return true
      }
      frames.push(buffer.subarray(0, count))
      came = true
    }
  }

  /** Writes raw bytes to the port. */
  write(bytes: Uint8Array): void {
    writeSync(this.#out, bytes)
  }

  /** Sends an RPC command. */
  rpc(command: number, args: number[] = []): void {
    this.write(encodeRpc(command, args))
  }

  /** Waits for a packet from index `from` on that passes `test`. */
  async waitFor(what: string, test: (packet: Packet) => boolean, timeoutMs: number, from = 0): Promise<Packet> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.packets.slice(from).find(test)
      if (found !== undefined) return found
      if (this.#failure !== undefined || Date.now() >= deadline) {
        const why = this.#failure ?? `no ${what} within ${timeoutMs} ms`
        throw new Error(`improv: ${why}; packets ${JSON.stringify(this.packets.slice(from))}; log ${JSON.stringify(this.lines.slice(-5))}`)
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
        setTimeout(resolve, Math.min(100, Math.max(1, deadline - Date.now())))
      })
    }
  }

  /**
   * Sends `command` and waits for its RPC result (or, with `all`, results until an empty one), rejecting on an error
   * state other than "no error".
   */
  async call(command: number, args: number[] = [], timeoutMs = 5_000, all = false): Promise<string[][]> {
    const from = this.packets.length
    this.rpc(command, args)
    const results: string[][] = []
    const deadline = Date.now() + timeoutMs
    let seen = from
    for (;;) {
      const packet = await this.waitFor(`an answer to command ${command}`, () => true, Math.max(1, deadline - Date.now()), seen)
      seen = this.packets.indexOf(packet, seen) + 1
      if (packet.type === Type.errorState && packet.data[0] !== ErrorState.none) throw new ImprovError(packet.data[0] ?? 0)
      if (packet.type !== Type.rpcResult || packet.command !== command) continue
      if (!all) return [packet.strings ?? []]
      if ((packet.strings ?? []).length === 0) return results
      results.push(packet.strings ?? [])
    }
  }

  /** The device information: firmware name, version, chip, device name. */
  async deviceInfo(): Promise<string[]> {
    return (await this.call(Command.deviceInfo))[0] ?? []
  }

  /** The current state (and, when provisioned, the URL result that follows it). */
  async currentState(timeoutMs = 5_000): Promise<number> {
    const from = this.packets.length
    this.rpc(Command.currentState)
    const state = await this.waitFor('the current state', (p) => p.type === Type.currentState, timeoutMs, from)
    return state.data[0] ?? 0
  }

  /** The networks the device heard: one [ssid, rssi, auth] per network. */
  scan(): Promise<string[][]> {
    return this.call(Command.scan, [], 5_000, true)
  }

  /** Sends Wi-Fi settings and waits for the result: the URL to open (the result's first string), if any. */
  async provision(ssid: string, password: string, timeoutMs = 30_000): Promise<string | undefined> {
    const [strings] = await this.call(Command.wifiSettings, wifiArgs(ssid, password), timeoutMs)
    return strings?.[0]
  }

  /** Stops reading and closes the port. */
  close(): void {
    clearInterval(this.#poll)
    closeSync(this.#in)
    closeSync(this.#out)
  }
}
