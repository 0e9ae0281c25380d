import { describe, expect, it } from 'bun:test'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, configProblem } from './file.ts'
import { namedMetricsOf } from './named-metrics.ts'
import { resolveSettings } from './resolve.ts'

const CLUSTER = { name: 'cluster_vram', url: 'http://prom:9090', query: 'sum(DCGM_FI_DEV_FB_USED)', scale: 640e9, unit: 'B' }
const TEMP = { name: 'rack_temp', url: 'https://prom.lan/', query: 'max(node_hwmon_temp_celsius)', scale: 90 }

const settingsWith = (config: unknown, flags: Parameters<typeof resolveSettings>[0]['flags'] = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'sysboy-named-'))
  mkdirSync(join(dir, 'sysboy'))
  const path = join(dir, 'sysboy', 'config.json')
  writeFileSync(path, JSON.stringify(config))
  return { path, resolve: () => resolveSettings({ flags, configFlag: undefined, env: { XDG_CONFIG_HOME: dir }, platform: 'linux' }) }
}

describe('named metrics in the config file', () => {
  it('are read into the settings in order, the unit only where given', () => {
    const { resolve } = settingsWith({ metrics: [CLUSTER, TEMP] })
    expect(resolve().namedMetrics).toEqual([CLUSTER, TEMP])
  })

  it('are none when the file defines none', () => {
    expect(settingsWith({}).resolve().namedMetrics).toEqual([])
  })

  it('may be the main metric, read by its own query', () => {
    const { resolve } = settingsWith({ metric: 'rack_temp', metrics: [TEMP] })
    expect(resolve()).toMatchObject({ metric: 'rack_temp', prometheus: undefined, namedMetrics: [TEMP] })
  })

  it('are refused naming the field: a missing scale, a bad name, URL, scale or unit, an unknown field, too many', () => {
    const { scale: _, ...unscaled } = CLUSTER
    expect(configProblem({ metrics: [unscaled] })).toBe("metrics.0: missing field 'scale'")
    expect(configProblem({ metrics: [TEMP, { ...CLUSTER, name: 'Cluster VRAM' }] })).toStartWith('metrics.1.name: must match pattern')
    expect(configProblem({ metrics: [{ ...CLUSTER, url: 'prom:9090' }] })).toStartWith('metrics.0.url: must match pattern "^https?://"')
    expect(configProblem({ metrics: [{ ...CLUSTER, scale: 0 }] })).toStartWith('metrics.0.scale: must be > 0')
    expect(configProblem({ metrics: [{ ...CLUSTER, unit: 'bytes per second!!' }] })).toStartWith('metrics.0.unit: must not have more than 16 characters')
    expect(configProblem({ metrics: [{ ...CLUSTER, units: 'B' }] })).toBe('metrics.0.units: unknown field (known: name, url, query, scale, unit)')
    const seventeen = Array.from({ length: 17 }, (_, i) => ({ ...TEMP, name: `rack_${i}` }))
    expect(configProblem({ metrics: seventeen })).toStartWith('metrics: must not have more than 16 items')
  })

  it('refuses a built-in name, naming the field and the built-in names', () => {
    expect(() => namedMetricsOf([TEMP, { ...CLUSTER, name: 'cpu' }], 'c.json')).toThrow(
      new ConfigError("c.json: metrics.1.name: 'cpu' is a built-in metric; give the PromQL metric another name (built-in: vram, gpu_util, gpu_temp, cpu, ram, net_rx, net_tx, disk)"),
    )
  })

  it('refuses a name defined twice, naming both places', () => {
    expect(() => namedMetricsOf([TEMP, CLUSTER, { ...CLUSTER, query: 'up' }], 'c.json')).toThrow(
      "c.json: metrics.2.name: 'cluster_vram' is defined already (metrics.1)",
    )
  })

  it('refuses a URL that does not parse and a blank query', () => {
    expect(() => namedMetricsOf([{ ...TEMP, url: 'http://' }], 'c.json')).toThrow("c.json: metrics.0.url: 'http://' is not a URL")
    expect(() => namedMetricsOf([{ ...TEMP, query: '  ' }], 'c.json')).toThrow('c.json: metrics.0.query: the PromQL query is blank')
  })

  it('refuses, at resolution, a named metric that the prometheus setting also reads as the main metric', () => {
    const { path, resolve } = settingsWith(
      { metrics: [TEMP] },
      { metric: 'rack_temp', prometheus: 'http://other:9090', query: 'up' },
    )
    expect(resolve).toThrow(
      `${path}: metrics.0.name: 'rack_temp' is also the main metric, which the prometheus setting (--prometheus/--query) reads; drop one`,
    )
  })

  it('leaves the single prometheus setting feeding the main metric beside them', () => {
    const { resolve } = settingsWith({ metric: 'vram', prometheus: { url: 'http://p:9090', query: 'x' }, metrics: [TEMP] })
    expect(resolve()).toMatchObject({ metric: 'vram', prometheus: { url: 'http://p:9090', query: 'x' }, namedMetrics: [TEMP] })
  })
})
