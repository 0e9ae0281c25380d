// Checks a presented pairing token against the install's token in constant time.
import { createHash, timingSafeEqual } from 'node:crypto'

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()

/** Whether `presented` is the pairing token; hashing first makes both sides equal length, so no length leak. */
export const tokenMatches = (expected: string, presented: string | undefined): boolean => {
  if (presented === undefined || presented === '') return false
  return timingSafeEqual(digest(expected), digest(presented))
}

/** The token of an `Authorization: Bearer <token>` header, or undefined when there is none. */
export const bearerToken = (header: string | undefined | null): string | undefined => {
  if (header === undefined || header === null) return undefined
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header)
  return match?.[1]
}
