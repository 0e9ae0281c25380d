// The REST API and /metrics: token required, no CORS, devices, metrics, config validation and push, calibration
// checks against the device's outputs, calibration undo, and the device's last error.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer } from '../host/server/index.ts'
import type { TestServer } from './server-harness.ts'
import { DeviceClient, TOKEN, startTestServer } from './server-harness.ts'

let running: TestServer
let device: DeviceClient
const auth = { Authorization: `Bearer ${TOKEN}` }

beforeAll(async () => {
  // Generous guess limits: these tests send wrong tokens on purpose; tests/server-pairing.test.ts checks the limit.
  running = await startTestServer({}, { guessLimits: { burst: 1_000, refillMs: 60_000, maxAddresses: 10 } })
  device = await DeviceClient.paired(running.ws, { device: 'desk-meter', outputs: ['left', 'right'] })
})
afterAll(async () => {
  device.close()
  await running.stop()
})

const api = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${running.server.url}${path}`, init)

const putConfig = (id: string, body: unknown): Promise<Response> =>
  api(`/api/devices/${id}/config`, { method: 'PUT', headers: { ...auth, 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) })

describe('REST API', () => {
  for (const path of ['/api/devices', '/api/metrics', '/metrics']) {
    it(`refuses ${path} without the token (401) and never sends CORS headers`, async () => {
      const bare = await api(path, { headers: { Origin: 'http://evil.example' } })
      expect(bare.status).toBe(401)
      expect(bare.headers.get('www-authenticate')).toContain('Bearer')
      expect(((await bare.json()) as { error: string }).error).toBe('unauthorized')
      const wrong = await api(path, { headers: { Authorization: 'Bearer not-the-token', Origin: 'http://evil.example' } })
      expect(wrong.status).toBe(401)
      const ok = await api(path, { headers: { ...auth, Origin: 'http://evil.example' } })
      expect(ok.status).toBe(200)
      for (const response of [bare, wrong, ok]) expect(response.headers.get('access-control-allow-origin')).toBeNull()
    })
  }

  it('matches paths exactly: a trailing slash is another path, and not found (host/server/hono.ts picks the router)', async () => {
    for (const path of ['/api/devices/', '/api/metrics/history/', '/metrics/']) {
      expect([path, (await api(path, { headers: auth })).status]).toEqual([path, 404])
    }
    const put = await api('/api/devices/desk-meter/config/', { method: 'PUT', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{}' })
    expect(put.status).toBe(404)
    expect((await api('/api/metrics/history', { headers: auth })).status).toBe(200)
  })

  it('answers a CORS preflight without allowing any origin', async () => {
    const preflight = await api('/api/devices', { method: 'OPTIONS', headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'GET' } })
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('lists connected devices with their bindings and counters', async () => {
    await device.freshMetric('vram')
    const devices = (await (await api('/api/devices', { headers: auth })).json()) as Array<Record<string, unknown>>
    const entry = devices.find((d) => d.id === 'desk-meter')
    expect(entry).toMatchObject({
      chip: 'sim',
      firmware: '0.1.0',
      remoteAddress: '127.0.0.1',
      bindings: [
        { output: 'left', metric: 'vram' },
        { output: 'right', metric: 'vram' },
      ],
      lastStatus: null,
    })
    expect(entry?.framesSent as number).toBeGreaterThan(0)
    expect(entry?.framesDropped).toBe(0)
    expect(Date.parse(entry?.connectedSince as string)).toBeLessThanOrEqual(Date.now())
  })

  it('shows the last status a device sent', async () => {
    device.send(JSON.stringify({ type: 'status', link: 'wifi', rssi: -60, heap_free: 12345, uptime_ms: 999 }))
    await Bun.sleep(100)
    const devices = (await (await api('/api/devices', { headers: auth })).json()) as Array<Record<string, unknown>>
    expect(devices.find((d) => d.id === 'desk-meter')?.lastStatus).toMatchObject({ link: 'wifi', rssi: -60, heap_free: 12345 })
  })

  it('gives the current value of each sampled metric', async () => {
    running.set('vram', 42.5)
    await device.next((m) => m.type === 'vram' && m.value === 42.5)
    const metrics = (await (await api('/api/metrics', { headers: auth })).json()) as Record<string, { value: number }>
    expect(metrics.vram).toMatchObject({ type: 'vram', value: 42.5, source: 'file' })
  })

  it('pushes a valid config to the device, which then shows the new metrics', async () => {
    const config = {
      bindings: [
        { output: 'left', metric: 'cpu' },
        { output: 'right', metric: 'queue_depth' },
      ],
      interval_ms: 100,
      stale_after_ms: 1000,
    }
    const from = device.received.length
    const response = await putConfig('desk-meter', config)
    expect(response.status).toBe(200)
    expect(await device.next((m) => m.type === 'config', 5_000, from)).toEqual({ type: 'config', id: expect.any(Number), ...config })
    await device.freshMetric('cpu')
    await device.freshMetric('queue_depth')
    expect(running.server.devices().find((d) => d.id === 'desk-meter')?.bindings).toEqual(config.bindings)
  })

  const base = { bindings: [{ output: 'left', metric: 'vram' }], interval_ms: 1000, stale_after_ms: 5000 }
  const curve = (output: string, ...points: Array<[number, number]>): { output: string; points: Array<{ percent: number; code: number }> } => ({
    output,
    points: points.map(([percent, code]) => ({ percent, code })),
  })
  const badBodies: Array<[string, unknown, string, string]> = [
    ['not JSON', '{"bindings":', 'bad_json', ''],
    ['a missing field', { bindings: base.bindings, interval_ms: 1000 }, 'bad_config', 'stale_after_ms'],
    ['an interval below the minimum', { ...base, interval_ms: 5 }, 'bad_config', 'interval_ms'],
    ['a binding of the wrong type', { ...base, bindings: [{ output: 'left', metric: 7 }] }, 'bad_config', 'bindings.0.metric'],
    ['an unknown output', { ...base, bindings: [{ output: 'middle', metric: 'vram' }] }, 'unknown_output', 'bindings.0.output'],
    ['an unknown metric', { ...base, bindings: [{ output: 'left', metric: 'warp' }] }, 'unknown_metric', 'bindings.0.metric'],
    ['a calibration for an unknown output', { ...base, calibration: [curve('middle', [0, 0], [100, 1023])] }, 'unknown_output', 'calibration.0.output'],
    ['a calibration falling in percent', { ...base, calibration: [curve('left', [0, 0], [60, 500], [50, 600])] }, 'bad_config', 'calibration.0.points.2.percent'],
    ['a calibration repeating a percent', { ...base, calibration: [curve('left', [0, 0], [50, 500], [50, 600])] }, 'bad_config', 'calibration.0.points.2.percent'],
    ['a calibration falling in code', { ...base, calibration: [curve('right', [0, 900], [100, 100])] }, 'bad_config', 'calibration.0.points.1.code'],
    ['a calibration code beyond the output\'s 10 bits', { ...base, calibration: [curve('left', [0, 0], [100, 1024])] }, 'bad_config', 'calibration.0.points.1.code'],
    ['a second curve that is bad', { ...base, calibration: [curve('left', [0, 0], [100, 1023]), curve('right', [0, 5], [100, 5])] }, 'bad_config', 'calibration.1.points.1.code'],
  ]
  for (const [what, body, error, field] of badBodies) {
    it(`refuses a config with ${what} (400, ${error}${field ? ` at ${field}` : ''})`, async () => {
      const response = await putConfig('desk-meter', body)
      expect(response.status).toBe(400)
      const refusal = (await response.json()) as { error: string; field?: string; reason: string }
      expect(refusal.error).toBe(error)
      if (field !== '') expect(refusal.field).toBe(field)
      expect(refusal.reason.length).toBeGreaterThan(5)
    })
  }

  it('says in the reason why a calibration code is refused, naming the largest code', async () => {
    const response = await putConfig('desk-meter', { ...base, calibration: [curve('left', [0, 0], [100, 1024])] })
    const refusal = (await response.json()) as { reason: string }
    expect(refusal.reason).toContain('1023')
    expect(refusal.reason).toContain("'left'")
  })

  it('sends a calibration that fits the output once, and does not send it again with later configs', async () => {
    const calibration = [curve('left', [0, 0], [50, 800], [100, 1023])]
    const from = device.received.length
    const response = await putConfig('desk-meter', { ...base, calibration })
    expect(response.status).toBe(200)
    expect(await device.next((m) => m.type === 'config', 5_000, from)).toEqual({ type: 'config', id: expect.any(Number), ...base, calibration })
    const later = device.received.length
    expect((await putConfig('desk-meter', base)).status).toBe(200)
    const again = await device.next((m) => m.type === 'config', 5_000, later)
    expect('calibration' in again).toBe(false)
  })

  const postUndo = (id: string, output: string, headers: Record<string, string> = auth): Promise<Response> =>
    api(`/api/devices/${id}/calibration/${output}/undo`, { method: 'POST', headers })

  it('sends a calibration undo for a known output and answers 202', async () => {
    const from = device.received.length
    const response = await postUndo('desk-meter', 'right')
    expect(response.status).toBe(202)
    expect(await response.json()).toEqual({ device: 'desk-meter', output: 'right', sent: 'calibration_undo' })
    expect(await device.next((m) => m.type === 'calibration_undo', 5_000, from)).toEqual({ type: 'calibration_undo', output: 'right' })
  })

  it('refuses a calibration undo without the token (401), for an unknown device or output (404)', async () => {
    expect((await postUndo('desk-meter', 'left', {})).status).toBe(401)
    const nobody = await postUndo('nobody-here', 'left')
    expect(nobody.status).toBe(404)
    expect(((await nobody.json()) as { error: string }).error).toBe('unknown_device')
    const middle = await postUndo('desk-meter', 'middle')
    expect(middle.status).toBe(404)
    const refusal = (await middle.json()) as { error: string; reason: string }
    expect(refusal.error).toBe('unknown_output')
    expect(refusal.reason).toContain('left, right')
  })

  it("shows the device's last error frame in the device list", async () => {
    const before = (await (await api('/api/devices', { headers: auth })).json()) as Array<Record<string, unknown>>
    expect(before.find((d) => d.id === 'desk-meter')?.lastError).toBeNull()
    const reason = "calibration_undo for 'right' refused: nothing to undo: no earlier calibration is stored"
    device.send(JSON.stringify({ type: 'error', code: 'bad_config', reason }))
    const deadline = Date.now() + 5_000
    let listed: Record<string, unknown> | undefined
    while (Date.now() < deadline) {
      const devices = (await (await api('/api/devices', { headers: auth })).json()) as Array<Record<string, unknown>>
      listed = devices.find((d) => d.id === 'desk-meter')
      if (listed?.lastError !== null) break
      await Bun.sleep(50)
    }
    expect(listed?.lastError).toMatchObject({ code: 'bad_config', reason })
    expect(Date.parse((listed?.lastError as { at: string }).at)).toBeLessThanOrEqual(Date.now())
  })

  it('answers 404 for a config of a device that is not connected', async () => {
    const response = await putConfig('nobody-here', base)
    expect(response.status).toBe(404)
    expect(((await response.json()) as { error: string }).error).toBe('unknown_device')
  })

  it('serves the host figures in Prometheus text format', async () => {
    await api('/api/devices') // one refusal, counted under unauthorized
    const response = await api('/metrics', { headers: auth })
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4')
    const text = await response.text()
    expect(text).toContain('# TYPE sysboy_up gauge\nsysboy_up 1\n')
    expect(text).toMatch(/^sysboy_devices_connected 1$/m)
    expect(text).toMatch(/^sysboy_frames_sent_total [1-9]\d*$/m)
    expect(text).toMatch(/^sysboy_frames_dropped_total \d+$/m)
    expect(text).toMatch(/^sysboy_errors_total\{code="unauthorized"\} [1-9]\d*$/m)
    expect(text).toMatch(/^sysboy_sample_seconds_bucket\{metric="vram",source="file",le="\+Inf"\} [1-9]\d*$/m)
    expect(text).toMatch(/^sysboy_sample_seconds_count\{metric="vram",source="file"\} [1-9]\d*$/m)
  })

  it('says clearly when the port is in use', async () => {
    const options = {
      bind: '127.0.0.1',
      port: running.server.port,
      token: TOKEN,
      version: '0',
      hostName: 'x',
      metric: 'vram',
      metrics: ['vram'],
      intervalMs: 1000,
      openSource: () => {
        throw new Error('not used')
      },
    }
    await expect(startServer(options)).rejects.toThrow(`port ${running.server.port} on 127.0.0.1 is in use (EADDRINUSE)`)
  })

  it('serves the dashboard page it was given at /', async () => {
    const withPage = await startTestServer({ dashboardHtml: '<!doctype html><title>sysboy</title>' })
    try {
      const page = await fetch(`${withPage.server.url}/`)
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('<title>sysboy</title>')
    } finally {
      await withPage.stop()
    }
  })
})
