import { describe, expect, it } from 'bun:test'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from './file.ts'
import { resolveSettings } from './resolve.ts'

const home = (): string => mkdtempSync(join(tmpdir(), 'sysboy-config-'))

const withFile = (config: unknown): { dir: string; path: string } => {
  const dir = home()
  const path = join(dir, 'sysboy', 'config.json')
  mkdirSync(join(dir, 'sysboy'))
  writeFileSync(path, JSON.stringify(config))
  return { dir, path }
}

describe('resolveSettings', () => {
  it('uses the defaults when nothing is set', () => {
    const s = resolveSettings({ flags: {}, configFlag: undefined, env: { XDG_CONFIG_HOME: home() }, platform: 'linux' })
    expect(s).toMatchObject({ metric: 'vram', port: 8377, bind: '0.0.0.0', intervalMs: 1000, gpu: 'all', mdns: true })
    expect(s.token).toBeUndefined()
  })

  it('reads the default config file under XDG_CONFIG_HOME', () => {
    const { dir, path } = withFile({ port: 9001, metric: 'cpu' })
    const s = resolveSettings({ flags: {}, configFlag: undefined, env: { XDG_CONFIG_HOME: dir }, platform: 'linux' })
    expect(s.port).toBe(9001)
    expect(s.metric).toBe('cpu')
    expect(s.configPath).toBe(path)
  })

  it('lets the environment beat the file and flags beat both', () => {
    const { dir } = withFile({ port: 9001, bind: '0.0.0.0', interval: 2000, metric: 'cpu' })
    const env = { XDG_CONFIG_HOME: dir, SYSBOY_PORT: '9002', SYSBOY_BIND: '127.0.0.2' }
    const s = resolveSettings({ flags: { port: 9003 }, configFlag: undefined, env, platform: 'linux' })
    expect(s.port).toBe(9003)
    expect(s.bind).toBe('127.0.0.2')
    expect(s.intervalMs).toBe(2000)
    expect(s.metric).toBe('cpu')
  })

  it('takes screen layouts from the file only, none when it gives none', () => {
    const screens = [{ output: 'oled', scenes: [{ scene: 'metric', metrics: ['vram'] }] }]
    const { dir } = withFile({ screens })
    expect(resolveSettings({ flags: {}, configFlag: undefined, env: { XDG_CONFIG_HOME: dir }, platform: 'linux' }).screens).toEqual(screens)
    expect(resolveSettings({ flags: {}, configFlag: undefined, env: { XDG_CONFIG_HOME: home() }, platform: 'linux' }).screens).toEqual([])
  })

  it('refuses two layouts for one screen output id, naming the second', () => {
    const oled = { output: 'oled', scenes: [{ scene: 'metric', metrics: ['vram'] }] }
    const { dir, path } = withFile({ screens: [oled, { ...oled, output: 'tft' }, oled] })
    expect(() => resolveSettings({ flags: {}, configFlag: undefined, env: { XDG_CONFIG_HOME: dir }, platform: 'linux' })).toThrow(
      new ConfigError(`${path}: screens.2.output: 'oled' has a layout already (screens.0)`),
    )
  })

  it('takes streams from the file only, none when it gives none', () => {
    const streams = [{ output: 'tft', source: 'scene' as const, scene: 'hub', metrics: ['vram', 'cpu'], fps: 10 }]
    const { dir } = withFile({ streams, screens: [{ output: 'tft', scenes: [{ scene: 'stream', metrics: [] }, { scene: 'metric', metrics: ['cpu'] }] }] })
    expect(resolveSettings({ flags: {}, configFlag: undefined, env: { XDG_CONFIG_HOME: dir }, platform: 'linux' }).streams).toEqual(streams)
    expect(resolveSettings({ flags: {}, configFlag: undefined, env: { XDG_CONFIG_HOME: home() }, platform: 'linux' }).streams).toEqual([])
  })

  it('refuses at start, naming the field, a stream wrong for every device', () => {
    const region = { output: 'tft', source: 'region', region: { x: 0, y: 0 } }
    const refusals: [object, string][] = [
      [{ streams: [region, { ...region, output: 'side' }, { ...region, fps: 5 }] }, "streams.2.output: 'tft' is streamed to already (streams.0)"],
      [{ streams: [{ output: 'tft', source: 'region' }] }, "streams.0.region: a region stream needs region {x, y}: the top left corner on the PC's screen; its size is the tft's"],
      [{ streams: [{ output: 'tft', source: 'scene', scene: 'clock' }] }, "streams.0.scene: unknown scene 'clock'; a scene stream draws one of hub, metric, network"],
      [{ streams: [{ output: 'tft', source: 'scene', scene: 'network', metrics: ['net_rx'] }] }, 'streams.0.metrics: the network scene shows exactly 2 metrics, not 1'],
      [
        { streams: [region], screens: [{ output: 'tft', scenes: [{ scene: 'hub', metrics: ['cpu'] }] }] },
        `streams.0.output: the layout for 'tft' (screens.0) does not show the stream; add {"scene": "stream", "metrics": []} to screens.0.scenes, or drop the layout`,
      ],
      [{ screens: [{ output: 'tft', scenes: [{ scene: 'hub', metrics: ['cpu'] }, { scene: 'stream', metrics: [] }] }] }, "screens.0.scenes.1.scene: 'tft' shows the stream, but streams names no stream to it"],
    ]
    for (const [config, reason] of refusals) {
      const { dir, path } = withFile(config)
      expect(() => resolveSettings({ flags: {}, configFlag: undefined, env: { XDG_CONFIG_HOME: dir }, platform: 'linux' })).toThrow(new ConfigError(`${path}: ${reason}`))
    }
  })

  it('refuses a config file named by --config that does not exist', () => {
    expect(() =>
      resolveSettings({ flags: {}, configFlag: '/nonexistent/sysboy.json', env: {}, platform: 'linux' }),
    ).toThrow('/nonexistent/sysboy.json: cannot read the config file: no such file')
  })

  it('names the variable when an environment value is bad', () => {
    expect(() =>
      resolveSettings({ flags: {}, configFlag: undefined, env: { XDG_CONFIG_HOME: home(), SYSBOY_PORT: 'eighty' }, platform: 'linux' }),
    ).toThrow(new ConfigError("environment: SYSBOY_PORT: must be a TCP port, a whole number from 0 to 65535; got 'eighty'"))
  })

  it('wants a Prometheus URL and query together', () => {
    expect(() =>
      resolveSettings({ flags: { prometheus: 'http://localhost:9090' }, configFlag: undefined, env: { XDG_CONFIG_HOME: home() } }),
    ).toThrow('without a query: add --query PROMQL')
  })

  it('puts the default file under APPDATA on Windows', () => {
    const s = resolveSettings({ flags: {}, configFlag: undefined, env: { APPDATA: home() }, platform: 'win32' })
    expect(s.configPath.endsWith(join('sysboy', 'config.json'))).toBe(true)
  })
})
