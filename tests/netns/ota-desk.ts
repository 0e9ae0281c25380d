// Updates over the air on a desk, for tests/sim-ota.test.ts and bench/ota.ts: the real app images of
// scripts/firmware-build.sh, hosts built (host/build.ts --firmware) to carry a chosen one, and a desk whose link to the
// board runs at a Wi-Fi-like rate, with a simulated esp32c3 factory-flashed with the current app.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { appSegmentsEnd, readAppDescriptor } from '../../host/firmware/app-image.ts'
import { appFile, prepareFirmware } from '../../host/firmware/prepare.ts'
import type { Desk } from './scenario.ts'
import { openDesk } from './scenario.ts'
import type { SimDevice, SimEvent, SimProfile } from './sim-device.ts'
import type { RestAnswer } from './sysboy-host.ts'

const root = join(import.meta.dir, '..', '..')
const bun = join(root, 'node_modules', '.bin', 'bun')

/** What scripts/firmware-build.sh writes: the current C3 app, and the same build as the next patch version. */
export const FACTORY_APP = join(root, 'target', 'firmware', appFile('esp32c3'))
export const NEXT_DIR = join(root, 'target', 'firmware', 'next')
export const NEXT_APP = join(NEXT_DIR, appFile('esp32c3'))

/** The device id the desk's board says. */
export const OTA_DEVICE = 'sim-ota'

export interface OtaImages {
  factory: Uint8Array
  factoryVersion: string
  next: Uint8Array
  nextVersion: string
}

/** The two real C3 app images; throws, saying how to make them, when scripts/firmware-build.sh has not run. */
export const otaImages = (): OtaImages => {
  const missing = [FACTORY_APP, NEXT_APP].filter((path) => !existsSync(path)).map((path) => path.slice(root.length + 1))
  if (missing.length > 0) {
    throw new Error(`updates over the air need the real app images; missing ${missing.join(' and ')}: build them with sh scripts/firmware-build.sh`)
  }
  const factory = new Uint8Array(readFileSync(FACTORY_APP))
  const next = new Uint8Array(readFileSync(NEXT_APP))
  return { factory, factoryVersion: readAppDescriptor(factory).version, next, nextVersion: readAppDescriptor(next).version }
}

/** `app` with one bit flipped in its last segment: its checksum and appended SHA-256 no longer match, its header still reads. */
export const tampered = (app: Uint8Array): Uint8Array => {
  const copy = app.slice()
  const at = appSegmentsEnd(copy) - 100
  copy[at] = (copy[at] ?? 0) ^ 0x01
  return copy
}

/** A --firmware folder holding only `app` as the C3 app image (removed with the returned cleanup). */
export const firmwareFolder = (app: Uint8Array): { dir: string; remove: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), 'sysboy-ota-firmware-'))
  writeFileSync(join(dir, appFile('esp32c3')), app)
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface CarryingHost {
  /** The linux-x64 executable. */
  binary: string
  /** What host/build.ts printed. */
  log: string
  remove(): void
}

/**
 * Builds a linux-x64 host carrying the images of `firmwareDir` (host/build.ts --firmware). host/build.ts stages the
 * images it embeds in host/firmware/generated/; they are put back to target/firmware's afterwards, so a host run from
 * source, or the next build, does not carry the test's images.
 */
export const buildCarryingHost = async (firmwareDir: string): Promise<CarryingHost> => {
  const outdir = mkdtempSync(join(tmpdir(), 'sysboy-ota-host-'))
  try {
    const build = Bun.spawn([bun, join(root, 'host', 'build.ts'), '--outdir', outdir, '--firmware', firmwareDir, 'linux-x64'], { cwd: root, stdout: 'pipe', stderr: 'pipe' })
    const [code, log, errors] = await Promise.all([build.exited, new Response(build.stdout).text(), new Response(build.stderr).text()])
    if (code !== 0) throw new Error(`the host carrying ${firmwareDir} did not build: ${errors.trim() || log.trim()}`)
    return { binary: join(outdir, 'sysboy-linux-x64'), log, remove: () => rmSync(outdir, { recursive: true, force: true }) }
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true })
    throw error
  } finally {
    try {
      prepareFirmware()
    } catch {
      // Without target/firmware's images there is nothing to put back; the next build says how to make them.
    }
  }
}

export interface OtaDeskOptions {
  /** The host executable (from buildCarryingHost). */
  hostBinary: string
  /** The app image written into ota_0 on the first start (a factory flash). */
  factory: Uint8Array
  /** The rate of the link towards the board, by tbf on the TAP's kernel side (default 10 Mbit/s). */
  rateMbit?: number
  simProfile?: SimProfile
  /** More simulator flags (an `--oled`, say). */
  extraSimArgs?: string[]
}

export interface OtaDesk {
  desk: Desk
  /** Starts the board (again, after a stop) on the desk's flash, as a power-on. */
  startBoard(): SimDevice
  /** `POST /api/devices/sim-ota/update`. */
  offer(): Promise<RestAnswer>
  close(): Promise<void>
}

/** A desk: the host (carrying its image), DHCP, the link at `rateMbit`, and a board factory-flashed with `factory`. */
export const openOtaDesk = async (options: OtaDeskOptions): Promise<OtaDesk> => {
  const desk = await openDesk({ vram: 40, device: false, hostBinary: options.hostBinary, ...(options.simProfile === undefined ? {} : { simProfile: options.simProfile }) })
  const work = mkdtempSync(join(tmpdir(), 'sysboy-ota-board-'))
  const close = async (): Promise<void> => {
    await desk.close()
    rmSync(work, { recursive: true, force: true })
  }
  try {
    const rate = `${options.rateMbit ?? 10}mbit`
    desk.namespace.exec(['tc', 'qdisc', 'add', 'dev', desk.namespace.tap, 'root', 'tbf', 'rate', rate, 'burst', '32kbit', 'latency', '400ms'])
    const image = join(work, 'factory.bin')
    writeFileSync(image, options.factory)
    const args = [...desk.hostArgs, '--chip', 'esp32c3', '--image', image, '--device-id', OTA_DEVICE, '--backoff-max-ms', '2000', ...(options.extraSimArgs ?? [])]
    const flash = join(work, 'flash.bin')
    return {
      desk,
      startBoard: () => desk.startDevice(args, flash),
      offer: async () => {
        if (desk.host === undefined) throw new Error('the desk has no host')
        return desk.host.rest('POST', `/api/devices/${OTA_DEVICE}/update`)
      },
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

/** An event of the update's progress in `state`. */
export const updateEvent =
  (state: string) =>
  (event: SimEvent): boolean =>
    event.event === 'update' && (event.detail as { state?: string } | undefined)?.state === state

/** The board's `boot` event from slot `slot`. */
export const bootFrom =
  (slot: number) =>
  (event: SimEvent): boolean =>
    event.event === 'boot' && (event.detail as { slot?: number } | undefined)?.slot === slot

export interface TimedUpdate {
  /** The app image's bytes. */
  bytes: number
  /** From the offer (POST) to the board's `restarting` (downloaded, checked, activated). */
  seconds: number
  /** The image's bytes over that time. */
  mbitPerSecond: number
}

/**
 * Offers the update to the live board and waits for it to download, check and activate the image (`restarting`);
 * throws when the host does not offer it or the board reports a failure.
 */
export const timeUpdate = async (ota: OtaDesk, device: SimDevice, bytes: number, timeoutMs = 120_000): Promise<TimedUpdate> => {
  const from = device.events.length
  const began = performance.now()
  const answer = await ota.offer()
  if (answer.status !== 202) throw new Error(`POST /api/devices/${OTA_DEVICE}/update: HTTP ${answer.status} ${JSON.stringify(answer.body)}`)
  const ended = await device.waitForEvent('the update restarting or failing', (e) => updateEvent('restarting')(e) || updateEvent('failed')(e), timeoutMs, from)
  if (updateEvent('failed')(ended)) throw new Error(`the update failed: ${JSON.stringify(ended.detail)}`)
  const seconds = (performance.now() - began) / 1000
  return { bytes, seconds, mbitPerSecond: (bytes * 8) / seconds / 1e6 }
}
