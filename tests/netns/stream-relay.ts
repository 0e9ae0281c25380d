// A TCP relay between a device and the host that keeps what passes, to time a stream from outside both: every chunk
// read in either direction with the wall clock it was read at (epoch ms to the microsecond). It relays with
// backpressure (a paused reader, as pipe() does), so it holds no more than the kernel's socket buffers would.
// Run inside a namespace: bun stream-relay.ts LISTEN_ADDR LISTEN_PORT TARGET_ADDR TARGET_PORT
// It prints {"event":"listening"} once it listens; a stdin line `dump PATH` writes all it kept to PATH (records of
// float64 epoch ms, u8 direction (0 device to host, 1 host to device), u32 length, then the bytes, little-endian)
// and prints {"event":"dumped","path":PATH,"bytes":N}.
import { createConnection, createServer } from 'node:net'
import type { Socket } from 'node:net'
import { writeFileSync } from 'node:fs'

const [listenAddr, listenPort, targetAddr, targetPort] = process.argv.slice(2)
const kept: Buffer[] = []

const now = (): number => performance.timeOrigin + performance.now()

const keep = (direction: number, data: Buffer): void => {
  const head = Buffer.alloc(13)
  head.writeDoubleLE(now(), 0)
  head.writeUInt8(direction, 8)
  head.writeUInt32LE(data.length, 9)
  kept.push(head, data)
}

const relay = (from: Socket, to: Socket, direction: number): void => {
  from.on('data', (data: Buffer) => {
    keep(direction, data)
    if (!to.write(data)) from.pause()
  })
  to.on('drain', () => from.resume())
  from.on('end', () => to.end())
  from.on('error', () => to.destroy())
}

const server = createServer((device) => {
  device.setNoDelay(true)
  const host = createConnection({ host: targetAddr, port: Number(targetPort) })
  host.setNoDelay(true)
  relay(device, host, 0)
  relay(host, device, 1)
})
server.listen(Number(listenPort), listenAddr, () => process.stdout.write(`${JSON.stringify({ event: 'listening' })}\n`))

const decoder = new TextDecoder()
let pending = ''
for await (const chunk of Bun.stdin.stream()) {
  pending += decoder.decode(chunk, { stream: true })
  for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
    const [command, path] = pending.slice(0, newline).trim().split(' ')
    pending = pending.slice(newline + 1)
    if (command !== 'dump' || path === undefined) continue
    const bytes = Buffer.concat(kept)
    writeFileSync(path, bytes)
    process.stdout.write(`${JSON.stringify({ event: 'dumped', path, bytes: bytes.length })}\n`)
  }
}
