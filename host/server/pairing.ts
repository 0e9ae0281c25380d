// Checks the pairing token a device's hello carries against the install's token in constant time (HTTP requests go
// through Hono's bearer-auth in token-guard.ts).
import { createHash, timingSafeEqual } from 'node:crypto'

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()

/** Whether `presented` is the pairing token; hashing first makes both sides equal length, so no length leak. */
export const tokenMatches = (expected: string, presented: string | undefined): boolean => {
  if (presented === undefined || presented === '') return false
  return timingSafeEqual(digest(expected), digest(presented))
}
