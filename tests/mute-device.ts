// A device whose WebSocket stack has died: a raw TCP client that says hello and then never writes again, not even the
// pong that any live WebSocket client sends back for a ping. Only the host's own idle bound can end it.

/** A text frame as a client must send it: FIN, masked (RFC 6455 §5.3). */
const maskedText = (text: string): Uint8Array => {
  const payload = new TextEncoder().encode(text)
  if (payload.length > 0xffff) throw new Error('mute device: hello too long')
  const head = payload.length < 126 ? [0x81, 0x80 | payload.length] : [0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]
  const mask = crypto.getRandomValues(new Uint8Array(4))
  const frame = new Uint8Array(head.length + 4 + payload.length)
  frame.set(head, 0)
  frame.set(mask, head.length)
  for (let i = 0; i < payload.length; i++) frame[head.length + 4 + i] = (payload[i] as number) ^ (mask[i % 4] as number)
  return frame
}

export interface MuteDevice {
  /** Text frames the host sent, in order. */
  texts: string[]
  /** Ping frames the host sent (never answered). */
  pings: number
  /** The close code of the host's close frame, when it sends one, or 1006 when the connection just ended. */
  closed: Promise<number>
  end(): void
}

/** Connects to `wsUrl` (ws://host:port/path), sends the upgrade and then `hello`, and then only listens. */
export const connectMute = async (wsUrl: string, hello: string): Promise<MuteDevice> => {
  const url = new URL(wsUrl)
  let buffer = new Uint8Array(0)
  let upgraded = false
  let resolveClosed: (code: number) => void = () => {}
  const device: MuteDevice = { texts: [], pings: 0, closed: new Promise((resolve) => (resolveClosed = resolve)), end: () => socket.end() }
  let opened: () => void = () => {}
  const upgradedPromise = new Promise<void>((resolve) => (opened = resolve))
  const parse = (): void => {
    if (!upgraded) {
      const end = new TextDecoder().decode(buffer).indexOf('\r\n\r\n')
      if (end < 0) return
      const head = new TextDecoder().decode(buffer.subarray(0, end))
      if (!head.startsWith('HTTP/1.1 101')) throw new Error(`mute device: upgrade refused: ${head.split('\r\n')[0]}`)
      buffer = buffer.subarray(end + 4)
      upgraded = true
      opened()
    }
    for (;;) {
      if (buffer.length < 2) return
      const opcode = (buffer[0] as number) & 0x0f
      let length = (buffer[1] as number) & 0x7f
      let at = 2
      if (length === 126) {
        if (buffer.length < 4) return
        length = ((buffer[2] as number) << 8) | (buffer[3] as number)
        at = 4
      } else if (length === 127) {
        throw new Error('mute device: a frame over 64 KiB')
      }
      if (buffer.length < at + length) return
      const payload = buffer.subarray(at, at + length)
      buffer = buffer.subarray(at + length)
      if (opcode === 0x1) device.texts.push(new TextDecoder().decode(payload))
      else if (opcode === 0x9) device.pings += 1
      else if (opcode === 0x8) resolveClosed(payload.length >= 2 ? ((payload[0] as number) << 8) | (payload[1] as number) : 1005)
    }
  }
  const socket = await Bun.connect({
    hostname: url.hostname,
    port: Number(url.port),
    socket: {
      data: (_socket, chunk) => {
        const joined = new Uint8Array(buffer.length + chunk.length)
        joined.set(buffer, 0)
        joined.set(chunk, buffer.length)
        buffer = joined
        parse()
      },
      close: () => resolveClosed(1006),
    },
  })
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')
  socket.write(
    `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  )
  await upgradedPromise
  socket.write(maskedText(hello))
  return device
}
