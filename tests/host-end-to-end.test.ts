// The built host end to end: real NVML code over bun:ffi on the fake library, the real server, and two independent
// device clients (Bun's WebSocket and Python `websockets`) reading VRAM frames from it.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeHostMessage } from '../schema/index.ts'
import type { HostMessage } from '../schema/index.ts'
import { RunningSysboy, cleanEnv, freePort, hello } from './cli-harness.ts'
import { buildFakeNvml } from './fixtures/nvml/build.ts'

const GIB = 1024 ** 3
const TOKEN = 'e2e-token-0123456789abcdef'
const python = join(import.meta.dir, '..', '.cache/venv/bin/python')

let host: RunningSysboy
let port: number
let usedFile: string

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysboy-e2e-'))
  usedFile = join(dir, 'used')
  writeFileSync(usedFile, String(6 * GIB))
  const library = await buildFakeNvml({ FAKE_NVML_TOTAL: String(16 * GIB), FAKE_NVML_USED_FILE: usedFile })
  port = await freePort()
  host = new RunningSysboy(
    ['--metric', 'vram', '--bind', '127.0.0.1', '--port', String(port), '--token', TOKEN, '--no-mdns', '--interval', '200'],
    cleanEnv({ SYSBOY_NVML_LIB: library }),
  )
  await host.port()
})

afterAll(async () => {
  await host.stop()
})

/** A device on Bun's WebSocket client that collects every decoded frame. */
const connectDevice = async (id: string): Promise<{ socket: WebSocket; frames: HostMessage[] }> => {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`)
  const frames: HostMessage[] = []
  socket.addEventListener('message', (event) => {
    const decoded = decodeHostMessage(String(event.data))
    if (!decoded.ok) throw new Error(`host sent a bad frame: ${decoded.reason}`)
    frames.push(decoded.message)
  })
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve)
    socket.addEventListener('error', reject)
  })
  socket.send(hello(id, TOKEN))
  return { socket, frames }
}

const waitForFrame = async (frames: HostMessage[], match: (frame: HostMessage) => boolean): Promise<HostMessage> => {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    const found = frames.findLast(match)
    if (found !== undefined) return found
    await Bun.sleep(50)
  }
  throw new Error(`no matching frame among ${JSON.stringify(frames.slice(-5))}`)
}

describe('the built sysboy host, end to end', () => {
  it('reads VRAM through NVML and sends a seed-shaped frame: 6 GiB of 16 GiB is 37.5 %', async () => {
    const { socket, frames } = await connectDevice('bun-device-1')
    const frame = await waitForFrame(frames, (f) => f.type === 'vram')
    expect(frame).toMatchObject({ type: 'vram', value: 37.5, used: 6 * GIB, total: 16 * GIB, source: 'nvml' })
    socket.close()
  })

  it('follows the GPU: the next frames carry the new value', async () => {
    const { socket, frames } = await connectDevice('bun-device-2')
    await waitForFrame(frames, (f) => f.type === 'vram')
    writeFileSync(usedFile, String(12 * GIB))
    const frame = await waitForFrame(frames, (f) => f.type === 'vram' && f.value === 75)
    expect(frame).toMatchObject({ used: 12 * GIB })
    writeFileSync(usedFile, String(6 * GIB))
    await waitForFrame(frames, (f) => f.type === 'vram' && f.value === 37.5 && frames.indexOf(f) > frames.indexOf(frame))
    socket.close()
  })

  it('serves an independent Python websockets device: pairs, gets the vram frame, switches metric with an ack', async () => {
    const child = Bun.spawn([python, join(import.meta.dir, 'ws-python/device.py'), `ws://127.0.0.1:${port}/ws`, TOKEN, 'pair'], {
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
    expect(err).toBe('')
    expect(code).toBe(0)
    const lines = out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, Record<string, unknown>>)
    expect(lines[0]?.welcome).toMatchObject({ type: 'welcome', protocol: 1 })
    expect(lines[1]?.frame).toMatchObject({ type: 'vram', value: 37.5, source: 'nvml' })
    expect(lines[2]?.ack).toEqual({ type: 'ack', id: 42, ok: true, metric: 'cpu' })
    expect(lines[3]?.frame).toMatchObject({ type: 'cpu', source: 'procfs' })
    expect(lines[4]?.error).toMatchObject({ type: 'error', code: 'bad_json' })
  })

  it('refuses a device with the wrong token and keeps serving the others', async () => {
    const good = await connectDevice('bun-device-3')
    const bad = new WebSocket(`ws://127.0.0.1:${port}/ws`)
    const closed = new Promise<number>((resolve) => bad.addEventListener('close', (event) => resolve(event.code)))
    bad.addEventListener('open', () => bad.send(hello('intruder', 'wrong-token-000000')))
    expect(await closed).toBe(1008)
    const before = good.frames.length
    await waitForFrame(good.frames, (f) => f.type === 'vram' && good.frames.indexOf(f) >= before)
    good.socket.close()
  })
})
