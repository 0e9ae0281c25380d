// One simulated desk: a namespace with a TAP, dnsmasq for the station network, optionally the real host, and the
// simulated device on DHCP. Everything is torn down by close(), even when a test fails half way.
import { Namespace } from './namespace.ts'
import { SimDevice, buildSimulator } from './sim-device.ts'
import { startDhcp } from './station-network.ts'
import { HOST_PORT, SysboyHost } from './sysboy-host.ts'

export const TOKEN = 'sim-pairing-token-0123'

export interface Desk {
  namespace: Namespace
  host: SysboyHost | undefined
  device: SimDevice | undefined
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
}

let subnet = 0

/** Sets up a desk; call close() in a finally or afterEach. */
export const openDesk = async (options: DeskOptions = {}): Promise<Desk> => {
  await buildSimulator()
  subnet = (subnet % 200) + 1
  const prefix = `10.${(process.pid % 200) + 20}.${subnet}`
  const namespace = Namespace.create({ kernelAddress: `${prefix}.1/24` })
  const desk: Desk = {
    namespace,
    host: undefined,
    device: undefined,
    close: async () => {
      await desk.device?.stop()
      await desk.host?.stop()
      namespace.destroy()
    },
  }
  try {
    startDhcp(namespace, `${prefix}.50`, `${prefix}.99`)
    if (options.vram !== undefined) {
      desk.host = new SysboyHost(namespace, TOKEN)
      desk.host.setVram(options.vram)
      await desk.host.start()
    }
    if (options.device !== false) {
      desk.device = new SimDevice(namespace, [
        '--host', `${namespace.kernelIp}:${HOST_PORT}`,
        '--token', options.deviceToken ?? TOKEN,
        '--backoff-max-ms', '4000',
        ...(options.simArgs ?? []),
      ])
    }
    return desk
  } catch (error) {
    await desk.close()
    throw error
  }
}
