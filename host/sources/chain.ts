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
  return {
    get name(): string {
      return active?.source.name ?? 'none'
    },
    metric: options.metric,
    read: async (): Promise<Reading> => {
      const now = performance.now()
      for (const link of links) {
        const resting = link !== active && link.failure !== undefined && now - link.failure.at < retryMs
        if (resting) continue
        const reading = await link.source.read()
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
      }
      const reasons = links
        .map((link) => {
          const name = link.source.name
          const reason = link.failure?.reason ?? 'not tried'
          // "nvidia-smi: not on PATH" rather than "nvidia-smi: nvidia-smi not on PATH".
          return `${name}: ${reason.startsWith(`${name} `) ? reason.slice(name.length + 1) : reason}`
        })
        .join('; ')
      return unknown(`${options.noneWorks ?? `no source works for ${options.metric}`}: ${reasons}`)
    },
    close: (): void => {
      for (const link of links) link.source.close()
      active = undefined
    },
  }
}
