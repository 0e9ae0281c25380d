// Updates over the air end to end: the simulated board (--chip esp32c3) boots a real app image from its flash file,
// the real host offers the newer image it carries (POST /api/devices/:id/update), and the board fetches it in ranges
// over a 10 Mbit/s link, checks it, activates it and restarts into it; a corrupt image, a cut mid-download and an
// image that never reaches the host all leave the old version running. The images come from
// scripts/firmware-build.sh (target/firmware/); without them these tests are skipped, and the crafted images of
// firmware-rs/device/src/ota/tests.rs cover the format.
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'bun:test'
import type { Subprocess } from 'bun'
import { Namespace } from './netns/namespace.ts'
import { SimDevice, buildSimulator } from './netns/sim-device.ts'
import { startDhcp } from './netns/station-network.ts'

const root = join(import.meta.dir, '..')
const merged = join(root, 'target', 'firmware', 'sysboy-esp32c3.bin')
const bun = join(root, 'node_modules', '.bin', 'bun')
const TOKEN = 'sim-ota-pairing-token-01'
const PORT = 8077
/** The first app partition's offset in a merged image, from its partition table at 0x8000. */
const appOffset = (image: Uint8Array): number => {
  const view = new DataView(image.buffer, image.byteOffset)
  for (let at = 0x8000; image[at] === 0xaa && image[at + 1] === 0x50; at += 32) if (image[at + 2] === 0) return view.getUint32(at + 4, true)
  throw new Error('the merged image has no app partition')
}

/** The app image of the merged image (the merged file ends with it). */
const appOf = (image: Uint8Array): Uint8Array => image.slice(appOffset(image))

/** The image's segments end here: header, then each segment's header and data. */
const segmentsEnd = (app: Uint8Array): number => {
  const view = new DataView(app.buffer, app.byteOffset)
  let at = 24
  for (let i = 0; i < app[1]!; i++) at += 8 + view.getUint32(at + 4, true)
  return at
}

/** Recomputes the checksum byte and the appended SHA-256 after the segments changed (esp_image_format.c). */
const reseal = (app: Uint8Array): Uint8Array => {
  const end = segmentsEnd(app)
  const view = new DataView(app.buffer, app.byteOffset)
  let checksum = 0xef
  for (let at = 24, i = 0; i < app[1]!; i++) {
    const len = view.getUint32(at + 4, true)
    for (let j = at + 8; j < at + 8 + len; j++) checksum ^= app[j]!
    at += 8 + len
  }
  const padded = Math.ceil((end + 1) / 16) * 16
  app[padded - 1] = checksum
  if (app[23] === 1) app.set(createHash('sha256').update(app.subarray(0, padded)).digest(), padded)
  return app
}

/** The same app saying another version in its app descriptor (esp_app_desc_t.version at offset 32 + 16). */
const withVersion = (app: Uint8Array, version: string): Uint8Array => {
  const copy = app.slice()
  copy.fill(0, 48, 80)
  copy.set(new TextEncoder().encode(version), 48)
  return reseal(copy)
}

const versionOf = (app: Uint8Array): string => new TextDecoder().decode(app.subarray(48, 80)).replace(/\0.*$/s, '')

interface HostRun {
  process: Subprocess
  dir: string
}

/** Builds a host carrying `app` (inside a merged image laid out as the firmware build's) for the C3. */
const buildHost = async (app: Uint8Array): Promise<string> => {
  const dir = mkdtempSync(join(tmpdir(), 'sysboy-ota-host-'))
  const firmware = join(dir, 'firmware')
  mkdirSync(firmware)
  const image = readFileSync(merged)
  const at = appOffset(image)
  const carried = new Uint8Array(at + app.length)
  carried.set(image.subarray(0, at))
  carried.set(app, at)
  writeFileSync(join(firmware, 'sysboy-esp32c3-app.bin'), app)
  writeFileSync(join(firmware, 'sysboy-esp32c3.bin'), carried)
  if (existsSync(merged.replace('.bin', '.elf'))) copyFileSync(merged.replace('.bin', '.elf'), join(firmware, 'sysboy-esp32c3.elf'))
  const build = Bun.spawn([bun, join(root, 'host', 'build.ts'), '--outdir', join(dir, 'dist'), '--firmware', firmware, 'linux-x64'], { cwd: root, stdout: 'pipe', stderr: 'pipe' })
  const [code, errors] = await Promise.all([build.exited, new Response(build.stderr).text()])
  if (code !== 0) throw new Error(`the host with a firmware image did not build: ${errors}`)
  return dir
}

const startHost = async (namespace: Namespace, dir: string): Promise<HostRun> => {
  writeFileSync(join(dir, 'config.json'), '{}')
  const args = [join(dir, 'dist', 'sysboy-linux-x64'), '--metric', 'vram', '--bind', namespace.kernelIp, '--port', String(PORT), '--token', TOKEN, '--no-mdns', '--config', join(dir, 'config.json')]
  const process = namespace.spawn(args, {})
  const reader = process.stdout.getReader()
  let output = ''
  const deadline = Date.now() + 15_000
  while (!output.includes('listening on')) {
    if (Date.now() > deadline) throw new Error(`the host did not start: ${output}`)
    const { value, done } = await reader.read()
    if (done) throw new Error(`the host exited: ${output}`)
    output += new TextDecoder().decode(value)
  }
  void (async () => {
    for (;;) if ((await reader.read()).done) return
  })()
  return { process, dir }
}

/** POST /api/devices/:id/update from inside the namespace. */
const offerUpdate = async (namespace: Namespace, device: string): Promise<{ status: number; body: unknown }> => {
  const url = `http://${namespace.kernelIp}:${PORT}/api/devices/${device}/update`
  const script = `const r = await fetch(${JSON.stringify(url)}, { method: 'POST', headers: { authorization: 'Bearer ${TOKEN}' } }); console.log(JSON.stringify({ status: r.status, body: await r.json() }))`
  return JSON.parse(await namespace.output([bun, '-e', script])) as { status: number; body: unknown }
}

const available = existsSync(merged)
const suite = available ? describe : describe.skip

suite('updates over the air (simulated esp32c3, real app images)', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  /** A desk: namespace at 10 Mbit/s, DHCP, a host carrying `carried`, a device factory-flashed with `factory`. */
  const desk = async (carried: Uint8Array, factory: Uint8Array) => {
    await buildSimulator('debug')
    const hostDir = await buildHost(carried)
    cleanups.push(() => rmSync(hostDir, { recursive: true, force: true }))
    const namespace = Namespace.create({ kernelAddress: `10.${(process.pid % 200) + 20}.240.1/24` })
    cleanups.push(() => namespace.destroy())
    startDhcp(namespace, `10.${(process.pid % 200) + 20}.240.50`, `10.${(process.pid % 200) + 20}.240.99`)
    // A Wi-Fi-like rate: the update's time is a figure of it.
    namespace.exec(['tc', 'qdisc', 'add', 'dev', namespace.tap, 'root', 'tbf', 'rate', '10mbit', 'burst', '32kbit', 'latency', '400ms'])
    const host = await startHost(namespace, hostDir)
    cleanups.push(() => void host.process.kill('SIGKILL'))
    const work = mkdtempSync(join(tmpdir(), 'sysboy-ota-sim-'))
    cleanups.push(() => rmSync(work, { recursive: true, force: true }))
    const image = join(work, 'factory.bin')
    writeFileSync(image, factory)
    const flash = join(work, 'flash.bin')
    const args = ['--host', `${namespace.kernelIp}:${PORT}`, '--token', TOKEN, '--chip', 'esp32c3', '--image', image, '--device-id', 'sim-ota', '--backoff-max-ms', '2000']
    let device: SimDevice | undefined
    const start = (): SimDevice => {
      device = new SimDevice(namespace, args, flash)
      return device
    }
    cleanups.push(async () => {
      await device?.stop()
    })
    return { namespace, host, start, flash }
  }

  const real = appOf(readFileSync(merged))
  const newest = versionOf(real)
  const older = withVersion(real, '0.0.1')

  it('boots the real app image and reports its version (factory flash into ota_0)', async () => {
    const { start } = await desk(real, older)
    const device = start()
    const boot = await device.waitForEvent('boot', (e) => e.event === 'boot', 20_000)
    expect(boot.detail).toMatchObject({ chip: 'esp32c3', slot: 0, firmware: '0.0.1', image: true, factory_flashed: true })
  }, 120_000)

  it('updates to the newer build, reported after the restart, and prints the update time', async () => {
    const { namespace, start } = await desk(real, older)
    const device = start()
    await device.waitForEvent('live', (e) => e.event === 'live', 20_000)
    const began = performance.now()
    expect((await offerUpdate(namespace, 'sim-ota')).status).toBe(202)
    await device.waitForEvent('restarting', (e) => e.event === 'update' && (e.detail as { state: string }).state === 'restarting', 120_000)
    const restarted = performance.now()
    const boot = await device.waitForEvent('boot after the update', (e) => e.event === 'boot' && (e.detail as { slot: number }).slot === 1, 30_000)
    expect(boot.detail).toMatchObject({ firmware: newest, pending: true })
    await device.waitForEvent('live on the new image', (e) => e.event === 'live', 30_000, device.events.indexOf(boot))
    const seconds = (restarted - began) / 1000
    console.log(`update over the air at 10 Mbit/s: ${real.length} bytes in ${seconds.toFixed(2)} s (${((real.length * 8) / seconds / 1e6).toFixed(2)} Mbit/s)`)
  }, 240_000)

  it('refuses a tampered image and keeps the old version', async () => {
    const tampered = real.slice()
    tampered[segmentsEnd(tampered) - 100]! ^= 0x01
    const { namespace, start } = await desk(tampered, older)
    const device = start()
    await device.waitForEvent('live', (e) => e.event === 'live', 20_000)
    expect((await offerUpdate(namespace, 'sim-ota')).status).toBe(202)
    const failed = await device.waitForEvent('failed', (e) => e.event === 'update' && (e.detail as { state: string }).state === 'failed', 120_000)
    expect((failed.detail as { reason: string }).reason).toMatch(/checksum|SHA-256|image check/)
    expect(device.events.some((e) => e.event === 'restart')).toBe(false)
  }, 240_000)

  it('still boots the old slot after a cut in the middle of the write', async () => {
    const { namespace, start } = await desk(real, older)
    let device = start()
    await device.waitForEvent('live', (e) => e.event === 'live', 20_000)
    expect((await offerUpdate(namespace, 'sim-ota')).status).toBe(202)
    await device.waitForStatus('half way', (s) => s.update?.state === 'downloading' && s.update.written > s.update.total / 3, 120_000)
    await device.stop()
    device = start()
    const boot = await device.waitForEvent('boot', (e) => e.event === 'boot', 20_000)
    expect(boot.detail).toMatchObject({ slot: 0, firmware: '0.0.1' })
  }, 240_000)

  it('rolls back a new image that never reaches the host', async () => {
    const { namespace, host, start } = await desk(real, older)
    let device = start()
    await device.waitForEvent('live', (e) => e.event === 'live', 20_000)
    expect((await offerUpdate(namespace, 'sim-ota')).status).toBe(202)
    await device.waitForEvent('restarting', (e) => e.event === 'update' && (e.detail as { state: string }).state === 'restarting', 120_000)
    // The host goes away before the new image can reach it, and the board is power-cycled, as a crash would.
    host.process.kill('SIGKILL')
    await device.waitForEvent('boot into the new slot', (e) => e.event === 'boot' && (e.detail as { slot: number }).slot === 1, 30_000)
    await device.stop()
    device = start()
    const boot = await device.waitForEvent('boot', (e) => e.event === 'boot', 20_000)
    expect(boot.detail).toMatchObject({ slot: 0, firmware: '0.0.1', rolled_back: newest })
    await device.waitForStatus('rolled back', (s) => s.update?.state === 'rolled_back', 5_000)
  }, 240_000)
})

if (!available) it.skip('updates over the air: needs target/firmware/sysboy-esp32c3.bin (scripts/firmware-build.sh)', () => {})
