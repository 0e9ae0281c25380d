import { describe, expect, it } from 'bun:test'
import { parseArgs } from './args.ts'
import { CliError, EXIT } from './exit-codes.ts'
import { flagLayer } from './flag-layer.ts'

const usageError = (argv: string[]): CliError => {
  try {
    flagLayer(parseArgs(argv).flags)
  } catch (error) {
    if (error instanceof CliError) return error
    throw error
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`)
}

describe('parseArgs', () => {
  it('runs the main job by default', () => {
    expect(parseArgs(['--metric', 'vram'])).toEqual({ command: 'run', flags: { metric: 'vram' } })
  })

  it('takes --flag=value, short flags and switches', () => {
    const { command, flags } = parseArgs(['doctor', '-p9000', '--bind=0.0.0.0', '--no-mdns', '-m', 'cpu'])
    expect(command).toBe('doctor')
    expect(flags).toEqual({ port: '9000', bind: '0.0.0.0', 'no-mdns': true, metric: 'cpu' })
  })

  it('lets --help and --version win over a command', () => {
    expect(parseArgs(['devices', '--help']).command).toBe('help')
    expect(parseArgs(['-V']).command).toBe('version')
  })

  it('refuses an unknown flag, command or missing value in one line', () => {
    expect(usageError(['--colour']).message).toBe('unknown flag --colour; see sysboy --help')
    expect(usageError(['frobnicate']).message).toStartWith("unknown command 'frobnicate'")
    expect(usageError(['--port']).message).toBe('--port needs a value; see sysboy --help')
    expect(usageError(['--require=yes']).exitCode).toBe(EXIT.usage)
  })
})

describe('flags per subcommand', () => {
  it('refuses, in one line, a flag the subcommand does not take', () => {
    expect(usageError(['devices', '--metric', 'cpu']).message).toBe(
      'devices takes no --metric (its flags: --port, --bind, --token, --config); see sysboy --help',
    )
    expect(usageError(['doctor', '--require']).message).toStartWith('doctor takes no --require (its flags: --metric, ')
    expect(usageError(['--print']).message).toBe('--print belongs to install-service; see sysboy --help')
    expect(usageError(['devices', '--print']).exitCode).toBe(EXIT.usage)
  })

  it('takes the main job\'s flags for install-service, which runs it', () => {
    expect(parseArgs(['install-service', '--print', '--require', '-m', 'cpu']).flags).toEqual({ print: true, require: true, metric: 'cpu' })
  })

  it('lets --help win over a flag the subcommand does not take', () => {
    expect(parseArgs(['devices', '--metric', 'cpu', '--help']).command).toBe('help')
  })
})

describe('flagLayer', () => {
  it('parses values and names the flag when one is bad', () => {
    expect(flagLayer(parseArgs(['--port', '81', '--gpu', 'all', '--no-mdns']).flags)).toMatchObject({
      port: 81,
      gpu: 'all',
      mdns: false,
    })
    expect(usageError(['--interval', 'fast']).message).toStartWith("--interval: must be milliseconds, a whole number from 50 to 60000; got 'fast'")
    expect(usageError(['--bind', 'lan']).message).toStartWith('--bind: must be an IP address')
  })
})

describe('commands that name a device', () => {
  it('takes the device after pair and revoke, and --deny for pair only', () => {
    expect(parseArgs(['pair'])).toEqual({ command: 'pair', flags: {} })
    expect(parseArgs(['pair', 'desk-1', '--port', '9000'])).toEqual({ command: 'pair', flags: { port: '9000' }, target: 'desk-1' })
    expect(parseArgs(['pair', '--deny', 'desk-1'])).toEqual({ command: 'pair', flags: { deny: true }, target: 'desk-1' })
    expect(parseArgs(['revoke', 'desk-1'])).toEqual({ command: 'revoke', flags: {}, target: 'desk-1' })
    expect(usageError(['pair', 'a', 'b']).message).toBe("unexpected argument 'b'; see sysboy --help")
    expect(usageError(['devices', 'desk-1']).message).toBe("unexpected argument 'desk-1'; see sysboy --help")
    expect(usageError(['revoke', 'desk-1', '--deny']).message).toStartWith('revoke takes no --deny')
    expect(parseArgs(['open']).command).toBe('open')
  })
})
