import { afterEach, describe, expect, it } from 'bun:test'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUILT, MAIN, ROOT, RunningSysboy, cleanEnv, freePort, runSysboy } from './cli-harness.ts'

const running: RunningSysboy[] = []
afterEach(async () => {
  for (const host of running.splice(0)) await host.stop()
})

const writeConfig = (env: Record<string, string>, config: unknown): string => {
  const dir = join(env.XDG_CONFIG_HOME as string, 'sysboy')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, 'config.json')
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config))
  return path
}

const start = (args: string[], env: Record<string, string>, cwd?: string, executable?: string): RunningSysboy => {
  const host = new RunningSysboy(args, env, executable, cwd)
  running.push(host)
  return host
}

describe('sysboy settings', () => {
  it('refuses a bad config file with exit code 3: file, field and reason in one line', async () => {
    const env = cleanEnv()
    const path = writeConfig(env, { port: 'eighty', metric: 'cpu' })
    const { code, stderr } = await runSysboy(['--no-mdns'], env)
    expect(code).toBe(3)
    expect(stderr).toBe(`sysboy: ${path}: port: must be integer (TCP port; 0 picks a free one.)\n`)
  })

  it('refuses an unknown field in a file named by --config', async () => {
    const env = cleanEnv()
    const path = join(env.HOME as string, 'elsewhere.json')
    writeFileSync(path, JSON.stringify({ intervall: 500 }))
    const { code, stderr } = await runSysboy(['--config', path], env)
    expect(code).toBe(3)
    expect(stderr).toStartWith(`sysboy: ${path}: intervall: unknown field (known: metric, port,`)
  })

  it('refuses a bad environment variable naming it', async () => {
    const { code, stderr } = await runSysboy(['--no-mdns'], cleanEnv({ SYSBOY_BIND: 'everywhere' }))
    expect(code).toBe(3)
    expect(stderr).toStartWith("sysboy: environment: SYSBOY_BIND: must be an IP address such as 127.0.0.1, or 0.0.0.0 for the LAN; got 'everywhere'")
  })

  it('takes flags over the environment over the file over the defaults', async () => {
    const [filePort, envPort, flagPort] = [await freePort(), await freePort(), await freePort()]
    const env = cleanEnv({ SYSBOY_PORT: String(envPort), SYSBOY_INTERVAL: '900' })
    writeConfig(env, { port: filePort, interval: 700, metric: 'cpu', token: 'token-from-file', bind: '127.0.0.1' })

    const flagged = start(['--no-mdns', '--port', String(flagPort)], env)
    expect(await flagged.port()).toBe(flagPort) // flag beats env and file
    await flagged.waitFor(/^sysboy [^:]+: serving cpu every 900 ms$/) // env beats file; metric from the file
    await flagged.waitFor(/^pairing token: token-from-file$/)
    await flagged.waitFor(/\(bind 127\.0\.0\.1: this PC only;/) // the file's bind beats the default (0.0.0.0, tested in a namespace)
    await flagged.stop()

    const fromEnv = start(['--no-mdns'], env)
    expect(await fromEnv.port()).toBe(envPort) // env beats file
    await fromEnv.stop()

    const fromFile = start(['--no-mdns'], { ...env, SYSBOY_PORT: '', SYSBOY_INTERVAL: '' })
    expect(await fromFile.port()).toBe(filePort)
    await fromFile.waitFor(/serving cpu every 700 ms$/)
  }, 30_000)

  it('reads neither a .env nor a bunfig.toml from the directory it is run in', async () => {
    // Bun's executables read both by default: the .env would set SYSBOY_* (here a slower interval), and the bunfig's
    // preload would run its code inside the host.
    const here = mkdtempSync(join(tmpdir(), 'sysboy-cwd-'))
    try {
      const marker = join(here, 'preload-ran')
      writeFileSync(join(here, '.env'), 'SYSBOY_INTERVAL=1234\n')
      writeFileSync(join(here, 'bunfig.toml'), 'preload = ["./preload.js"]\n')
      writeFileSync(join(here, 'preload.js'), `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran')\n`)
      const args = ['--metric', 'cpu', '--bind', '127.0.0.1', '--port', '0', '--no-mdns', '--token', 'cwd-test-token']
      // From source (a test run by hand), Bun itself is told what the build tells the executable.
      const host = BUILT !== undefined
        ? start(args, cleanEnv(), here)
        : start(['--no-env-file', `--config=${join(ROOT, 'bunfig.toml')}`, MAIN, ...args], cleanEnv(), here, process.execPath)
      const [, interval] = await host.waitFor(/^sysboy [^:]+: serving cpu every (\d+) ms$/)
      expect(interval).toBe('1000')
      expect(existsSync(marker)).toBe(false)
      await host.stop()
    } finally {
      rmSync(here, { recursive: true, force: true })
    }
  }, 30_000)

  it('generates a pairing token on first run, stores it with mode 0600 and reuses it', async () => {
    const env = cleanEnv()
    const first = start(['--metric', 'cpu', '--bind', '127.0.0.1', '--port', '0', '--no-mdns'], env)
    const [, token, path] = await first.waitFor(/^pairing token: ([A-Za-z0-9_-]{32}) \(new, stored in (.+)\)$/)
    await first.stop()
    expect(path).toBe(join(env.XDG_CONFIG_HOME as string, 'sysboy', 'config.json'))
    expect(statSync(path as string).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(path as string, 'utf8'))).toEqual({ token })

    const second = start(['--metric', 'cpu', '--bind', '127.0.0.1', '--port', '0', '--no-mdns'], env)
    await second.waitFor(new RegExp(`^pairing token: ${token}$`))
    const third = start(['--metric', 'cpu', '--bind', '127.0.0.1', '--port', '0', '--no-mdns', '--token', 'from-the-flag'], env)
    await third.waitFor(/^pairing token: from-the-flag$/)
  }, 30_000)
})
