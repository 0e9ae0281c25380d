// A scripted host for tests that must send a device what the real host never would (a screens config it cannot show):
// a bare WebSocket server that prints every text frame a device sends as one JSON line on stdout, and sends what the
// test writes on stdin. A stdin line is one frame, sent to every open socket as it is; a line
// `{"repeat_ms":N,"frames":[...]}` instead sends those frames every N ms from now on (an empty list stops them), and
// `{"binary":"BASE64"}` sends those bytes as one binary frame (a stream payload).
// Run inside a namespace: bun scripted-host.ts ADDR PORT
import type { ServerWebSocket } from 'bun'

const [bind, port] = [process.argv[2] ?? '127.0.0.1', Number(process.argv[3] ?? '8077')]
const sockets = new Set<ServerWebSocket<unknown>>()
let repeat: ReturnType<typeof setInterval> | undefined

const print = (line: unknown): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

const send = (frame: string | Uint8Array): void => {
  for (const ws of sockets) ws.send(frame)
}

const command = (line: string): void => {
  const parsed = JSON.parse(line) as { repeat_ms?: number; frames?: unknown[]; binary?: string }
  if (parsed.binary !== undefined) {
    send(new Uint8Array(Buffer.from(parsed.binary, 'base64')))
    return
  }
  if (parsed.repeat_ms === undefined) {
    send(line)
    return
  }
  clearInterval(repeat)
  const frames = (parsed.frames ?? []).map((frame) => JSON.stringify(frame))
  if (frames.length > 0) repeat = setInterval(() => frames.forEach(send), parsed.repeat_ms)
}

Bun.serve({
  hostname: bind,
  port,
  fetch: (request, server) => (server.upgrade(request) ? undefined : new Response('upgrade required', { status: 426 })),
  websocket: {
    open: (ws) => {
      sockets.add(ws)
      print({ event: 'open' })
    },
    message: (_ws, message) => {
      if (typeof message === 'string') print({ event: 'message', message: JSON.parse(message) as unknown })
      else print({ event: 'binary', bytes: message.length })
    },
    close: (ws, code) => {
      sockets.delete(ws)
      print({ event: 'close', code })
    },
  },
})
print({ event: 'listening', bind, port })

const decoder = new TextDecoder()
let pending = ''
for await (const chunk of Bun.stdin.stream()) {
  pending += decoder.decode(chunk, { stream: true })
  for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
    const line = pending.slice(0, newline).trim()
    pending = pending.slice(newline + 1)
    if (line !== '') command(line)
  }
}
