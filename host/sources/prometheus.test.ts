// Prometheus source against a real Prometheus server (Debian's package) scraping an exporter served by the test.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { Server, Subprocess } from 'bun'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSource } from './index.ts'
import { createPrometheusSource, queryValue } from './prometheus.ts'

let exporter: Server<undefined>
let prometheus: Subprocess
let url = ''
let dir = ''

const freePort = (): number => {
  const probe = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('') })
  const port = probe.port ?? 0
  probe.stop(true)
  return port
}

const query = async (expression: string): Promise<unknown> => {
  const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expression)}`)
  return ((await response.json()) as { data?: { result?: unknown[] } }).data?.result?.length
}

beforeAll(async () => {
  exporter = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: () => new Response('# TYPE sysboy_test_percent gauge\nsysboy_test_percent 42.5\nsysboy_test_raw 300\nsysboy_test_disk{disk="a"} 1\nsysboy_test_disk{disk="b"} 2\n'),
  })
  dir = mkdtempSync(join(tmpdir(), 'sysboy-prometheus-'))
  const config = join(dir, 'prometheus.yml')
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: sysboy_test\n    static_configs:\n      - targets: ['127.0.0.1:${exporter.port}']\n`,
  )
  const port = freePort()
  url = `http://127.0.0.1:${port}`
  prometheus = Bun.spawn(
    [
      'prometheus',
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdout: 'ignore', stderr: 'ignore' },
  )
  // Ready, then one scrape in: the exporter's series exist.
  for (let tries = 0; tries < 200; tries++) {
    try {
      if ((await query('sysboy_test_percent')) === 1) return
    } catch {
      // Not listening yet.
    }
    await Bun.sleep(100)
  }
  throw new Error('Prometheus did not scrape the test exporter within 20 s')
}, 30_000)

afterAll(async () => {
  prometheus?.kill()
  await prometheus?.exited
  exporter?.stop(true)
  rmSync(dir, { recursive: true, force: true })
})

describe('a query answer', () => {
  const vector = (n: number) => ({
    status: 'success',
    data: { resultType: 'vector', result: Array.from({ length: n }, (_, i) => ({ metric: { i: String(i) }, value: [0, String(i + 1)] })) },
  })

  it('gives the value of exactly one series', () => {
    expect(queryValue(vector(1))).toEqual({ value: 1 })
    expect(queryValue(vector(0))).toEqual({ reason: 'the query gave an empty result' })
    expect(queryValue(vector(3))).toEqual({ reason: 'the query gave 3 series; it must give one: aggregate them (sum, max, avg) or filter by label' })
  })

  it('gives a reason for a refused query and for a value that is not a number', () => {
    expect(queryValue({ status: 'error', errorType: 'bad_data', error: 'parse error' })).toEqual({ reason: 'Prometheus refused the query: bad_data: parse error' })
    expect(queryValue({ status: 'success', data: { resultType: 'scalar', result: [0, 'NaN'] } })).toEqual({ reason: 'the query gave NaN value, not a number' })
  })
})

describe('Prometheus source', () => {
  it('reads a vector query as the percent', async () => {
    const source = createPrometheusSource({ metric: 'vram', url, query: 'sysboy_test_percent' })
    expect(await source.read()).toEqual({ known: true, figure: { percent: 42.5, raw: 42.5 } })
  })

  it('scales a raw figure to percent, and reads scalar results', async () => {
    const vector = createPrometheusSource({ metric: 'cluster_vram', url: `${url}/`, query: 'sysboy_test_raw', scale: 400 })
    expect(await vector.read()).toEqual({ known: true, figure: { percent: 75, raw: 300 } })
    const scalar = createPrometheusSource({ metric: 'cpu', url, query: 'scalar(sysboy_test_raw) / 3' })
    expect(await scalar.read()).toEqual({ known: true, figure: { percent: 100, raw: 100 } })
  })

  it('is unknown with the reason for an empty result or a bad query', async () => {
    const empty = createPrometheusSource({ metric: 'vram', url, query: 'no_such_series_sysboy' })
    expect(await empty.read()).toEqual({ known: false, reason: 'the query gave an empty result' })
    const bad = await createPrometheusSource({ metric: 'vram', url, query: 'sum(' }).read()
    expect(bad.known).toBe(false)
    if (!bad.known) expect(bad.reason).toStartWith('Prometheus refused the query: bad_data: ')
    const range = await createPrometheusSource({ metric: 'vram', url, query: 'sysboy_test_percent[1m]' }).read()
    expect(range).toEqual({ known: false, reason: 'the query gave a matrix result; an instant vector or scalar is needed' })
  })

  it('is unknown, never a guess, when the query gives several series', async () => {
    expect(await createPrometheusSource({ metric: 'disks', url, query: 'sysboy_test_disk', scale: 4 }).read()).toEqual({
      known: false,
      reason: 'the query gave 2 series; it must give one: aggregate them (sum, max, avg) or filter by label',
    })
    expect(await createPrometheusSource({ metric: 'disks', url, query: 'sum(sysboy_test_disk)', scale: 4 }).read()).toEqual({
      known: true,
      figure: { percent: 75, raw: 3 },
    })
  })

  it('opens a named metric by its name, with its scale and unit, and only through Prometheus', async () => {
    const namedMetrics = [
      { name: 'rack_temp', url, query: 'sysboy_test_raw / 5', scale: 80, unit: '°C' },
      { name: 'cluster_bytes', url, query: 'sysboy_test_raw * 1e9', scale: 200e9, unit: 'B' },
    ]
    const open = (metric: string, source?: string) => openSource({ metric, gpu: 'all', environment: {}, namedMetrics, source })
    const temp = open('rack_temp')
    expect(temp.name).toBe('prometheus')
    expect(await temp.read()).toEqual({ known: true, figure: { percent: 75, raw: 60, unit: '°C' } })
    // Clamped to full scale: 300 GB of 200 GB.
    expect(await open('cluster_bytes').read()).toEqual({ known: true, figure: { percent: 100, raw: 300e9, unit: 'B' } })
    expect(() => open('rack_temp', 'procfs')).toThrow('source "procfs" cannot read rack_temp; its PromQL query in the config file reads it')
    expect(() => open('rack_tmp')).toThrow('unknown metric "rack_tmp"')
  })

  it('is unknown when the server is unreachable or too slow', async () => {
    const closed = freePort()
    const unreachable = await createPrometheusSource({ metric: 'vram', url: `http://127.0.0.1:${closed}`, query: 'up' }).read()
    expect(unreachable.known).toBe(false)
    if (!unreachable.known) expect(unreachable.reason).toStartWith(`Prometheus at http://127.0.0.1:${closed} unreachable: `)
    const silent = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: async () => new Promise<Response>(() => {}) })
    try {
      const slow = createPrometheusSource({ metric: 'vram', url: `http://127.0.0.1:${silent.port}`, query: 'up', timeoutMs: 200 })
      expect(await slow.read()).toEqual({
        known: false,
        reason: `Prometheus at http://127.0.0.1:${silent.port} unreachable: no answer within 200 ms`,
      })
    } finally {
      silent.stop(true)
    }
  })

  it('refuses a bad URL, query or scale at once', () => {
    expect(() => createPrometheusSource({ metric: 'vram', url: 'localhost:9090', query: 'up' })).toThrow(
      'Prometheus URL "localhost:9090" must start with http:// or https://',
    )
    expect(() => createPrometheusSource({ metric: 'vram', url, query: ' ' })).toThrow('the Prometheus query is empty')
    expect(() => createPrometheusSource({ metric: 'vram', url, query: 'up', scale: 0 })).toThrow(
      'the Prometheus scale must be a positive number, not 0',
    )
  })
})
