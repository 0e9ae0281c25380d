// Each paired board's own credential: issued when the user approves it, kept only as a SHA-256, checked in constant
// time, revocable. Saving is the caller's (host/config/credentials-file.ts); this holds the entries.
import type { StoredCredential } from '../../schema/host-config.ts'
import { MAX_CREDENTIALS } from '../../schema/constants.ts'

const sha256 = (text: string): Buffer => new Bun.CryptoHasher('sha256').update(text, 'utf8').digest()

/** 32 random bytes from the Web Crypto global: 43 characters of base64url, the alphabet hello.token accepts. */
export const newCredential = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')

/** A credential as the list shows it: never the credential or its hash. */
export interface CredentialInfo {
  device: string
  /** When it was issued, ISO 8601. */
  issued: string
}

/**
 * Why a credential was not issued: `already_paired`, the device holds one (a second board under its id must not
 * silently take it over; the user revokes it first); `full`, the store holds MAX_CREDENTIALS.
 */
export type IssueRefusal = { ok: false; code: 'already_paired' | 'full'; reason: string }
export type IssueResult = { ok: true; credential: string } | IssueRefusal

export class CredentialStore {
  readonly #entries = new Map<string, { hash: Buffer; issued: string }>()
  readonly #save: (entries: StoredCredential[]) => void

  /** `stored`: what the file held; `save` is told every change (it throws to refuse one that cannot be kept). */
  constructor(stored: readonly StoredCredential[] = [], save: (entries: StoredCredential[]) => void = () => {}) {
    for (const entry of stored) this.#entries.set(entry.device, { hash: Buffer.from(entry.sha256, 'base64url'), issued: entry.issued })
    this.#save = save
  }

  /**
   * Issues `device` a new credential and gives it back; only its hash is kept. Refused when the device already holds
   * one or the store is full; a credential that cannot be saved throws and nothing changes.
   */
  issue(device: string, now: number): IssueResult {
    if (this.#entries.has(device)) {
      return { ok: false, code: 'already_paired', reason: `board '${device}' is paired already; revoke its credential first to pair it again` }
    }
    if (this.#entries.size >= MAX_CREDENTIALS) {
      return { ok: false, code: 'full', reason: `${MAX_CREDENTIALS} boards are paired already, the most the credentials file holds; revoke one first` }
    }
    const credential = newCredential()
    this.#entries.set(device, { hash: sha256(credential), issued: new Date(now).toISOString() })
    try {
      this.#save(this.stored())
    } catch (error) {
      this.#entries.delete(device)
      throw error
    }
    return { ok: true, credential }
  }

  /** Whether `presented` is the credential issued to `device`; compared as hashes, so in constant time and length. */
  matches(device: string, presented: string | undefined): boolean {
    const entry = this.#entries.get(device)
    if (entry === undefined || presented === undefined || presented === '') return false
    return crypto.timingSafeEqual(entry.hash, sha256(presented))
  }

  /** Deletes `device`'s credential; false when it had none. */
  revoke(device: string): boolean {
    const before = this.#entries.get(device)
    if (before === undefined) return false
    this.#entries.delete(device)
    try {
      this.#save(this.stored())
    } catch (error) {
      this.#entries.set(device, before)
      throw error
    }
    return true
  }

  has(device: string): boolean {
    return this.#entries.has(device)
  }

  list(): CredentialInfo[] {
    return [...this.#entries].map(([device, { issued }]) => ({ device, issued }))
  }

  /** The entries as the credentials file holds them. */
  stored(): StoredCredential[] {
    return [...this.#entries].map(([device, { hash, issued }]) => ({ device, sha256: hash.toString('base64url'), issued }))
  }
}
