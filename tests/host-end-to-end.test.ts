// The built host end to end: real NVML code over bun:ffi on the fake library, the real server, and two independent
// device clients (Bun's WebSocket and Python `websockets`) reading VRAM frames from it.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { HostMessage } from '../schema/index.ts'
import { RunningSysboy, cleanEnv, freePort } from './cli-harness.ts'
import { DeviceClient, helloFrame } from './device-client.ts'
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

const connectDevice = (device: string): Promise<DeviceClient> => DeviceClient.paired(`ws://127.0.0.1:${port}/ws`, { device, token: TOKEN })

const vram = (f: HostMessage): boolean => f.type === 'vram'

describe('the built sysboy host, end to end', () => {
  it('reads VRAM through NVML and sends a seed-shaped frame: 6 GiB of 16 GiB is 37.5 %', async () => {
    const device = await connectDevice('bun-device-1')
    const frame = await device.next(vram, 10_000)
    expect(frame).toMatchObject({ type: 'vram', value: 37.5, used: 6 * GIB, total: 16 * GIB, source: 'nvml' })
    device.close()
  })

  it('follows the GPU: the next frames carry the new value', async () => {
    const device = await connectDevice('bun-device-2')
    await device.next(vram, 10_000)
    writeFileSync(usedFile, String(12 * GIB))
    const frame = await device.next((f) => f.type === 'vram' && f.value === 75, 10_000)
    expect(frame).toMatchObject({ used: 12 * GIB })
    writeFileSync(usedFile, String(6 * GIB))
    await device.next((f) => f.type === 'vram' && f.value === 37.5, 10_000, device.received.indexOf(frame) + 1)
    device.close()
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
    const bad = new DeviceClient(`ws://127.0.0.1:${port}/ws`)
    await bad.opened
    bad.send(helloFrame({ device: 'intruder', token: 'wrong-token-000000' }))
    expect((await bad.closed).code).toBe(1008)
    await good.next(vram, 10_000, good.received.length)
    good.close()
  })
})
