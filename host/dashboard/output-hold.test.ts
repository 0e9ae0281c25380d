import { afterEach, describe, expect, it } from 'bun:test'
import { OutputHold, RENEW_MS } from './output-hold.ts'

const realFetch = globalThis.fetch

/** A host that answers each request after `delayMs`, noting what came and whether two were ever in flight at once. */
const slowHost = (delayMs: number) => {
  const seen: string[] = []
  let inFlight = 0
  let overlapped = false
  globalThis.fetch = (async (input: string, init?: RequestInit) => {
    inFlight += 1
    if (inFlight > 1) overlapped = true
    seen.push(`${init?.method} ${init?.body ?? ''}`.trim())
    await Bun.sleep(delayMs)
    inFlight -= 1
    return new Response(JSON.stringify({ ok: true }), { status: 200 })
  }) as typeof fetch
  return { seen, overlapped: () => overlapped }
}

afterEach(() => {
  globalThis.fetch = realFetch
})

describe('OutputHold', () => {
  it('sends one request at a time, only the newest code, and the release after the hold on its way', async () => {
    const host = slowHost(40)
    const hold = new OutputHold('t', 'desk', 'meter', () => undefined)
    hold.hold(1)
    hold.hold(2)
    hold.hold(3)
    hold.release()
    await Bun.sleep(200)
    expect(host.seen).toEqual(['PUT {"code":1}', 'DELETE'])
    expect(host.overlapped()).toBe(false)
  })

  it('renews the hold before the lease lapses, and stops renewing once released', async () => {
    const host = slowHost(1)
    const hold = new OutputHold('t', 'desk', 'meter', () => undefined)
    hold.hold(7)
    await Bun.sleep(RENEW_MS + 300)
    expect(host.seen).toEqual(['PUT {"code":7}', 'PUT {"code":7}'])
    hold.release()
    hold.hold(8)
    await Bun.sleep(RENEW_MS + 300)
    expect(host.seen).toEqual(['PUT {"code":7}', 'PUT {"code":7}', 'DELETE'])
  }, 10_000)
})
