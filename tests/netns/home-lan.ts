// A PC on a home LAN, as the tests build it: the PC's namespace holds a Docker-like bridge (172.31.0.1/16, with a
// "container" on it) and its LAN, a bridge (10.55.0.1/24) whose ports are the board's TAP and veths to other
// namespaces on the same LAN (a laptop that browses, another PC).
import { Namespace } from './namespace.ts'

export const LAN_ADDRESS = '10.55.0.1'
export const DOCKER_ADDRESS = '172.31.0.1'
/** The laptop's address on the LAN, from which python-zeroconf browses. */
export const LAPTOP_ADDRESS = '10.55.0.2'

const ip = (...args: string[]): void => {
  const result = Bun.spawnSync(['ip', ...args], { stderr: 'pipe' })
  if (result.exitCode !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr.toString().trim()}`)
}

export class HomeLan {
  readonly #others: string[] = []

  private constructor(
    /** The PC's namespace; its TAP is the board's link, a port of the LAN bridge. */
    readonly pc: Namespace,
    /** The laptop's namespace, at LAPTOP_ADDRESS. */
    readonly laptop: string,
  ) {}

  /** Builds the networks and waits until both bridges are up with a carrier, as on a running PC. */
  static async create(): Promise<HomeLan> {
    const pc = Namespace.create({ kernelAddress: `${LAN_ADDRESS}/24` })
    const lan = new HomeLan(pc, `${pc.name}-laptop`)
    try {
      // The LAN address moves from the TAP to a bridge over it, so the board and the laptop share one network.
      ip('-n', pc.name, 'addr', 'flush', 'dev', pc.tap)
      ip('-n', pc.name, 'link', 'add', 'lan0', 'type', 'bridge')
      ip('-n', pc.name, 'addr', 'add', `${LAN_ADDRESS}/24`, 'dev', 'lan0')
      ip('-n', pc.name, 'link', 'set', pc.tap, 'master', 'lan0')
      ip('-n', pc.name, 'link', 'set', 'lan0', 'up')
      // Docker's bridge with one container on it, so it is up with a carrier as on a PC that runs Docker.
      ip('-n', pc.name, 'link', 'add', 'docker0', 'type', 'bridge')
      ip('-n', pc.name, 'addr', 'add', `${DOCKER_ADDRESS}/16`, 'dev', 'docker0')
      ip('-n', pc.name, 'link', 'add', 'dk0', 'type', 'veth', 'peer', 'name', 'dk1')
      ip('-n', pc.name, 'link', 'set', 'dk0', 'master', 'docker0')
      for (const link of ['dk0', 'dk1', 'docker0']) ip('-n', pc.name, 'link', 'set', link, 'up')
      lan.join(lan.laptop, `${LAPTOP_ADDRESS}/24`)
      for (const bridge of ['lan0', 'docker0']) await lan.#carrier(bridge)
    } catch (error) {
      lan.destroy()
      throw error
    }
    return lan
  }

  async #carrier(link: string): Promise<void> {
    const deadline = Date.now() + 10_000
    for (;;) {
      const shown = Bun.spawnSync(['ip', '-n', this.pc.name, 'link', 'show', link], { stdout: 'pipe' }).stdout.toString()
      if (shown.includes('LOWER_UP')) return
      if (Date.now() > deadline) throw new Error(`${link} has no carrier after 10 s: ${shown.trim()}`)
      await Bun.sleep(50)
    }
  }

  /** Another machine on the LAN: a namespace of its own, linked to the LAN bridge, at `address` (with prefix). */
  addMachine(suffix: string, address: string): string {
    const name = `${this.pc.name}-${suffix}`
    this.join(name, address)
    return name
  }

  private join(name: string, address: string): void {
    ip('netns', 'add', name)
    this.#others.push(name)
    const port = `lp${this.#others.length}`
    ip('-n', name, 'link', 'set', 'lo', 'up')
    ip('-n', this.pc.name, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name)
    ip('-n', this.pc.name, 'link', 'set', port, 'master', 'lan0')
    ip('-n', this.pc.name, 'link', 'set', port, 'up')
    ip('-n', name, 'addr', 'add', address, 'dev', 'eth0')
    ip('-n', name, 'link', 'set', 'eth0', 'up')
  }

  destroy(): void {
    for (const name of this.#others) Bun.spawnSync(['ip', 'netns', 'delete', name], { stdout: 'ignore', stderr: 'ignore' })
    this.pc.destroy()
  }
}
