// A 60 MB body costs the built host nothing: the REST API's limit (16 KiB) is enforced as the body streams in, so the
// host's peak RSS grows by under 2 MB, with a Content-Length and without one (chunked).
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { RunningSysboy } from './cli-harness.ts'
import { DeviceClient } from './device-client.ts'

const TOKEN = 'body-limit-token'
const BODY_BYTES = 60 * 1024 * 1024
const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }

let host: RunningSysboy
let device: DeviceClient
let url: string

/** A figure from /proc/<pid>/status, in MB. */
const memory = (key: 'VmRSS' | 'VmHWM'): number => {
  const match = readFileSync(`/proc/${host.proc.pid}/status`, 'utf8').match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))
  if (match === null) throw new Error(`no ${key} in /proc/${host.proc.pid}/status`)
  return Number(match[1]) / 1024
}

/** How much the host's peak RSS rises above its RSS while `act` runs, in MB. */
const peakGrowth = async (act: () => Promise<void>): Promise<number> => {
  // Resets VmHWM to the current RSS (proc(5), clear_refs "5"), so the peak is this act's.
  writeFileSync(`/proc/${host.proc.pid}/clear_refs`, '5')
  const before = memory('VmRSS')
  await act()
  await Bun.sleep(300)
  return memory('VmHWM') - before
}

beforeAll(async () => {
  host = RunningSysboy.onLoopback('ram', TOKEN)
  const port = await host.port()
  device = await DeviceClient.paired(`ws://127.0.0.1:${port}/ws`, { device: 'desk', token: TOKEN })
  url = `http://127.0.0.1:${port}/api/devices/desk/config`
  // Warm the routes up, so the measurement sees the body and nothing else.
  for (let i = 0; i < 20; i++) await (await fetch(url, { method: 'PUT', headers: auth, body: '{}' })).text()
  await Bun.sleep(1_000)
})
afterAll(async () => {
  device.close()
  expect(await host.stop()).toBe(0)
})

describe('a 60 MB PUT', () => {
  it('with a Content-Length is refused with 413 too_large before it is read', async () => {
    let status = 0
    let body: unknown
    const growth = await peakGrowth(async () => {
      const response = await fetch(url, { method: 'PUT', headers: auth, body: new Uint8Array(BODY_BYTES).fill(0x20) })
      status = response.status
      body = await response.json()
    })
    console.log(`body limit: 60 MB PUT with Content-Length: peak RSS +${growth.toFixed(2)} MB`)
    expect(status).toBe(413)
    expect(body).toEqual({ error: 'too_large', reason: 'body over 16384 bytes' })
    expect(growth).toBeLessThan(2)
  }, 30_000)

  it('streamed without a Content-Length is refused with 413 once 16 KiB have come in', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20)
    let offered = 0
    const stream = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        if (offered >= BODY_BYTES) return controller.close()
        offered += chunk.length
        controller.enqueue(chunk)
      },
    })
    let status = 0
    const growth = await peakGrowth(async () => {
      const response = await fetch(url, { method: 'PUT', headers: auth, body: stream })
      status = response.status
      await response.text()
    })
    console.log(`body limit: 60 MB chunked PUT: peak RSS +${growth.toFixed(2)} MB, ${offered / 1024 / 1024} MB offered`)
    expect(status).toBe(413)
    expect(growth).toBeLessThan(2)
  }, 30_000)

  it('leaves the host serving: a config within the limit is still applied', async () => {
    const response = await fetch(url, { method: 'PUT', headers: auth, body: JSON.stringify({ bindings: [{ output: 'meter', metric: 'ram' }], interval_ms: 1000, stale_after_ms: 3000 }) })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { bindings: unknown }).bindings).toEqual([{ output: 'meter', metric: 'ram' }])
  })
})
