// python-zeroconf, a browser that shares no code with the host, browsing `_sysboy._tcp` from inside a test's namespace.
import type { Subprocess } from 'bun'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const PYTHON = join(import.meta.dir, '..', '..', '.cache', 'venv', 'bin', 'python')

// Prints each service added, updated or removed as a JSON line, with the IPv4 addresses its answer named.
const SCRIPT = `
import json, sys, time
from zeroconf import IPVersion, ServiceBrowser, Zeroconf
zc = Zeroconf(interfaces=[sys.argv[1]], ip_version=IPVersion.V4Only)
def report(event, type_, name):
    info = zc.get_service_info(type_, name, timeout=3000)
    props = {k.decode(): (v or b'').decode() for k, v in (info.properties if info else {}).items()}
    print(json.dumps({'event': event, 'name': name, 'addresses': info.parsed_addresses(IPVersion.V4Only) if info else [],
                      'port': info.port if info else None, 'txt': props}), flush=True)
class Listener:
    def add_service(self, zc, type_, name):
        report('add', type_, name)
    def update_service(self, zc, type_, name):
        report('update', type_, name)
    def remove_service(self, zc, type_, name):
        print(json.dumps({'event': 'remove', 'name': name}), flush=True)
ServiceBrowser(zc, '_sysboy._tcp.local.', Listener())
time.sleep(float(sys.argv[2]))
zc.close()
`

/** One line the browser printed. */
export interface Found {
  event: 'add' | 'update' | 'remove'
  name: string
  addresses?: string[]
  port?: number
  txt?: Record<string, string>
}

export class MdnsBrowser {
  readonly events: Found[] = []
  readonly #process: Subprocess<'ignore', 'pipe', 'pipe'>
  readonly #reading: Promise<void>

  /** Browses from `address` (an address of `namespace`) for `seconds`. */
  constructor(namespace: string, address: string, seconds: number) {
    if (!existsSync(PYTHON)) throw new Error('python-zeroconf is missing: run sh scripts/setup/host.sh')
    const browser = Bun.spawn(['ip', 'netns', 'exec', namespace, PYTHON, '-c', SCRIPT, address, String(seconds)], {
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    })
    this.#process = browser
    this.#reading = (async (): Promise<void> => {
      let rest = ''
      for await (const chunk of browser.stdout) {
        rest += new TextDecoder().decode(chunk)
        const lines = rest.split('\n')
        rest = lines.pop() ?? ''
        for (const line of lines) if (line.trim() !== '') this.events.push(JSON.parse(line) as Found)
      }
    })()
  }

  /** The first event that passes `test`, polled until `timeoutMs`; fails with everything seen. */
  async waitFor(what: string, test: (found: Found) => boolean, timeoutMs = 15_000): Promise<Found> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.events.find(test)
      if (found !== undefined) return found
      if (Date.now() > deadline || this.#process.exitCode !== null) {
        throw new Error(`browser saw no ${what}; it saw ${JSON.stringify(this.events)}`)
      }
      await Bun.sleep(100)
    }
  }

  async stop(): Promise<void> {
    this.#process.kill()
    await this.#reading
  }
}
