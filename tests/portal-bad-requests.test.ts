// The portal under bad input from the phone side: oversized requests get 413, malformed ones 400, a bad form
// its reasons, and the portal keeps serving after each.
import { afterEach, describe, expect, it } from 'bun:test'
import { AP_ADDRESS, PortalDesk } from './fixtures/portal/desk.ts'

let desk: PortalDesk | undefined

afterEach(async () => {
  await desk?.close()
  desk = undefined
})

describe('portal bad requests', () => {
  it('answers 413 and 400 and keeps serving', async () => {
    desk = await PortalDesk.open(10)
    const device = await desk.startDevice()
    await device.waitForEvent('access point', (e) => e.event === 'access_point', 10_000)
    desk.addPhoneAddress()
    const portal = desk
    const status = (args: string[]): Promise<string> => portal.exec(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', ...args])
    /** Sends raw bytes with busybox nc and returns the status line. */
    const raw = async (bytes: string): Promise<string> => (await portal.exec(['sh', '-c', `printf '${bytes}' | busybox nc -w 3 ${AP_ADDRESS} 80`])).split('\r\n')[0] ?? ''

    expect(await status([`http://${AP_ADDRESS}/`])).toBe('200')
    expect(await status(['-H', `X-Pad: ${'a'.repeat(4000)}`, `http://${AP_ADDRESS}/`])).toBe('413')
    expect(await status(['--data-binary', 'x'.repeat(5000), `http://${AP_ADDRESS}/join`])).toBe('413')
    expect(await raw('HELLO\\r\\n\\r\\n')).toBe('HTTP/1.1 400 Bad Request')
    expect(await raw('GET / HTTP/9.9\\r\\n\\r\\n')).toBe('HTTP/1.1 400 Bad Request')
    expect(await raw('POST /join HTTP/1.1\\r\\nContent-Length: nope\\r\\n\\r\\n')).toBe('HTTP/1.1 400 Bad Request')
    expect(await raw('POST /join HTTP/1.1\\r\\nContent-Length: 99999999\\r\\n\\r\\n')).toBe('HTTP/1.1 413 Content Too Large')
    expect(await status(['--data', 'ssid=&password=abc&host=not%20a%20host', `http://${AP_ADDRESS}/join`])).toBe('422')
    // Still serving, with the page and the probes.
    const page = await portal.exec(['curl', '-s', `http://${AP_ADDRESS}/`])
    expect(page).toContain('Networks in range')
    expect(await status(['-H', 'Host: captive.apple.com', `http://${AP_ADDRESS}/hotspot-detect.html`])).toBe('302')
    expect(await status(['-H', 'Host: www.msftconnecttest.com', `http://${AP_ADDRESS}/connecttest.txt`])).toBe('302')
    expect(await status(['-H', 'Host: detectportal.firefox.com', `http://${AP_ADDRESS}/success.txt`])).toBe('302')
    expect(device.process.exitCode).toBeNull()
  }, 60_000)
})
