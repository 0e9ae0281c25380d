import { describe, expect, it } from 'bun:test'
import { RunningSysboy, cleanEnv, freePort, runSysboy } from './cli-harness.ts'
import { DeviceClient } from './device-client.ts'

const TOKEN = 'devices-test-token'

describe('sysboy devices', () => {
  it('lists the devices connected to a running host', async () => {
    const env = cleanEnv()
    const host = new RunningSysboy(['--metric', 'ram', '--bind', '127.0.0.1', '--port', '0', '--no-mdns', '--token', TOKEN], env)
    const port = await host.port()
    let board: DeviceClient | undefined
    try {
      const empty = await runSysboy(['devices', '--port', String(port), '--token', TOKEN], env)
      expect(empty).toEqual({ code: 0, stdout: `no devices connected to http://127.0.0.1:${port}\n`, stderr: '' })

      board = await DeviceClient.paired(`ws://127.0.0.1:${port}/ws`, { device: 'desk-meter-1', token: TOKEN, firmware: '0.1.0-test' })

      const { code, stdout } = await runSysboy(['devices', '--port', String(port)], { ...env, SYSBOY_TOKEN: TOKEN })
      expect(code).toBe(0)
      const [heading, row] = stdout.trimEnd().split('\n')
      expect(heading).toMatch(/^device +chip +firmware +address +outputs +connected since$/)
      expect(row).toMatch(/^desk-meter-1 +sim +0\.1\.0-test +127\.0\.0\.1 +meter=ram +\d{4}-\d\d-\d\dT/)
    } finally {
      board?.close()
      await host.stop()
    }
  }, 30_000)

  it('says so when no host runs there (exit code 6)', async () => {
    const port = await freePort()
    const { code, stderr } = await runSysboy(['devices', '--port', String(port), '--token', TOKEN], cleanEnv())
    expect(code).toBe(6)
    expect(stderr).toStartWith(`sysboy: no sysboy host answers at http://127.0.0.1:${port} (`)
    expect(stderr).toEndWith("start it with 'sysboy', or pass the --port and --bind it uses\n")
  })

  it('says so when the host refuses the token (exit code 6)', async () => {
    const host = new RunningSysboy(['--metric', 'ram', '--bind', '127.0.0.1', '--port', '0', '--no-mdns', '--token', TOKEN], cleanEnv())
    try {
      const port = await host.port()
      const { code, stderr } = await runSysboy(['devices', '--port', String(port), '--token', 'wrong-token-1'], cleanEnv())
      expect(code).toBe(6)
      expect(stderr).toBe(`sysboy: the host at http://127.0.0.1:${port} refused the pairing token; pass the token it printed at start with --token\n`)
    } finally {
      await host.stop()
    }
  }, 30_000)
})
