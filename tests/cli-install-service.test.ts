import { describe, expect, it } from 'bun:test'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
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

  it('refuses a bad port as sysboy itself does: exit 2, one line, nothing written', async () => {
    const env = cleanEnv()
    const home = env.HOME as string
    writeFileSync(join(home, 'my.json'), '{"metric": "cpu"}\n')
    const args = ['install-service', '--port', 'banana', '--config', './my.json', '--token', 'secret-token-123']
    const { code, stdout, stderr } = await runSysboy(args, env, undefined, home)
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toBe("sysboy: --port: must be a TCP port, a whole number from 0 to 65535; got 'banana'\n")
    expect(existsSync(join(env.XDG_CONFIG_HOME as string, 'systemd'))).toBe(false)
    expect(readFileSync(join(home, 'my.json'), 'utf8')).toBe('{"metric": "cpu"}\n')
  })

  it('refuses an unknown metric and a missing named config file as sysboy does', async () => {
    const env = cleanEnv()
    const metric = await runSysboy(['install-service', '--metric', 'vrma'], env)
    expect(metric.code).toBe(2)
    expect(metric.stderr).toStartWith("sysboy: unknown metric 'vrma'; valid metrics: ")
    const config = await runSysboy(['install-service', '--config', './none.json'], env, undefined, env.HOME)
    expect(config.code).toBe(3)
    expect(config.stderr).toStartWith('sysboy: ./none.json: cannot read the config file: no such file')
    expect(existsSync(join(env.XDG_CONFIG_HOME as string, 'systemd'))).toBe(false)
  })

  it('keeps the token out of the unit, stores it in the config file (0600) and names that file by its absolute path', async () => {
    const env = cleanEnv()
    const home = env.HOME as string
    const config = join(home, 'my.json')
    writeFileSync(config, '{"metric": "cpu"}\n', { mode: 0o644 })
    const args = ['install-service', '--port', '9000', '--config', './my.json', '--nvml-lib', 'lib/libnvidia-ml.so.1', '--token', 'secret-token-123']
    const { code, stdout } = await runSysboy(args, env, undefined, home)
    const unitPath = join(env.XDG_CONFIG_HOME as string, 'systemd', 'user', 'sysboy.service')
    expect(code).toBe(0)
    expect(stdout).toStartWith(`stored the pairing token in ${config} (mode 0600); the systemd user unit does not hold it\nwrote the systemd user unit to ${unitPath}\n`)
    const unit = readFileSync(unitPath, 'utf8')
    expect(unit).not.toContain('secret-token-123')
    expect(unit).not.toContain('network-online')
    expect(unit).toContain(`\nExecStart=${launcher} --port 9000 --nvml-lib ${join(home, 'lib', 'libnvidia-ml.so.1')} --config ${config}\n`)
    expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({ metric: 'cpu', token: 'secret-token-123' })
    expect(statSync(config).mode & 0o777).toBe(0o600)
  })

  it('says so with exit code 7 when the unit cannot be written', async () => {
    const env = cleanEnv()
    const { code, stderr } = await runSysboy(['install-service'], { ...env, XDG_CONFIG_HOME: '/proc/sysboy-cannot-write' })
    expect(code).toBe(7)
    expect(stderr).toStartWith('sysboy: cannot write /proc/sysboy-cannot-write/systemd/user/sysboy.service: ')
    expect(stderr).toEndWith('; use --print and save it yourself\n')
  })
})
