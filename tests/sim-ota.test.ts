// Updates over the air end to end, with the real images of scripts/firmware-build.sh: the simulated board (--chip
// esp32c3) factory-flashed with the current C3 app, and the real host built to carry the next build (0.1.1, from
// target/firmware/next) or a copy of it with one bit flipped. The board fetches the image in ranges over a 10 Mbit/s
// link, checks it, activates it and restarts into it; a corrupt image, a cut mid-download and an image that never
// reaches the host all leave the old version running. Without the images every test fails and says how to make
// them: `npm test` builds them first. An image for another chip is refused by the board (firmware-rs/device/src/ota/
// tests.rs, `offers_the_board_cannot_take_are_refused`); the host never offers one, as it offers by the board's chip.
import { afterAll, afterEach, describe, expect, it } from 'bun:test'
import type { CarryingHost, OtaDesk, OtaImages } from './netns/ota-desk.ts'
import { OTA_DEVICE, NEXT_DIR, bootFrom, buildCarryingHost, firmwareFolder, openOtaDesk, otaImages, tampered, timeUpdate, updateEvent } from './netns/ota-desk.ts'
import type { SimDevice, SimStatus } from './netns/sim-device.ts'
import type { ListedDevice } from './netns/sysboy-host.ts'

interface Ready {
  images: OtaImages
  /** A host carrying target/firmware/next (the newer build). */
  newer: CarryingHost
  /** A host carrying the newer build with one bit flipped in a segment. */
  corrupt: CarryingHost
}

let ready: Promise<Ready> | undefined
const removals: Array<() => void> = []
/** The images and the two hosts, built once for the file; throws (every test failing) when the images are missing. */
const setUp = (): Promise<Ready> => {
  ready ??= (async () => {
    const images = otaImages()
    const newer = await buildCarryingHost(NEXT_DIR)
    removals.push(newer.remove)
    const folder = firmwareFolder(tampered(images.next))
    removals.push(folder.remove)
    const corrupt = await buildCarryingHost(folder.dir)
    removals.push(corrupt.remove)
    return { images, newer, corrupt }
  })()
  return ready
}

afterAll(() => {
  for (const remove of removals.splice(0)) remove()
})

describe('updates over the air (simulated esp32c3, the real 0.1.0 and 0.1.1 app images)', () => {
  let ota: OtaDesk | undefined
  afterEach(async () => {
    await ota?.close()
    ota = undefined
  })

  /** A desk with the host carrying `host`'s image and a board that booted the factory image and is live. */
  const liveBoard = async (host: CarryingHost, images: OtaImages): Promise<{ ota: OtaDesk; device: SimDevice }> => {
    ota = await openOtaDesk({ hostBinary: host.binary, factory: images.factory })
    const device = ota.startBoard()
    const boot = await device.waitForEvent('boot', (e) => e.event === 'boot', 20_000)
    expect(boot.detail).toMatchObject({ chip: 'esp32c3', slot: 0, firmware: images.factoryVersion, image: true, factory_flashed: true, pending: false })
    await device.waitForEvent('live', (e) => e.event === 'live', 20_000)
    return { ota, device }
  }

  const listed = async (desk: OtaDesk, what: string, test: (device: ListedDevice) => boolean): Promise<ListedDevice> =>
    desk.desk.host!.waitForDevice(what, (device) => device.id === OTA_DEVICE && test(device), 15_000)

  it('updates to the newer build, reports it after the restart and keeps it', async () => {
    const { images, newer } = await setUp()
    expect(images.nextVersion).not.toBe(images.factoryVersion)
    const { ota, device } = await liveBoard(newer, images)
    await listed(ota, `the board on ${images.factoryVersion} with ${images.nextVersion} available`, (d) => d.firmware === images.factoryVersion && d.update?.available === images.nextVersion)

    const timed = await timeUpdate(ota, device, images.next.length)
    console.log(
      `update over the air at 10 Mbit/s: ${timed.bytes} bytes in ${timed.seconds.toFixed(2)} s (${timed.mbitPerSecond.toFixed(2)} Mbit/s), offer to restart`,
    )
    const restarted = device.events.length
    await device.waitForEvent('restart', (e) => e.event === 'restart', 5_000)
    const boot = await device.waitForEvent('boot from ota_1', bootFrom(1), 20_000, restarted)
    expect(boot.detail).toMatchObject({ firmware: images.nextVersion, image: true, pending: true, factory_flashed: false, rolled_back: null })
    await device.waitForEvent('live on the new image', (e) => e.event === 'live', 20_000, device.events.indexOf(boot))

    // The host sees the new version in the board's hello, and has nothing newer to offer.
    const after = await listed(ota, `the board on ${images.nextVersion}`, (d) => d.firmware === images.nextVersion)
    expect(after.update).toBeNull()
    const again = await ota.offer()
    expect(again.status).toBe(409)
    expect(again.body).toMatchObject({ error: 'not_newer' })

    // Reaching the host confirmed the image: a power cycle boots it again, no longer pending.
    await device.stop()
    const next = ota.startBoard()
    const confirmed = await next.waitForEvent('boot', (e) => e.event === 'boot', 20_000)
    expect(confirmed.detail).toMatchObject({ slot: 1, firmware: images.nextVersion, pending: false, rolled_back: null })
  }, 240_000)

  it('refuses a corrupted image and keeps the old version', async () => {
    const { images, corrupt } = await setUp()
    const { ota, device } = await liveBoard(corrupt, images)
    expect((await ota.offer()).status).toBe(202)
    const failed = await device.waitForEvent('failed', updateEvent('failed'), 120_000)
    expect((failed.detail as { reason: string }).reason).toMatch(/checksum|SHA-256/)
    expect(device.events.some((e) => e.event === 'restart')).toBe(false)
    const seen = await listed(ota, 'the failure in lastStatus', (d) => d.lastStatus?.update?.state === 'failed')
    expect(seen.firmware).toBe(images.factoryVersion)
    // Nothing was activated: a power cycle boots the old slot.
    await device.stop()
    const boot = await ota.startBoard().waitForEvent('boot', (e) => e.event === 'boot', 20_000)
    expect(boot.detail).toMatchObject({ slot: 0, firmware: images.factoryVersion, pending: false, rolled_back: null })
  }, 240_000)

  it('boots the old slot and reports the old version after a cut in the middle of the write', async () => {
    const { images, newer } = await setUp()
    const { ota, device } = await liveBoard(newer, images)
    expect((await ota.offer()).status).toBe(202)
    const half = await device.waitForStatus('a third written', (s) => s.update?.state === 'downloading' && s.update.written > s.update.total / 3, 120_000)
    expect(half.update!.written).toBeLessThan(half.update!.total)
    await device.stop()
    const next = ota.startBoard()
    const boot = await next.waitForEvent('boot', (e) => e.event === 'boot', 20_000)
    expect(boot.detail).toMatchObject({ slot: 0, firmware: images.factoryVersion, pending: false, factory_flashed: false, rolled_back: null })
    await next.waitForEvent('live', (e) => e.event === 'live', 20_000)
    await listed(ota, `the board back on ${images.factoryVersion}`, (d) => d.firmware === images.factoryVersion && d.update?.available === images.nextVersion)
  }, 240_000)

  it('rolls back a new image that never reaches the host, and says so when the host is back', async () => {
    const { images, newer } = await setUp()
    const { ota, device } = await liveBoard(newer, images)
    const host = ota.desk.host!
    await timeUpdate(ota, device, images.next.length)
    // The host is gone before the new image can reach it.
    await host.kill()
    const boot = await device.waitForEvent('boot from ota_1', bootFrom(1), 20_000)
    expect(boot.detail).toMatchObject({ firmware: images.nextVersion, pending: true })
    // A status of the new image's own: its clock starts again at the restart, so its statuses begin where `t` drops.
    const restarted = device.statuses.findLastIndex((s, i) => i > 0 && s.t < (device.statuses[i - 1] as SimStatus).t)
    await device.waitForStatus('the new image failing to reach the host', (s) => s.attempts >= 1 && s.link !== 'connected', 20_000, restarted < 0 ? device.statuses.length : restarted)
    // Power cycle: the image that never reached the host is abandoned.
    await device.stop()
    const next = ota.startBoard()
    const back = await next.waitForEvent('boot', (e) => e.event === 'boot', 20_000)
    expect(back.detail).toMatchObject({ slot: 0, firmware: images.factoryVersion, pending: false, rolled_back: images.nextVersion })
    const status = await next.waitForStatus('rolled back', (s) => s.update?.state === 'rolled_back', 5_000)
    expect(status.update).toMatchObject({ version: images.nextVersion })
    // The host comes back and hears it.
    await host.start()
    const seen = await listed(ota, 'the rollback in lastStatus', (d) => d.lastStatus?.update?.state === 'rolled_back')
    expect(seen.firmware).toBe(images.factoryVersion)
    expect(seen.lastStatus?.update).toMatchObject({ version: images.nextVersion })
  }, 240_000)
})
