import { describe, expect, it } from 'bun:test'
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { credentialsPathFor, readCredentials, writeCredentials } from './credentials-file.ts'
import { ConfigError } from './file.ts'

const ENTRY = { device: 'meter-1', sha256: 'A'.repeat(43), issued: '2026-01-01T00:00:00.000Z' }

describe('credentials file', () => {
  it('lies beside the config file', () => {
    expect(credentialsPathFor('/home/u/.config/sysboy/config.json')).toBe('/home/u/.config/sysboy/credentials.json')
  })

  it('reads none from a missing file, and reads back what it wrote, mode 0600, leaving no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sysboy-credentials-'))
    const path = join(dir, 'sub', 'credentials.json')
    expect(readCredentials(path)).toEqual([])
    writeCredentials(path, [ENTRY])
    writeCredentials(path, [ENTRY, { ...ENTRY, device: 'meter-2' }])
    expect(readCredentials(path)).toEqual([ENTRY, { ...ENTRY, device: 'meter-2' }])
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readdirSync(join(dir, 'sub'))).toEqual(['credentials.json'])
  })

  it('refuses a file that is not JSON or not a credentials file, saying how to start over', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sysboy-credentials-'))
    const path = join(dir, 'credentials.json')
    writeFileSync(path, '{')
    expect(() => readCredentials(path)).toThrow(ConfigError)
    writeFileSync(path, JSON.stringify({ credentials: [{ ...ENTRY, sha256: 'short' }] }))
    expect(() => readCredentials(path)).toThrow(/not a sysboy credentials file.*delete it/)
  })
})
