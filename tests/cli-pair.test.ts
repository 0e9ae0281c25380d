// `sysboy pair`, `sysboy revoke` and `sysboy open` against the built host.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RunningSysboy, cleanEnv, freePort, runSysboy } from './cli-harness.ts'
import { DeviceClient } from './device-client.ts'

const TOKEN = 'cli-pair-test-token'
let host: RunningSysboy
let env: Record<string, string>
let port: number
let ws: string

beforeAll(async () => {
  env = cleanEnv()
  host = new RunningSysboy(['--metric', 'ram', '--bind', '127.0.0.1', '--port', '0', '--no-mdns', '--token', TOKEN], env)
  port = await host.port()
  ws = `ws://127.0.0.1:${port}/ws`
})
afterAll(async () => {
  await host.stop()
})

const sysboy = (...args: string[]) => runSysboy([...args, '--port', String(port)], { ...env, SYSBOY_TOKEN: TOKEN })

describe('sysboy pair and revoke', () => {
  it('lists boards asking to pair, approves one (it is paired and welcomed), and revokes it (it is closed)', async () => {
    expect(await sysboy('pair')).toEqual({ code: 0, stdout: `no boards are waiting to pair with http://127.0.0.1:${port}\n`, stderr: '' })
    const board = await DeviceClient.asking(ws, { device: 'cli-board-1', firmware: '0.3.0' })
    const listed = await sysboy('pair')
    expect(listed.code).toBe(0)
    const [heading, row, hint] = listed.stdout.trimEnd().split('\n')
    expect(heading).toMatch(/^device +chip +firmware +address +waiting since$/)
    expect(row).toMatch(/^cli-board-1 +sim +0\.3\.0 +127\.0\.0\.1 +\d{4}-\d\d-\d\dT/)
    expect(hint).toContain('sysboy pair <device>')

    const approved = await sysboy('pair', 'cli-board-1')
    expect(approved).toMatchObject({ code: 0, stderr: '' })
    expect(approved.stdout).toStartWith('cli-board-1: paired')
    const credential = await board.credential()
    await board.next((m) => m.type === 'welcome')
    board.close()
    const back = await DeviceClient.paired(ws, { device: 'cli-board-1', token: credential })

    // Another board asking under the paired id is not approved over its credential: revoke first.
    const second = await DeviceClient.asking(ws, { device: 'cli-board-1' })
    const conflict = await sysboy('pair', 'cli-board-1')
    expect(conflict).toEqual({
      code: 2,
      stdout: '',
      stderr: "sysboy: board 'cli-board-1' already holds its own credential; revoke it first (sysboy revoke cli-board-1, or DELETE /api/credentials/cli-board-1) to pair it again\n",
    })
    second.close()

    const revoked = await sysboy('revoke', 'cli-board-1')
    expect(revoked).toMatchObject({ code: 0, stderr: '' })
    expect(revoked.stdout).toStartWith('cli-board-1: credential revoked')
    expect((await back.closed).code).toBe(1008)

    const again = await sysboy('revoke', 'cli-board-1')
    expect(again.code).toBe(2)
    expect(again.stderr).toBe("sysboy: board 'cli-board-1' has no credential; see GET /api/credentials\n")
  }, 30_000)

  it('refuses a board with --deny, and says so for a board that is not waiting', async () => {
    const board = await DeviceClient.asking(ws, { device: 'cli-board-2' })
    const denied = await sysboy('pair', '--deny', 'cli-board-2')
    expect(denied).toEqual({ code: 0, stdout: 'cli-board-2: refused; it is not paired\n', stderr: '' })
    expect((await board.closed).code).toBe(1008)
    const nobody = await sysboy('pair', 'cli-board-2')
    expect(nobody.code).toBe(2)
    expect(nobody.stderr).toBe("sysboy: no board 'cli-board-2' is waiting to pair; see GET /api/pairing\n")
    expect((await sysboy('pair', '--deny')).stderr).toBe('sysboy: pair --deny needs the device to refuse: sysboy pair --deny <device>\n')
    expect((await sysboy('revoke')).code).toBe(2)
  }, 30_000)

  it('fails as sysboy devices does: no host (6), wrong token (6)', async () => {
    const none = await runSysboy(['pair', '--port', String(await freePort()), '--token', TOKEN], cleanEnv())
    expect(none.code).toBe(6)
    expect(none.stderr).toStartWith('sysboy: no sysboy host answers at http://127.0.0.1:')
    const wrong = await runSysboy(['revoke', 'x', '--port', String(port), '--token', 'wrong-token-1'], cleanEnv())
    expect(wrong).toMatchObject({ code: 6, stderr: `sysboy: the host at http://127.0.0.1:${port} refused the pairing token; pass the token it printed at start with --token\n` })
  }, 30_000)
})

describe('sysboy open', () => {
  it('opens the dashboard with the token through $BROWSER and prints the URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sysboy-browser-'))
    const opened = join(dir, 'opened.txt')
    const browser = join(dir, 'browser.sh')
    writeFileSync(browser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`)
    chmodSync(browser, 0o755)
    const url = `http://localhost:${port}/#token=${TOKEN}`
    const result = await runSysboy(['open', '--port', String(port)], { ...env, SYSBOY_TOKEN: TOKEN, BROWSER: browser })
    expect(result).toEqual({ code: 0, stdout: `dashboard: ${url}\n`, stderr: '' })
    expect(existsSync(opened)).toBe(true)
    expect(readFileSync(opened, 'utf8')).toBe(url)
  }, 30_000)

  it('says so, with the URL printed, when the browser fails (8)', async () => {
    const result = await runSysboy(['open', '--port', String(port)], { ...env, SYSBOY_TOKEN: TOKEN, BROWSER: '/bin/false' })
    expect(result.code).toBe(8)
    expect(result.stdout).toContain(`#token=${TOKEN}`)
    expect(result.stderr).toBe('sysboy: /bin/false exited with code 1; open the URL above yourself, or set $BROWSER\n')
  }, 30_000)
})
