// The one interface every metric source implements: read() gives a figure, or "unknown" with a reason.
import type { BuiltinMetric } from '../../schema/index.ts'

/**
 * The environment a source finds its tools on (PATH) and runs its children with: the map the CLI was given, handed
 * down through the settings, so that no source reads the process's own environment.
 */
export type Environment = Readonly<Record<string, string | undefined>>

/** A figure a source read, already scaled to the needle's percent. */
export interface Figure {
  /** Percent of full scale, 0 to 100. */
  percent: number
  /** Raw amount in use (bytes for memory). */
  used?: number
  /** Raw capacity (bytes for memory). */
  total?: number
  /** The figure in its own unit. */
  raw?: number
  /** Unit of `raw`. */
  unit?: string
  /** Which GPU the figure is for: an index, or "all". */
  gpu?: string
  /** For a rate or a share of time: how many milliseconds it was measured over. */
  windowMs?: number
}

/** What one read gives: a figure, or why there is none. Never 0 for unknown. */
export type Reading = { known: true; figure: Figure } | { known: false; reason: string }

/** One way of reading one metric (NVML, nvidia-smi, procfs, ...). */
export interface MetricSource {
  /** Short name shown to users and sent as the frame's `source`, e.g. "nvml". */
  readonly name: string
  /** The metric it reads: a built-in metric or a user-named one. */
  readonly metric: BuiltinMetric | string
  /**
   * Reads the figure now. Must not spawn a process per call where a library call or file read will do. A source that
   * reads at once (a library call, a /proc file) answers at once; one that waits (a child's output, the network) gives
   * a promise, and only that is raced against the sampler's read timeout.
   */
  read(): Reading | Promise<Reading>
  /** Releases what the source holds (libraries, child processes, sockets). */
  close(): void
}

/** Whether a source can work on this machine, and why not, for `sysboy doctor`. */
export interface Availability {
  source: string
  metric: BuiltinMetric | string
  works: boolean
  detail: string
}
