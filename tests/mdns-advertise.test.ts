import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import pkg from '../package.json' with { type: 'json' }
import { ROOT, RunningSysboy, cleanEnv, sysboyCommand } from './cli-harness.ts'

// A network namespace of the test's own: two ends of a veth pair, the host on 10.77.0.1, the browser on 10.77.0.2.
const NS = `sysboy-mdns-${process.pid}`
const PYTHON = join(ROOT, '.cache', 'venv', 'bin', 'python')

// python-zeroconf, a browser that shares no code with the host, prints what it finds as JSON lines.
const BROWSER = `
import json, sys, time
from zeroconf import IPVersion, ServiceBrowser, Zeroconf
zc = Zeroconf(interfaces=['10.77.0.2'], ip_version=IPVersion.V4Only)
class Listener:
    def add_service(self, zc, type_, name):
        info = zc.get_service_info(type_, name, timeout=3000)
        props = {k.decode(): (v or b'').decode() for k, v in (info.properties if info else {}).items()}
        print(json.dumps({'event': 'add', 'name': name, 'addresses': info.parsed_addresses() if info else [],
                          'port': info.port if info else None, 'txt': props}), flush=True)
    def remove_service(self, zc, type_, name):
        print(json.dumps({'event': 'remove', 'name': name}), flush=True)
    def update_service(self, zc, type_, name):
        pass
ServiceBrowser(zc, '_sysboy._tcp.local.', Listener())
time.sleep(float(sys.argv[1]))
zc.close()
`

const ip = (...args: string[]): void => {
  const result = Bun.spawnSync(['ip', ...args], { stderr: 'pipe' })
  if (result.exitCode !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr.toString().trim()}`)
}

beforeAll(() => {
  if (!existsSync(PYTHON)) throw new Error('python-zeroconf is missing: run sh scripts/setup/host.sh')
  ip('netns', 'add', NS)
  ip('-n', NS, 'link', 'set', 'lo', 'up')
  ip('-n', NS, 'link', 'add', 'sb0', 'type', 'veth', 'peer', 'name', 'sb1')
  ip('-n', NS, 'addr', 'add', '10.77.0.1/24', 'dev', 'sb0')
  ip('-n', NS, 'addr', 'add', '10.77.0.2/24', 'dev', 'sb1')
  ip('-n', NS, 'link', 'set', 'sb0', 'up')
  ip('-n', NS, 'link', 'set', 'sb1', 'up')
})

afterAll(() => {
  Bun.spawnSync(['ip', 'netns', 'del', NS])
})

interface Found {
  event: 'add' | 'remove'
  name: string
  addresses?: string[]
  port?: number
  txt?: Record<string, string>
}

describe('mDNS advertisement', () => {
  it('is found by an independent browser, and withdrawn when the host stops', async () => {
    const events: Found[] = []
    const browser = Bun.spawn(['ip', 'netns', 'exec', NS, PYTHON, '-c', BROWSER, '25'], { stdout: 'pipe', stderr: 'pipe' })
    const reading = (async (): Promise<void> => {
      let rest = ''
      for await (const chunk of browser.stdout) {
        rest += new TextDecoder().decode(chunk)
        const lines = rest.split('\n')
        rest = lines.pop() ?? ''
        for (const line of lines) if (line.trim() !== '') events.push(JSON.parse(line) as Found)
      }
    })()
    const until = async (what: string, found: () => boolean): Promise<void> => {
      const deadline = Date.now() + 15_000
      while (!found()) {
        if (Date.now() > deadline) throw new Error(`browser saw no ${what}; it saw ${JSON.stringify(events)}`)
        await Bun.sleep(100)
      }
    }

    const args = ['--metric', 'ram', '--bind', '10.77.0.1', '--port', '0', '--token', 'mdns-test-token']
    const host = new RunningSysboy(['netns', 'exec', NS, ...sysboyCommand(args)], cleanEnv(), 'ip')
    try {
      const port = await host.port()
      await host.waitFor(/^mDNS: advertising sysboy-[a-z0-9-]+\._sysboy\._tcp\.local on 10\.77\.0\.1$/)
      await until('service', () => events.some((e) => e.event === 'add'))
      const added = events.find((e) => e.event === 'add')
      expect(added?.name).toMatch(/^sysboy-[a-z0-9-]+\._sysboy\._tcp\.local\.$/)
      expect(added?.addresses).toEqual(['10.77.0.1'])
      expect(added?.port).toBe(port)
      expect(added?.txt).toEqual({ version: pkg.version, path: '/ws', proto: '1' })

      expect(await host.stop()).toBe(0)
      await until('goodbye', () => events.some((e) => e.event === 'remove' && e.name === added?.name))
    } finally {
      await host.stop()
      browser.kill()
      await reading
    }
  }, 60_000)

  it('starts advertising, with no --bind, when a LAN address appears after the host started', async () => {
    // A second namespace with no LAN address at all when the host starts, as on a PC whose network is not up yet.
    const late = `${NS}-late`
    ip('netns', 'add', late)
    const host = new RunningSysboy(
      ['netns', 'exec', late, ...sysboyCommand(['--metric', 'ram', '--port', '0', '--token', 'mdns-test-token'])],
      cleanEnv(),
      'ip',
    )
    try {
      ip('-n', late, 'link', 'set', 'lo', 'up')
      await host.waitFor(/^mDNS: waiting for a LAN address$/)
      ip('-n', late, 'link', 'add', 'sb0', 'type', 'veth', 'peer', 'name', 'sb1')
      ip('-n', late, 'addr', 'add', '10.77.1.1/24', 'dev', 'sb0')
      ip('-n', late, 'link', 'set', 'sb0', 'up')
      ip('-n', late, 'link', 'set', 'sb1', 'up')
      await host.waitFor(/^mDNS: advertising sysboy-[a-z0-9-]+\._sysboy\._tcp\.local on 10\.77\.1\.1$/, 20_000)
    } finally {
      expect(await host.stop()).toBe(0)
      Bun.spawnSync(['ip', 'netns', 'del', late])
    }
  }, 60_000)

  it('stays off with --bind 127.0.0.1, where no board could reach it', async () => {
    const host = new RunningSysboy(['--metric', 'ram', '--bind', '127.0.0.1', '--port', '0', '--token', 'mdns-test-token'], cleanEnv())
    try {
      await host.waitFor(/^mDNS: off \(bound to 127\.0\.0\.1, which boards cannot reach\)$/)
    } finally {
      expect(await host.stop()).toBe(0)
    }
  }, 30_000)
})
