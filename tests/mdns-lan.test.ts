// `sysboy --metric …` with no flags on a PC that also runs Docker: it serves the LAN, names the addresses boards can
// use, and its mDNS answers to the LAN name only the LAN address (RFC 6762 §6.2), so a board that finds it there
// pairs and gets frames. Two PCs of the same name settle the conflict; a stopped host says goodbye (TTL 0).
import { afterEach, describe, expect, it } from 'bun:test'
import pkg from '../package.json' with { type: 'json' }
import { RunningSysboy, cleanEnv, sysboyCommand } from './cli-harness.ts'
import { DOCKER_ADDRESS, HomeLan, LAN_ADDRESS, LAPTOP_ADDRESS } from './netns/home-lan.ts'
import { MdnsBrowser } from './netns/mdns-browser.ts'
import { SimDevice, buildSimulator } from './netns/sim-device.ts'
import { HOST_PORT, SysboyHost } from './netns/sysboy-host.ts'

const DEFAULT_PORT = 8377
const TOKEN = 'lan-pairing-token-0123'
const INSTANCE = /^sysboy-[a-z0-9-]+\._sysboy\._tcp\.local$/

let lan: HomeLan | undefined
const cleanups: (() => Promise<unknown>)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  lan?.destroy()
  lan = undefined
})

/** `sysboy` as the user types it, run in `namespace` with a fresh config home. */
const startSysboy = (namespace: string, args: string[]): RunningSysboy => {
  const host = new RunningSysboy(['netns', 'exec', namespace, ...sysboyCommand(args)], cleanEnv(), 'ip')
  cleanups.push(() => host.stop())
  return host
}

const browse = (home: HomeLan, seconds: number): MdnsBrowser => {
  const browser = new MdnsBrowser(home.laptop, LAPTOP_ADDRESS, seconds)
  cleanups.push(() => browser.stop())
  return browser
}

describe('the host on a PC with a LAN and a Docker bridge', () => {
  it('serves every interface with no flags, and answers the LAN with the LAN address only', async () => {
    lan = await HomeLan.create()
    const browser = browse(lan, 40)
    const host = startSysboy(lan.pc.name, ['--metric', 'ram'])
    await host.waitFor(/^listening on http:\/\/0\.0\.0\.0:8377 \(bind 0\.0\.0\.0: every interface; the pairing token guards it\)$/)
    const boards = await host.waitFor(/^boards can use: (.*); the pairing token guards each$/)
    expect(boards[1]?.split(', ')).toEqual([`${DOCKER_ADDRESS}:${DEFAULT_PORT} (docker0)`, `${LAN_ADDRESS}:${DEFAULT_PORT} (lan0)`])
    const advertising = await host.waitFor(/^mDNS: advertising (.+) on (.*)$/)
    expect(advertising[1]).toMatch(INSTANCE)

    const added = await browser.waitFor('the host', (e) => e.event === 'add' && e.name === `${advertising[1]}.`)
    expect(added.addresses).toEqual([LAN_ADDRESS])
    expect(added.port).toBe(DEFAULT_PORT)
    expect(added.txt).toEqual({ version: pkg.version, path: '/ws', proto: '1' })
    // And the LAN can use what it was told.
    const fetchFromLaptop = `console.log((await fetch('http://${LAN_ADDRESS}:${DEFAULT_PORT}/api/devices')).status)`
    const laptop = Bun.spawnSync(['ip', 'netns', 'exec', lan.laptop, process.execPath, '-e', fetchFromLaptop])
    expect(laptop.stdout.toString().trim()).toBe('401')
  }, 60_000)

  it('says goodbye with TTL 0 on SIGTERM, so the LAN drops it at once', async () => {
    lan = await HomeLan.create()
    const browser = browse(lan, 40)
    const host = startSysboy(lan.pc.name, ['--metric', 'ram'])
    const name = `${(await host.waitFor(/^mDNS: advertising (.+) on /))[1]}.`
    await browser.waitFor('the host', (e) => e.event === 'add' && e.name === name)
    const stoppedAt = Date.now()
    expect(await host.stop()).toBe(0)
    // The PTR lives 75 minutes: only a goodbye makes a browser drop it within seconds.
    await browser.waitFor('the goodbye', (e) => e.event === 'remove' && e.name === name, 10_000)
    console.log(`mDNS: the LAN dropped the host ${Date.now() - stoppedAt} ms after SIGTERM`)
  }, 60_000)

  it('renames the second PC of the same name after probing, and each answers with its own address', async () => {
    lan = await HomeLan.create()
    const other = lan.addMachine('pc2', '10.55.0.3/24')
    const browser = browse(lan, 40)
    const first = startSysboy(lan.pc.name, ['--metric', 'ram'])
    const name = (await first.waitFor(/^mDNS: advertising (.+) on /))[1] ?? ''
    const second = startSysboy(other, ['--metric', 'ram'])
    const renamed = (await second.waitFor(/^mDNS: advertising (.+) on 10\.55\.0\.3$/))[1] ?? ''
    expect(renamed).toBe(name.replace(/\._sysboy\._tcp\.local$/, ' (2)._sysboy._tcp.local'))
    expect((await browser.waitFor('the first PC', (e) => e.event === 'add' && e.name === `${name}.`)).addresses).toEqual([LAN_ADDRESS])
    expect((await browser.waitFor('the second PC', (e) => e.event === 'add' && e.name === `${renamed}.`)).addresses).toEqual(['10.55.0.3'])
  }, 60_000)

  it('is found by a board on the LAN, which pairs and follows its figure', async () => {
    await buildSimulator()
    lan = await HomeLan.create()
    const host = new SysboyHost(lan.pc, TOKEN, { mdns: true, defaultBind: true })
    cleanups.push(() => host.stop())
    host.setVram(42.3)
    await host.start()
    const device = new SimDevice(lan.pc, ['--token', TOKEN, '--static', '10.55.0.50/24,10.55.0.1', '--backoff-max-ms', '4000'])
    cleanups.push(() => device.stop())
    const found = await device.waitForEvent('mDNS discovery', (e) => e.event === 'discovered', 20_000)
    expect(found.detail).toMatchObject({ host: `${LAN_ADDRESS}:${HOST_PORT}`, path: '/ws' })
    const settled = await device.waitForStatus('needle on 42.3 %', (s) => s.meter === 'live' && Math.abs(s.needle - 42.3) <= 0.5, 15_000)
    expect(settled.host).toBe(`${LAN_ADDRESS}:${HOST_PORT}`)
  }, 60_000)
})
