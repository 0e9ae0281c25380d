// Checks the pairing token a device's hello carries against the install's token in constant time (HTTP requests go
// through Hono's bearer-auth in token-guard.ts).
// Bun's own hasher and the Web Crypto global's timingSafeEqual: node:crypto would cost the host 1.5 MB to load.

const digest = (text: string): Buffer => new Bun.CryptoHasher('sha256').update(text, 'utf8').digest()

/** Whether `presented` is the pairing token; hashing first makes both sides equal length, so no length leak. */
export const tokenMatches = (expected: string, presented: string | undefined): boolean => {
  if (presented === undefined || presented === '') return false
  return crypto.timingSafeEqual(digest(expected), digest(presented))
}
