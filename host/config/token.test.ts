import { describe, expect, it } from 'bun:test'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { newToken, pairingToken } from './token.ts'

describe('pairing token', () => {
  it('is 32 characters of base64url and differs each time', () => {
    const a = newToken()
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(newToken()).not.toBe(a)
  })

  it('is generated once, stored with mode 0600, and keeps the other fields', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sysboy-token-')), 'sysboy', 'config.json')
    const first = pairingToken(undefined, path)
    expect(first.created).toBe(true)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ token: first.token })

    writeFileSync(path, JSON.stringify({ port: 9000 }))
    const second = pairingToken(undefined, path)
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ port: 9000, token: second.token })
  })

  it('uses a configured token as it is and writes nothing', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sysboy-token-')), 'config.json')
    expect(pairingToken('given-token-123', path)).toEqual({ token: 'given-token-123', created: false })
    expect(() => statSync(path)).toThrow()
  })
})
