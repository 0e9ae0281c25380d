// The built host with metrics named in its config file, each read by a PromQL query from the real Prometheus (Debian's
// package) scraping a small exporter served by the test: a device gets them as `metric` frames with the scaled value,
// the raw figure and the unit, on a screen and through a binding; a bad query or one with several series gives null
// with the reason; /api/metrics lists them; a bad definition is refused at start naming the field, exit code 3.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { Server, Subprocess } from 'bun'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hello, HostMessage, MetricFrame, ScreenConfig, Welcome } from '../schema/index.ts'
import { PROTOCOL_VERSION } from '../schema/index.ts'
import { RunningSysboy, cleanEnv, freePort, runSysboy } from './cli-harness.ts'
import { DeviceClient } from './device-client.ts'

const TOKEN = 'named-metrics-token-0123456789'
const auth = { Authorization: `Bearer ${TOKEN}` }

/** What the exporter serves: 3 GB of a 4 GB budget, 61.2 °C of 90, and two series where one is needed. */
const EXPOSITION = [
  '# TYPE sysboy_e2e_bytes gauge',
  'sysboy_e2e_bytes 3e9',
  'sysboy_e2e_temp_celsius 61.2',
  'sysboy_e2e_disk{disk="a"} 1',
  'sysboy_e2e_disk{disk="b"} 2',
  '',
].join('\n')

let exporter: Server<undefined>
let prometheus: Subprocess
let promUrl = ''
let dir = ''
let host: RunningSysboy
let port = 0

const metrics = (): unknown[] => [
  { name: 'cluster_mem', url: promUrl, query: 'sysboy_e2e_bytes', scale: 4e9, unit: 'B' },
  { name: 'rack_temp', url: promUrl, query: 'sysboy_e2e_temp_celsius', scale: 90, unit: '°C' },
  { name: 'broken', url: promUrl, query: 'sum(sysboy_e2e_bytes', scale: 1 },
  { name: 'disks', url: promUrl, query: 'sysboy_e2e_disk', scale: 10, unit: 'disks' },
]

const OLED: ScreenConfig = { output: 'oled', scenes: [{ scene: 'hub', metrics: ['cluster_mem', 'rack_temp', 'cpu'] }] }

/** A config file in a fresh config home, and the environment that finds it. */
const withConfig = (config: unknown): { env: Record<string, string>; path: string } => {
  const env = cleanEnv()
  const configDir = join(env.XDG_CONFIG_HOME as string, 'sysboy')
  mkdirSync(configDir, { recursive: true })
  const path = join(configDir, 'config.json')
  writeFileSync(path, JSON.stringify(config, null, 2))
  return { env, path }
}

const scraped = async (): Promise<boolean> => {
  try {
    const response = await fetch(`${promUrl}/api/v1/query?query=sysboy_e2e_temp_celsius`)
    return ((await response.json()) as { data?: { result?: unknown[] } }).data?.result?.length === 1
  } catch {
    return false
  }
}

const connect = async (device: string, outputs: Hello['outputs']): Promise<DeviceClient> => {
  const client = new DeviceClient(`ws://127.0.0.1:${port}/ws`)
  await client.opened
  const hello: Hello = { type: 'hello', protocol: PROTOCOL_VERSION, device, firmware: '0.2.0-test', chip: 'sim', outputs, buttons: [{ id: 'select' }], token: TOKEN }
  client.send(JSON.stringify(hello))
  await client.next((m) => m.type === 'welcome')
  return client
}

const named = (name: string, known: boolean) => (m: HostMessage): m is Extract<MetricFrame, { type: 'metric' }> =>
  m.type === 'metric' && m.name === name && (m.value !== null) === known

const api = (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`http://127.0.0.1:${port}${path}`, { ...init, headers: { ...auth, 'Content-Type': 'application/json', ...init.headers } })

beforeAll(async () => {
  exporter = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response(EXPOSITION) })
  dir = mkdtempSync(join(tmpdir(), 'sysboy-named-prometheus-'))
  const config = join(dir, 'prometheus.yml')
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: sysboy_e2e\n    static_configs:\n      - targets: ['127.0.0.1:${exporter.port}']\n`,
  )
  const promPort = await freePort()
  promUrl = `http://127.0.0.1:${promPort}`
  prometheus = Bun.spawn(
    ['prometheus', `--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`],
    { stdout: 'ignore', stderr: 'ignore' },
  )
  for (let tries = 0; !(await scraped()); tries++) {
    if (tries > 300) throw new Error('Prometheus did not scrape the test exporter within 30 s')
    await Bun.sleep(100)
  }
  const { env } = withConfig({ token: TOKEN, bind: '127.0.0.1', port: 0, metric: 'cpu', interval: 200, mdns: false, metrics: metrics(), screens: [OLED] })
  host = new RunningSysboy([], env)
  port = await host.port()
}, 60_000)

afterAll(async () => {
  await host?.stop()
  prometheus?.kill()
  await prometheus?.exited
  exporter?.stop(true)
  rmSync(dir, { recursive: true, force: true })
})

describe('the built host with named PromQL metrics in its config file', () => {
  it('says at start which named metrics it serves', async () => {
    await host.waitFor(/^named metrics from Prometheus: cluster_mem \(B\), rack_temp \(°C\), broken, disks \(disks\)$/)
  })

  it('sends a device whose screen shows them metric frames with the scaled value, the raw figure, the unit and the source', async () => {
    const board = await connect('oled-1', [{ id: 'meter', kind: 'pwm', bits: 10 }, { id: 'oled', kind: 'oled', bits: 1, width: 128, height: 64 }])
    try {
      // The configured layout fits: the named metrics are among those the host offers.
      expect((board.received[0] as Welcome).config.screens).toEqual([OLED])
      const mem = await board.next(named('cluster_mem', true), 10_000)
      expect(mem).toMatchObject({ type: 'metric', name: 'cluster_mem', value: 75, raw: 3e9, unit: 'B', source: 'prometheus' })
      const temp = await board.next(named('rack_temp', true), 10_000)
      expect(temp).toMatchObject({ type: 'metric', name: 'rack_temp', value: 68, raw: 61.2, unit: '°C', source: 'prometheus' })
      // Sampled on their own clock, at the device's interval: fresh frames keep coming.
      const again = await board.freshMetric('rack_temp', 5_000)
      expect(again).toMatchObject({ value: 68, raw: 61.2 })
      // Not shown on this device: not sent to it.
      expect(board.received.some((m) => m.type === 'metric' && (m.name === 'broken' || m.name === 'disks'))).toBe(false)
    } finally {
      board.close()
    }
  }, 30_000)

  it('binds them to outputs through the REST API; a bad query and one giving two series are null with the reason, never 0', async () => {
    const outputs: Hello['outputs'] = [
      { id: 'meter', kind: 'pwm', bits: 10 },
      { id: 'aux', kind: 'pwm', bits: 10 },
      { id: 'oled', kind: 'oled', bits: 1, width: 128, height: 64 },
    ]
    const board = await connect('meter-1', outputs)
    try {
      const body = { bindings: [{ output: 'meter', metric: 'broken' }, { output: 'aux', metric: 'disks' }], interval_ms: 200, stale_after_ms: 3_000 }
      const put = await api('/api/devices/meter-1/config', { method: 'PUT', body: JSON.stringify(body) })
      expect(put.status).toBe(200)
      const broken = await board.next(named('broken', false), 10_000)
      expect(broken).toMatchObject({ type: 'metric', name: 'broken', value: null, source: 'prometheus' })
      expect(broken.reason).toStartWith('Prometheus refused the query: bad_data: ')
      const disks = await board.next(named('disks', false), 10_000)
      expect(disks).toMatchObject({
        value: null,
        reason: 'the query gave 2 series; it must give one: aggregate them (sum, max, avg) or filter by label',
        source: 'prometheus',
      })
      expect(board.received.some((m) => m.type === 'metric' && (m.name === 'broken' || m.name === 'disks') && m.value !== null)).toBe(false)

      // /api/metrics lists every named metric a device is sent, with its newest frame.
      await board.next(named('cluster_mem', true), 10_000)
      await board.next(named('rack_temp', true), 10_000)
      const listed = (await (await api('/api/metrics')).json()) as Record<string, MetricFrame>
      expect(listed.cluster_mem).toMatchObject({ type: 'metric', name: 'cluster_mem', value: 75, raw: 3e9, unit: 'B' })
      expect(listed.rack_temp).toMatchObject({ type: 'metric', name: 'rack_temp', value: 68, unit: '°C' })
      expect(listed.broken).toMatchObject({ value: null })
      expect(listed.disks).toMatchObject({ value: null })

      // A name the host does not offer is refused, and the refusal lists the named metrics among those it offers.
      const unknown = await api('/api/devices/meter-1/config', { method: 'PUT', body: JSON.stringify({ ...body, bindings: [{ output: 'meter', metric: 'rack_tmp' }] }) })
      expect(unknown.status).toBe(400)
      const refusal = (await unknown.json()) as { error: string; reason: string }
      expect(refusal.error).toBe('unknown_metric')
      expect(refusal.reason).toEndWith('cluster_mem, rack_temp, broken, disks')
    } finally {
      board.close()
    }
  }, 30_000)

  it('draws a named metric with sysboy preview --live', async () => {
    const { env } = withConfig({ metrics: metrics() })
    const out = join(dir, 'rack.png')
    const run = await runSysboy(['preview', '--scene', 'metric', '--metrics', 'rack_temp', '--live', '--interval', '100', '--out', out], env)
    expect(run.stderr).toBe('')
    expect(run.stdout).toBe(`wrote ${out}: the metric scene of rack_temp at 128x64, depth 1, live figures\n`)
    expect(run.code).toBe(0)
  }, 30_000)
})

describe('a bad named metric in the config file', () => {
  const refused = async (defined: unknown[]): Promise<{ code: number; stderr: string; path: string }> => {
    const { env, path } = withConfig({ token: TOKEN, metrics: defined })
    const { code, stderr } = await runSysboy(['--bind', '127.0.0.1', '--port', '0', '--no-mdns'], env)
    return { code, stderr, path }
  }
  const TEMP = { name: 'rack_temp', url: 'http://127.0.0.1:9', query: 'up', scale: 90 }

  it('is refused at start with exit code 3, naming the field: a built-in name', async () => {
    const { code, stderr, path } = await refused([TEMP, { ...TEMP, name: 'gpu_temp' }])
    expect(code).toBe(3)
    expect(stderr).toBe(
      `sysboy: ${path}: metrics.1.name: 'gpu_temp' is a built-in metric; give the PromQL metric another name (built-in: vram, gpu_util, gpu_temp, cpu, ram, net_rx, net_tx, disk)\n`,
    )
  })

  it('is refused at start with exit code 3, naming the field: a name defined twice', async () => {
    const { code, stderr, path } = await refused([TEMP, { ...TEMP, query: 'max(up)' }])
    expect(code).toBe(3)
    expect(stderr).toBe(`sysboy: ${path}: metrics.1.name: 'rack_temp' is defined already (metrics.0)\n`)
  })

  it('is refused at start with exit code 3, naming the field: no scale', async () => {
    const { scale: _, ...unscaled } = TEMP
    const { code, stderr, path } = await refused([unscaled])
    expect(code).toBe(3)
    expect(stderr).toBe(`sysboy: ${path}: metrics.0: missing field 'scale'\n`)
  })
})
