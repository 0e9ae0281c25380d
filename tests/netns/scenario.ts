// One simulated desk: a namespace with a TAP, dnsmasq for the station network, optionally the real host, and the
// simulated device on DHCP. Everything is torn down by close(), even when a test fails half way.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Namespace } from './namespace.ts'
import type { SimProfile } from './sim-device.ts'
import { SimDevice, buildSimulator } from './sim-device.ts'
import { startDhcp } from './station-network.ts'
import { HOST_PORT, SysboyHost } from './sysboy-host.ts'

export const TOKEN = 'sim-pairing-token-0123'

export interface Desk {
  namespace: Namespace
  host: SysboyHost | undefined
  device: SimDevice | undefined
  /** The flags that point a device at this desk's host with the right token. */
  hostArgs: string[]
  /** The device's flash file; it outlives each device, so a restart finds what the last one saved. */
  flash: string
  /** Starts (another) simulated device on this desk, on the desk's flash; the previous one must be stopped first. */
  startDevice(args: string[], flash?: string): SimDevice
  close(): Promise<void>
}

export interface DeskOptions {
  /** Start the real host at this VRAM percent; leave out to bring your own server. */
  vram?: number
  /** The token the device presents (the host's by default). */
  deviceToken?: string
  /** Extra simulator flags. */
  simArgs?: string[]
  /** Start the device (default true). */
  device?: boolean
  /** The host advertises itself by mDNS, and the device gets no --host (default false). */
  mdns?: boolean
  /** With mdns: the device is given a stale host address instead (a closed port on the kernel side). */
  staleHost?: boolean
  /** The device's flash file (default: a fresh one for the desk, removed at the end). */
  flash?: string
  /** How long the station network's DHCP leases last, in seconds (default an hour). */
  leaseSeconds?: number
  /** More environment for the real host (the `DISPLAY` a region stream captures from, say). */
  hostEnv?: Record<string, string>
  /** The real host's config file (default `{}`). */
  hostConfig?: Record<string, unknown>
  /** The real host's sampling interval, ms (default 200). */
  hostInterval?: number
  /** Which simulator build the desk's devices run (default debug, as the tests build it; benchmarks take release). */
  simProfile?: SimProfile
  /** The real host's executable (default: dist/sysboy-linux-x64), e.g. one built to carry other firmware images. */
  hostBinary?: string
}

let subnet = 0

/** A port nothing listens on: a saved address pointing there is a PC that moved. */
export const STALE_PORT = 9

/** Sets up a desk; call close() in a finally or afterEach. */
export const openDesk = async (options: DeskOptions = {}): Promise<Desk> => {
  const profile = options.simProfile ?? 'debug'
  await buildSimulator(profile)
  subnet = (subnet % 200) + 1
  const prefix = `10.${(process.pid % 200) + 20}.${subnet}`
  const namespace = Namespace.create({ kernelAddress: `${prefix}.1/24` })
  const ownFlash = options.flash === undefined ? join(mkdtempSync(join(tmpdir(), 'sysboy-desk-')), 'flash.bin') : undefined
  const desk: Desk = {
    namespace,
    host: undefined,
    device: undefined,
    hostArgs: ['--host', `${namespace.kernelIp}:${HOST_PORT}`, '--token', options.deviceToken ?? TOKEN],
    flash: options.flash ?? ownFlash ?? '',
    startDevice: (args: string[], flash: string = desk.flash): SimDevice => {
      desk.device = new SimDevice(namespace, args, flash, profile)
      return desk.device
    },
    close: async () => {
      await desk.device?.stop()
      await desk.host?.stop()
      namespace.destroy()
      if (ownFlash !== undefined) rmSync(dirname(ownFlash), { recursive: true, force: true })
    },
  }
  try {
    startDhcp(namespace, `${prefix}.50`, `${prefix}.99`, options.leaseSeconds)
    const startHost = async (vram: number): Promise<void> => {
      desk.host = new SysboyHost(namespace, TOKEN, {
        mdns: options.mdns === true,
        ...(options.hostEnv !== undefined ? { env: options.hostEnv } : {}),
        ...(options.hostConfig !== undefined ? { config: options.hostConfig } : {}),
        ...(options.hostInterval !== undefined ? { interval: options.hostInterval } : {}),
        ...(options.hostBinary !== undefined ? { binary: options.hostBinary } : {}),
      })
      desk.host.setVram(vram)
      await desk.host.start()
    }
    // The host advertises only on interfaces that are up with a carrier when it starts, and the TAP has a carrier
    // once the device holds it: with mDNS the device boots first, as a board on the desk would.
    const hostFirst = options.mdns !== true
    if (options.vram !== undefined && hostFirst) await startHost(options.vram)
    if (options.device !== false) {
      // Found by mDNS, the device still needs the token: pairing is never discovered.
      const stale = options.staleHost === true ? ['--host', `${namespace.kernelIp}:${STALE_PORT}`] : []
      const target = options.mdns === true ? ['--token', options.deviceToken ?? TOKEN, ...stale] : desk.hostArgs
      const device = desk.startDevice([...target, '--backoff-max-ms', '4000', ...(options.simArgs ?? [])])
      if (!hostFirst) await device.waitForEvent('network up', (e) => e.event === 'network_up', 15_000)
    }
    if (options.vram !== undefined && !hostFirst) await startHost(options.vram)
    return desk
  } catch (error) {
    await desk.close()
    throw error
  }
}
