import { describe, expect, it } from 'bun:test'
import { Hono } from '../server/hono.ts'
import { HostFigures } from '../hub/host-figures.ts'
import { CredentialStore } from '../server/credentials.ts'
import { GuessLimiter } from '../server/guess-limiter.ts'
import { boardAuth } from './board-auth.ts'

const TOKEN = 'board-auth-token-1'

const setUp = () => {
  const clock = { t: 0 }
  const figures = new HostFigures()
  const credentials = new CredentialStore()
  const app = new Hono()
  const limiter = new GuessLimiter({ burst: 2, refillMs: 60_000, maxAddresses: 10 }, () => clock.t)
  app.get('/app.bin', boardAuth({ token: TOKEN, credentials, limiter, figures, remoteAddress: () => '10.0.0.7' }), (c) => c.text('image'))
  const get = (token?: string): Promise<Response> =>
    Promise.resolve(app.request('/app.bin', { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } }))
  return { clock, figures, credentials, get }
}

describe('boardAuth', () => {
  it("lets in the install token and a board's own credential, and nothing else", async () => {
    const { credentials, get } = setUp()
    const issued = credentials.issue('meter-1', 0)
    if (!issued.ok) throw new Error(issued.reason)
    expect((await get(TOKEN)).status).toBe(200)
    expect((await get(issued.credential)).status).toBe(200)
    expect((await get()).status).toBe(401)
  })

  it('answers 429 with Retry-After once an address has guessed wrong too often, the right token included', async () => {
    const { clock, figures, get } = setUp()
    expect((await get('wrong-1')).status).toBe(401)
    expect((await get('wrong-2')).status).toBe(401)
    const limited = await get(TOKEN)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('30')
    expect(await limited.json()).toEqual({ error: 'rate_limited', reason: 'too many wrong tokens from this address; try again in 30 s' })
    expect(figures.errors.get('rate_limited')).toBe(1)
    clock.t = 30_000
    expect((await get(TOKEN)).status).toBe(200)
  })
})
