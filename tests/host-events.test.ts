// The dashboard's Server-Sent Events against the built host: the first events, a metric push within about an
// interval, a push of `devices` when a board connects, the token, and the metric history endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { RunningSysboy } from './cli-harness.ts'
import { DeviceClient } from './device-client.ts'

const TOKEN = 'events-test-token-01'
const INTERVAL_MS = 200
let host: RunningSysboy
let base: string
let ws: string

beforeAll(async () => {
  host = RunningSysboy.onLoopback('ram', TOKEN, ['--interval', String(INTERVAL_MS)])
  const port = await host.port()
  base = `http://127.0.0.1:${port}`
  ws = `ws://127.0.0.1:${port}/ws`
})
afterAll(async () => {
  await host.stop()
})

interface ServerEvent {
  event: string
  data: unknown
  at: number
}

/** Reads a text/event-stream as the page does, with fetch streaming; events are parsed as they come. */
class EventReader {
  readonly events: ServerEvent[] = []
  readonly #abort = new AbortController()
  response!: Response

  async open(token = TOKEN): Promise<Response> {
    this.response = await fetch(`${base}/api/events`, { headers: { Authorization: `Bearer ${token}` }, signal: this.#abort.signal })
    if (this.response.ok) void this.#read(this.response.body as ReadableStream<Uint8Array>)
    return this.response
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder()
    let rest = ''
    try {
      for await (const chunk of body) {
        rest += decoder.decode(chunk, { stream: true })
        let end = rest.indexOf('\n\n')
        while (end >= 0) {
          const block = rest.slice(0, end)
          rest = rest.slice(end + 2)
          const event = /^event: (.*)$/m.exec(block)?.[1]
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (event !== undefined && data !== undefined) this.events.push({ event, data: JSON.parse(data), at: Date.now() })
          end = rest.indexOf('\n\n')
        }
      }
    } catch {
      // Aborted by the test.
    }
  }

  async next(match: (e: ServerEvent) => boolean, from = 0, timeoutMs = 5_000): Promise<ServerEvent> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.events.slice(from).find(match)
      if (found !== undefined) return found
      if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms; got ${this.events.map((e) => e.event).join(', ')}`)
      await Bun.sleep(20)
    }
  }

  close(): void {
    this.#abort.abort()
  }
}

describe('GET /api/events (built host)', () => {
  it('refuses a wrong or missing token with 401', async () => {
    expect((await fetch(`${base}/api/events`)).status).toBe(401)
    const reader = new EventReader()
    expect((await reader.open('not-the-token-1')).status).toBe(401)
  })

  it('sends hello and every kind at once, then metrics within about an interval, and devices when a board connects', async () => {
    const reader = new EventReader()
    const response = await reader.open()
    try {
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toStartWith('text/event-stream')
      expect(response.headers.get('access-control-allow-origin')).toBeNull()
      await reader.next((e) => e.event === 'credentials')
      expect(reader.events.slice(0, 5).map((e) => e.event)).toEqual(['hello', 'metrics', 'devices', 'pairing', 'credentials'])
      expect(reader.events[0]?.data).toMatchObject({ version: expect.any(String), host: expect.any(String), metrics: expect.arrayContaining(['ram']), intervalMs: INTERVAL_MS, staleAfterMs: expect.any(Number) })
      expect(reader.events[2]?.data).toEqual([])

      const from = reader.events.length
      const opened = Date.now()
      const metrics = await reader.next((e) => e.event === 'metrics', from, 3_000)
      expect(metrics.at - opened).toBeLessThan(INTERVAL_MS * 3)
      expect(metrics.data).toMatchObject({ ram: { type: 'ram', source: expect.any(String) } })

      const before = reader.events.length
      const board = await DeviceClient.paired(ws, { device: 'events-board', token: TOKEN })
      try {
        const devices = await reader.next((e) => e.event === 'devices' && (e.data as Array<{ id: string }>).some((d) => d.id === 'events-board'), before)
        expect(devices.data).toEqual([expect.objectContaining({ id: 'events-board', lastError: null })])
        // A board asking to pair is pushed as `pairing`.
        const asking = await DeviceClient.asking(ws, { device: 'events-asker' })
        await reader.next((e) => e.event === 'pairing' && (e.data as Array<{ device: string }>).some((r) => r.device === 'events-asker'), before)
        asking.close()
      } finally {
        board.close()
      }
      // Coalesced: no kind more than 10 pushes a second (one window of slack for timing at the edges).
      const pushes = reader.events.slice(5)
      for (const kind of ['metrics', 'devices', 'pairing']) {
        const times = pushes.filter((e) => e.event === kind).map((e) => e.at)
        for (let i = 2; i < times.length; i++) expect((times[i] as number) - (times[i - 2] as number)).toBeGreaterThanOrEqual(100)
      }
    } finally {
      reader.close()
    }
  }, 20_000)

  it('serves each metric recent values as a history, one per interval, numbers or null', async () => {
    const deadline = Date.now() + 5_000
    let history: Record<string, { interval_ms: number; values: (number | null)[]; ts: number }> = {}
    while (Date.now() < deadline) {
      const response = await fetch(`${base}/api/metrics/history`, { headers: { Authorization: `Bearer ${TOKEN}` } })
      expect(response.status).toBe(200)
      history = (await response.json()) as typeof history
      if ((history.ram?.values.length ?? 0) >= 3) break
      await Bun.sleep(INTERVAL_MS)
    }
    expect(history.ram).toMatchObject({ interval_ms: INTERVAL_MS, ts: expect.any(Number) })
    expect(history.ram?.values.length).toBeGreaterThanOrEqual(3)
    for (const value of history.ram?.values ?? []) expect(value === null || (value >= 0 && value <= 100)).toBe(true)
    expect((await fetch(`${base}/api/metrics/history`)).status).toBe(401)
  }, 10_000)
})
