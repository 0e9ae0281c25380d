// Who may fetch an app image: a board presenting the install's pairing token or its own credential (issued when the
// user approved it) as `Authorization: Bearer`. Both are compared as SHA-256 digests in constant time; wrong ones
// count as guesses against the address, as on the API.
import type { Context, MiddlewareHandler } from 'hono'
import type { HostFigures } from '../hub/host-figures.ts'
import type { CredentialStore } from '../server/credentials.ts'
import type { GuessLimiter } from '../server/guess-limiter.ts'
import { tooManyGuesses } from '../server/token-guard.ts'

export interface BoardAuthOptions {
  token: string
  credentials: CredentialStore
  limiter: GuessLimiter
  figures: HostFigures
  remoteAddress: (c: Context) => string
}

const digest = (text: string): Buffer => new Bun.CryptoHasher('sha256').update(text, 'utf8').digest()

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i

export const boardAuth = (options: BoardAuthOptions): MiddlewareHandler => {
  const { limiter, figures, remoteAddress } = options
  const tokenDigest = digest(options.token)
  /** The token, or any board's credential; each stored credential is compared, so the time says nothing of which. */
  const accepted = (presented: string): boolean => {
    const presentedDigest = digest(presented)
    let matched = crypto.timingSafeEqual(presentedDigest, tokenDigest)
    for (const { sha256 } of options.credentials.stored()) {
      const stored = Buffer.from(sha256, 'base64url')
      if (stored.length === presentedDigest.length && crypto.timingSafeEqual(presentedDigest, stored)) matched = true
    }
    return matched
  }
  return async (c, next) => {
    const address = remoteAddress(c)
    const limited = tooManyGuesses(c, limiter, figures, address, 'tokens')
    if (limited !== undefined) return limited
    const header = c.req.header('authorization')
    const presented = header === undefined ? undefined : BEARER.exec(header)?.[1]
    if (presented !== undefined && accepted(presented)) {
      await next()
      return
    }
    if (presented !== undefined) limiter.fail(address)
    figures.error('unauthorized')
    c.header('WWW-Authenticate', 'Bearer realm="sysboy"')
    return c.json({ error: 'unauthorized', reason: "send the pairing token or the board's own credential as Authorization: Bearer <token>" }, 401)
  }
}
