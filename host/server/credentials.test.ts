import { describe, expect, it } from 'bun:test'
import type { StoredCredential } from '../../schema/host-config.ts'
import { CredentialStore, newCredential } from './credentials.ts'

describe('CredentialStore', () => {
  it('issues 32 random bytes as base64url, keeps only their SHA-256, and matches only that device and credential', () => {
    let saved: StoredCredential[] = []
    const store = new CredentialStore([], (entries) => {
      saved = entries
    })
    const credential = store.issue('meter-1', Date.UTC(2026, 0, 1))
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

  it('replaces a credential issued again, and revokes one', () => {
    const store = new CredentialStore()
    const first = store.issue('meter-1', 0)
    const second = store.issue('meter-1', 1)
    expect(store.matches('meter-1', first)).toBe(false)
    expect(store.matches('meter-1', second)).toBe(true)
    expect(store.list()).toEqual([{ device: 'meter-1', issued: new Date(1).toISOString() }])
    expect(store.revoke('meter-1')).toBe(true)
    expect(store.revoke('meter-1')).toBe(false)
    expect(store.matches('meter-1', second)).toBe(false)
  })

  it('keeps what it had when a change cannot be saved', () => {
    const store = new CredentialStore([], () => {
      throw new Error('disk full')
    })
    expect(() => store.issue('meter-1', 0)).toThrow('disk full')
    expect(store.list()).toEqual([])
  })
})
