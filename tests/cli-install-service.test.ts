import { describe, expect, it } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { cleanEnv, runSysboy, sysboyCommand } from './cli-harness.ts'

// The unit starts sysboy the way this test ran it: the built executable, or Bun with the source entry point.
const launcher = sysboyCommand([]).join(' ')

// These tests run on Linux, so install-service makes a systemd user unit; the other platforms' files are unit-tested.
describe('sysboy install-service', () => {
  it('prints the unit for this platform with the flags given, and the next step', async () => {
    const { code, stdout, stderr } = await runSysboy(['install-service', '--print', '--metric', 'cpu', '--bind', '0.0.0.0'], cleanEnv())
    expect(code).toBe(0)
    expect(stdout).toContain(`\nExecStart=${launcher} --metric cpu --bind 0.0.0.0\n`)
    expect(stdout).toContain('[Install]\nWantedBy=default.target')
    expect(stderr).toEndWith('then run: systemctl --user daemon-reload && systemctl --user enable --now sysboy\n')
  })

  it('writes the unit under the user config home and says what to run next', async () => {
    const env = cleanEnv()
    const { code, stdout } = await runSysboy(['install-service', '--metric', 'ram'], env)
    const path = join(env.XDG_CONFIG_HOME as string, 'systemd', 'user', 'sysboy.service')
    expect(code).toBe(0)
    expect(stdout).toBe(
      `wrote the systemd user unit to ${path}\nnext: systemctl --user daemon-reload && systemctl --user enable --now sysboy\n`,
    )
    expect(readFileSync(path, 'utf8')).toContain(`ExecStart=${launcher} --metric ram\n`)
  })

  it('says so with exit code 7 when the unit cannot be written', async () => {
    const env = cleanEnv()
    const { code, stderr } = await runSysboy(['install-service'], { ...env, XDG_CONFIG_HOME: '/proc/sysboy-cannot-write' })
    expect(code).toBe(7)
    expect(stderr).toStartWith('sysboy: cannot write /proc/sysboy-cannot-write/systemd/user/sysboy.service: ')
    expect(stderr).toEndWith('; use --print and save it yourself\n')
  })
})
