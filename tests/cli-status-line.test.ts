import { describe, expect, it } from 'bun:test'
import { cleanEnv, sysboyCommand } from './cli-harness.ts'

const shellQuote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`

describe('sysboy status line', () => {
  it('rewrites one line in place on a terminal', async () => {
    // util-linux `script` gives the host a pseudo-terminal as stdout, as a user's shell would.
    const command = sysboyCommand(['--metric', 'ram', '--bind', '127.0.0.1', '--port', '0', '--no-mdns', '--interval', '200', '--token', 'tty-test-token'])
    const proc = Bun.spawn(['script', '-qfec', command.map(shellQuote).join(' '), '/dev/null'], {
      env: cleanEnv(),
      stdout: 'pipe',
      stderr: 'pipe',
      stdin: 'pipe',
    })
    let output = ''
    const deadline = Date.now() + 15_000
    for await (const chunk of proc.stdout) {
      output += new TextDecoder().decode(chunk)
      if ((output.match(/\r\x1b\[2Kram: /g) ?? []).length >= 3 || Date.now() > deadline) break
    }
    proc.kill('SIGTERM')
    await proc.exited
    const rewrites = output.match(/\r\x1b\[2Kram: [\d.]+ %[^\r\n]* from procfs · 0 devices connected/g) ?? []
    expect(rewrites.length).toBeGreaterThanOrEqual(3)
    // Rewritten in place: no newline between successive status lines.
    const firstStatus = output.indexOf('\r\x1b[2Kram: ')
    expect(output.slice(firstStatus).split('\n')).toHaveLength(1)
  }, 30_000)

  it('prints plain lines off a terminal', async () => {
    const proc = Bun.spawn(sysboyCommand(['--metric', 'ram', '--bind', '127.0.0.1', '--port', '0', '--no-mdns', '--interval', '200', '--token', 'tty-test-token']), {
      env: cleanEnv(),
      stdout: 'pipe',
      stderr: 'pipe',
    })
    let output = ''
    for await (const chunk of proc.stdout) {
      output += new TextDecoder().decode(chunk)
      if (/\nram: .* · 0 devices connected\n/.test(output)) break
    }
    proc.kill('SIGTERM')
    await proc.exited
    expect(output).not.toContain('\x1b[')
    expect(output).toMatch(/\nram: [\d.]+ %.* from procfs · 0 devices connected\n/)
  }, 30_000)
})
