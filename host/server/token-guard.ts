// The one check of the pairing token on HTTP (REST, /metrics, the /ws upgrade): Hono's bearer-auth, with its
// constant-time compare, wrapped once in a guess limiter so wrong tokens from an address are slowed down.
import type { Context, MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { bearerAuth } from 'hono/bearer-auth'
import type { HostFigures } from '../hub/host-figures.ts'
import type { GuessLimiter } from './guess-limiter.ts'

export interface TokenGuardOptions {
  token: string
  /** Each surface has its own limiter, so wrong tokens on one never lock a right one out of another. */
  limiter: GuessLimiter
  figures: HostFigures
  remoteAddress: (c: Context) => string
  /** What the guesses are, for the 429's reason: 'pairing tokens', 'API tokens'. */
  guessing: string
  /**
   * A request without an Authorization header goes on (the /ws upgrade: a device may give its token in its hello
   * instead); a header, when there is one, must hold the token.
   */
  headerOptional?: boolean
}

const refusal = (error: string, reason: string): { error: string; reason: string } => ({ error, reason })

/**
 * The 429, with Retry-After, for an address that guessed wrong too often; undefined while it may try. `guessing` names
 * the guesses for the reason: 'pairing tokens', 'tokens'.
 */
export const tooManyGuesses = (c: Context, limiter: GuessLimiter, figures: HostFigures, address: string, guessing: string): Response | undefined => {
  if (limiter.allows(address)) return undefined
  const seconds = Math.ceil(limiter.retryAfterMs(address) / 1000)
  figures.error('rate_limited')
  c.header('Retry-After', String(seconds))
  return c.json(refusal('rate_limited', `too many wrong ${guessing} from this address; try again in ${seconds} s`), 429)
}

export const tokenGuard = (options: TokenGuardOptions): MiddlewareHandler => {
  const { limiter, figures, remoteAddress, guessing } = options
  const bearer = bearerAuth({
    token: options.token,
    realm: 'sysboy',
    noAuthenticationHeader: { message: refusal('unauthorized', 'send the pairing token as Authorization: Bearer <token>') },
    invalidAuthenticationHeader: { message: refusal('unauthorized', 'the Authorization header must be Bearer <token>, the token of A-Z a-z 0-9 _ -') },
    invalidToken: { message: refusal('unauthorized', 'wrong pairing token; use the token `sysboy` printed') },
  })
  return async (c, next) => {
    const address = remoteAddress(c)
    const limited = tooManyGuesses(c, limiter, figures, address, guessing)
    if (limited !== undefined) return limited
    const header = c.req.header('authorization')
    if (options.headerOptional === true && header === undefined) {
      await next()
      return
    }
    let passed = false
    try {
      await bearer(c, async () => {
        passed = true
        await next()
      })
    } catch (error) {
      if (passed || !(error instanceof HTTPException)) throw error
      // Only a wrong token is a guess; a request with none, or with a header that cannot hold a token, learns nothing.
      if (error.status === 401 && header !== undefined) limiter.fail(address)
      figures.error('unauthorized')
      return error.getResponse()
    }
  }
}
