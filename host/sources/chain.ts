// A chain of sources for one metric: the first that works is used; failed ones are retried later, not every tick.
import { unknown } from './figure.ts'
import type { MetricSource, Reading } from './source.ts'

interface Link {
  source: MetricSource
  /** Why it last failed, and when; undefined while it works or has not been tried. */
  failure?: { reason: string; at: number }
}

export interface ChainOptions {
  metric: string
  /** Sources in order of preference. */
  sources: MetricSource[]
  /** How long a failed source is left alone before it is tried again. */
  retryMs?: number
  /** Leads the reason when none works, e.g. "no GPU found". */
  noneWorks?: string
}

export const createChainSource = (options: ChainOptions): MetricSource => {
  const links: Link[] = options.sources.map((source) => ({ source }))
  const retryMs = options.retryMs ?? 30_000
  let active: Link | undefined
  /** Takes what `link` read: a known reading is the chain's (and the link the active one); else it is noted. */
  const settle = (link: Link, reading: Reading, now: number): Reading | undefined => {
    if (reading.known) {
      link.failure = undefined
      if (active !== link) {
        // A better source came back (or the first one was found): let the one it replaces free what it holds.
        active?.source.close()
        active = link
      }
      return reading
    }
    link.failure = { reason: reading.reason, at: now }
    if (active === link) active = undefined
    return undefined
  }
  const noneWorks = (): Reading => {
    const reasons = links
      .map((link) => {
        const name = link.source.name
        const reason = link.failure?.reason ?? 'not tried'
        // "nvidia-smi: not on PATH" rather than "nvidia-smi: nvidia-smi not on PATH".
        return `${name}: ${reason.startsWith(`${name} `) ? reason.slice(name.length + 1) : reason}`
      })
      .join('; ')
    return unknown(`${options.noneWorks ?? `no source works for ${options.metric}`}: ${reasons}`)
  }
  /** Tries the links from `first` on; answers at once while each answers at once, else gives a promise. */
  const readFrom = (first: number, now: number): Reading | Promise<Reading> => {
    for (let index = first; index < links.length; index++) {
      const link = links[index] as Link
      const resting = link !== active && link.failure !== undefined && now - link.failure.at < retryMs
      if (resting) continue
      const reading = link.source.read()
      if (reading instanceof Promise) return reading.then((read) => settle(link, read, now) ?? readFrom(index + 1, now))
      const settled = settle(link, reading, now)
      if (settled !== undefined) return settled
    }
    return noneWorks()
  }
  return {
    get name(): string {
      return active?.source.name ?? 'none'
    },
    metric: options.metric,
    read: (): Reading | Promise<Reading> => readFrom(0, performance.now()),
    close: (): void => {
      for (const link of links) link.source.close()
      active = undefined
    },
  }
}
