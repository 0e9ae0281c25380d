import { describe, expect, it } from 'bun:test'
import pkg from '../package.json' with { type: 'json' }
import { cleanEnv, runSysboy } from './cli-harness.ts'

describe('sysboy command line', () => {
  it('prints help with the commands, flags, environment and exit codes', async () => {
    const { code, stdout } = await runSysboy(['--help'], cleanEnv())
    expect(code).toBe(0)
    for (const text of ['sysboy doctor', 'sysboy devices', 'sysboy install-service', '--metric NAME', '--bind ADDR', 'SYSBOY_TOKEN', '4 port in use']) {
      expect(stdout).toContain(text)
    }
  })

  it('prints the version from package.json when run from source', async () => {
    const { code, stdout } = await runSysboy(['--version'], cleanEnv())
    expect(code).toBe(0)
    expect(stdout).toBe(`${pkg.version}\n`)
  })

  it('refuses an unknown flag with exit code 2 and one line', async () => {
    const { code, stdout, stderr } = await runSysboy(['--metrik', 'vram'], cleanEnv())
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toBe('sysboy: unknown flag --metrik; see sysboy --help\n')
  })

  it('refuses a flag the subcommand does not take with exit code 2 and one line', async () => {
    const { code, stdout, stderr } = await runSysboy(['devices', '--require'], cleanEnv())
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toBe('sysboy: devices takes no --require (its flags: --port, --bind, --token, --config); see sysboy --help\n')
  })

  it('refuses an unknown metric with exit code 2, listing the valid ones', async () => {
    const { code, stderr } = await runSysboy(['--metric', 'vrma', '--no-mdns'], cleanEnv())
    expect(code).toBe(2)
    expect(stderr).toBe(
      "sysboy: unknown metric 'vrma'; valid metrics: vram, gpu_util, gpu_temp, cpu, ram, net_rx, net_tx, disk (or any name with --prometheus URL --query PROMQL)\n",
    )
  })

  it('refuses a bad flag value naming the flag', async () => {
    const { code, stderr } = await runSysboy(['--interval', 'often'], cleanEnv())
    expect(code).toBe(2)
    expect(stderr).toStartWith("sysboy: --interval: must be milliseconds, a whole number from 50 to 60000; got 'often'")
  })
})
