// Improv Wi-Fi serial on the simulated board's USB port (`--serial`): an Improv client written from the specification
// (tests/improv-client.ts) reads the device information among the board's log lines, is refused a packet with a bad
// checksum (and nothing is saved), sends the home network's settings and sees provisioning then provisioned with a URL;
// the board then joins, finds the host by mDNS, asks to pair, and once approved is served.
import { afterEach, describe, expect, it } from 'bun:test'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command, ErrorState, ImprovClient, ImprovError, State, Type, encodeRpc, wifiArgs } from './improv-client.ts'
import { Namespace } from './netns/namespace.ts'
import { SimDevice, buildSimulator } from './netns/sim-device.ts'
import { startDhcp } from './netns/station-network.ts'
import { SysboyHost } from './netns/sysboy-host.ts'

const AP_TAP = 'sbap0'
const HOME_SSID = 'HomeNet'
const HOME_PASSWORD = 'correct-horse-42'
const TOKEN = 'improv-pairing-token-7'
const VERSION = /^version = "([^"]+)"/m.exec(readFileSync(join(import.meta.dir, '..', 'Cargo.toml'), 'utf8'))?.[1]
const scanList = join(import.meta.dir, 'fixtures', 'portal', 'scan-list.json')

const run = (args: string[]): void => {
  const result = Bun.spawnSync(args, { stdout: 'pipe', stderr: 'pipe' })
  if (result.exitCode !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr.toString().trim()}`)
}

const digest = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex')

let cleanup: Array<() => Promise<void> | void> = []

afterEach(async () => {
  for (const step of cleanup.reverse()) await step()
  cleanup = []
})

describe('Improv Wi-Fi serial on the simulated board', () => {
  it('answers device info among log lines, refuses a bad checksum without saving, provisions with a URL, then pairs by mDNS', async () => {
    await buildSimulator()
    const prefix = `10.${(process.pid % 200) + 20}.${150 + (process.pid % 40)}`
    const namespace = Namespace.create({ kernelAddress: `${prefix}.1/24` })
    cleanup.push(() => namespace.destroy())
    const dir = mkdtempSync(join(tmpdir(), 'sysboy-improv-'))
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }))
    run(['ip', '-n', namespace.name, 'tuntap', 'add', AP_TAP, 'mode', 'tap'])
    run(['ip', '-n', namespace.name, 'link', 'set', AP_TAP, 'up'])
    startDhcp(namespace, `${prefix}.50`, `${prefix}.99`)
    const networks = join(dir, 'station-networks.json')
    writeFileSync(networks, JSON.stringify([{ ssid: HOME_SSID, password: HOME_PASSWORD }]))
    const flash = join(dir, 'flash.bin')
    const port = join(dir, 'ttyImprov')

    // A board fresh from flashing: no settings, no host, no token; its USB port is the terminal linked at `port`.
    const device = new SimDevice(namespace, ['--ap-tap', AP_TAP, '--scan-list', scanList, '--station-networks', networks, '--backoff-max-ms', '2000', '--serial', port], flash)
    cleanup.push(() => device.stop())
    await device.waitForEvent('access point', (e) => e.event === 'access_point', 15_000)
    // The host advertises on interfaces with a carrier when it starts: after the board holds the TAP.
    const host = new SysboyHost(namespace, TOKEN, { mdns: true })
    host.setVram(42.3)
    await host.start()
    cleanup.push(() => host.stop())

    const client = new ImprovClient(port)
    cleanup.push(() => client.close())
    expect(await client.currentState()).toBe(State.authorized)
    const [firmware, version, chip, name] = await client.deviceInfo()
    expect({ firmware, version, chip }).toEqual({ firmware: 'Sysboy', version: VERSION, chip: 'sim' })
    expect(name).toMatch(/^sim-[0-9a-f]{12}$/)
    if (name === undefined) throw new Error('no device name')
    // The same port carries the board's log, skipped by the client.
    expect(client.lines.some((line) => / - /.test(line))).toBe(true)
    const scanned = await client.scan()
    expect(scanned[0]).toEqual([HOME_SSID, '-47', 'YES'])
    expect(scanned.find((n) => n[0] === 'Cafe Guest')?.[2]).toBe('NO')

    // A bad checksum: the error answer, and nothing saved.
    const flashBefore = digest(flash)
    const from = client.packets.length
    const events = device.events.length
    const corrupt = encodeRpc(Command.wifiSettings, wifiArgs(HOME_SSID, HOME_PASSWORD))
    corrupt[corrupt.length - 2] = (corrupt[corrupt.length - 2] ?? 0) ^ 0x5a
    client.write(corrupt)
    const refused = await client.waitFor('the error answer', (p) => p.type === Type.errorState, 5_000, from)
    expect(refused.data).toEqual([ErrorState.invalidRpc])
    await device.waitForEvent('the refusal', (e) => e.event === 'improv' && e.detail?.heard === 'refused', 5_000, events)
    // A settings that breaks the rules (a WPA password of 5 characters) is refused the same way.
    await expect(client.provision(HOME_SSID, 'short', 5_000)).rejects.toEqual(new ImprovError(ErrorState.invalidRpc))
    // A round trip after both: the board's Improv task handles the port's packets in order, so this answer comes
    // after whatever they came to. Settings taken would have said "provisioning" on the port before it and left the
    // state there; neither happened, so nothing was handed on to be saved, and the flash is as it was.
    expect(await client.currentState()).toBe(State.authorized)
    expect(client.packets.slice(from).some((p) => p.type === Type.currentState && p.data[0] === State.provisioning)).toBe(false)
    expect(device.events.slice(events).some((e) => e.event === 'settings_saved' || e.event === 'joining')).toBe(false)
    expect(digest(flash)).toBe(flashBefore)

    // The home network's settings: provisioning, then (after the board's restart onto it) provisioned with the URL.
    const started = performance.now()
    const sent = client.packets.length
    const url = (await client.provision(HOME_SSID, HOME_PASSWORD, 30_000)) ?? ''
    const elapsed = performance.now() - started
    const states = client.packets.slice(sent).filter((p) => p.type === Type.currentState).map((p) => p.data[0])
    expect(states).toEqual([State.provisioning, State.provisioned])
    // No host was saved: the URL is the board's own address on the home network (dnsmasq leases .50-.99).
    expect(url).toMatch(new RegExp(`^http://${prefix.replaceAll('.', '\\.')}\\.(5\\d|[6-9]\\d)/$`))
    // Saved as the portal saves (the same event), the join, a restart 5 s later, the join again and a DHCP lease.
    expect(device.events.some((e) => e.event === 'settings_saved' && e.detail?.ssid === HOME_SSID)).toBe(true)
    expect(device.events.some((e) => e.event === 'restarting')).toBe(true)
    // Measured at 10.4-10.5 s (5 s of it the restart's wait); an Improv client gives up after 30 s (sdk-serial-js).
    expect(elapsed).toBeLessThan(15_000)
    expect(digest(flash)).not.toBe(flashBefore)

    // The board finds the host by mDNS and, with no token, asks to pair; approved, it is served.
    const deadline = Date.now() + 30_000
    let listed: Array<{ device: string }> = []
    while (Date.now() < deadline) {
      listed = (await host.rest('GET', '/api/pairing')).body as Array<{ device: string }>
      if (listed.some((entry) => entry.device === name)) break
      await Bun.sleep(300)
    }
    expect(listed.map((entry) => entry.device)).toContain(name)
    await device.waitForStatus('asking to pair', (s) => s.link === 'awaiting_approval', 10_000)
    const approved = await host.rest('POST', `/api/pairing/${encodeURIComponent(name)}/approve`)
    expect(approved.status).toBe(200)
    await device.waitForStatus('needle on the host figure', (s) => s.meter === 'live' && Math.abs(s.needle - 42.3) < 0.5, 20_000, device.statuses.length)
    await device.waitForEvent('the credential saved', (e) => e.event === 'settings_saved' && e.detail?.token === true, 10_000)
    // Asked again, the board says provisioned and gives the URL for the state request too.
    const again = client.packets.length
    expect(await client.currentState()).toBe(State.provisioned)
    const result = await client.waitFor('the URL result', (p) => p.type === Type.rpcResult && p.command === Command.currentState, 5_000, again)
    expect(result.strings).toEqual([url])
  }, 120_000)
})
