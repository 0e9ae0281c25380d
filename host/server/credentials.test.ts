import { describe, expect, it } from 'bun:test'
import type { StoredCredential } from '../../schema/host-config.ts'
import { MAX_CREDENTIALS } from '../../schema/constants.ts'
import { CredentialStore, newCredential } from './credentials.ts'

const issued = (store: CredentialStore, device: string, now: number): string => {
  const result = store.issue(device, now)
  if (!result.ok) throw new Error(result.reason)
  return result.credential
}

describe('CredentialStore', () => {
  it('issues 32 random bytes as base64url, keeps only their SHA-256, and matches only that device and credential', () => {
    let saved: StoredCredential[] = []
    const store = new CredentialStore([], (entries) => {
      saved = entries
    })
    const credential = issued(store, 'meter-1', Date.UTC(2026, 0, 1))
    expect(credential).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(newCredential()).not.toBe(credential)
    expect(saved).toEqual([{ device: 'meter-1', sha256: new Bun.CryptoHasher('sha256').update(credential).digest('base64url'), issued: '2026-01-01T00:00:00.000Z' }])
    expect(store.matches('meter-1', credential)).toBe(true)
    expect(store.matches('meter-1', `${credential}x`)).toBe(false)
    expect(store.matches('meter-1', '')).toBe(false)
    expect(store.matches('meter-1', undefined)).toBe(false)
    expect(store.matches('meter-2', credential)).toBe(false)
    // A store read back from the file matches as before.
    expect(new CredentialStore(saved).matches('meter-1', credential)).toBe(true)
  })

  it('refuses to issue a second credential to a device until its first is revoked', () => {
    const store = new CredentialStore()
    const first = issued(store, 'meter-1', 0)
    expect(store.issue('meter-1', 1)).toEqual({ ok: false, code: 'already_paired', reason: "board 'meter-1' is paired already; revoke its credential first to pair it again" })
    expect(store.matches('meter-1', first)).toBe(true)
    expect(store.list()).toEqual([{ device: 'meter-1', issued: new Date(0).toISOString() }])
    expect(store.revoke('meter-1')).toBe(true)
    expect(store.revoke('meter-1')).toBe(false)
    expect(store.matches('meter-1', first)).toBe(false)
    const second = issued(store, 'meter-1', 2)
    expect(store.matches('meter-1', second)).toBe(true)
  })

  it('holds at most as many credentials as the file schema allows, and issues again once one is revoked', () => {
    const stored = Array.from({ length: MAX_CREDENTIALS - 1 }, (_, i) => ({ device: `board-${i}`, sha256: 'A'.repeat(43), issued: new Date(0).toISOString() }))
    let saves = 0
    const store = new CredentialStore(stored, () => {
      saves++
    })
    issued(store, 'last-one', 0)
    expect(store.issue('one-too-many', 0)).toEqual({
      ok: false,
      code: 'full',
      reason: `${MAX_CREDENTIALS} boards are paired already, the most the credentials file holds; revoke one first`,
    })
    expect(store.list()).toHaveLength(MAX_CREDENTIALS)
    expect(saves).toBe(1)
    store.revoke('board-0')
    expect(store.issue('one-too-many', 0).ok).toBe(true)
  })

  it('keeps what it had when a change cannot be saved', () => {
    const store = new CredentialStore([], () => {
      throw new Error('disk full')
    })
    expect(() => store.issue('meter-1', 0)).toThrow('disk full')
    expect(store.has('meter-1')).toBe(false)
    expect(store.list()).toEqual([])
  })
})
