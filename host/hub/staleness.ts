// When a metric's newest frame stops passing for live, and what is served in its place: the one rule the hub applies
// before it seeds a device or answers /api/metrics.
import type { MetricFrame } from '../../schema/index.ts'
import { STALE_AFTER_MS } from '../../schema/index.ts'

/** A frame is stale once this many sampling intervals have gone by without a newer one (the device's own rule too). */
export const STALE_AFTER_INTERVALS = 3

/** How old a frame of a metric sampled every `intervalMs` may be and still pass for live, within the schema's bounds. */
export const staleAfterMs = (intervalMs: number): number =>
  Math.min(STALE_AFTER_MS.maximum, Math.max(STALE_AFTER_MS.minimum, Math.round(intervalMs * STALE_AFTER_INTERVALS)))

/** Whether a frame read `ageMs` ago is past its metric's bound. */
export const isStale = (ageMs: number, boundMs: number): boolean => ageMs > boundMs

/**
 * The frame served in place of a stale one: value null with a reason that starts "stale", the figures dropped. It keeps
 * the old `seq` and `ts`, so a reader sees which reading it was and when it was taken.
 */
export const staleFrame = (frame: MetricFrame, ageMs: number, boundMs: number): MetricFrame => {
  const { value: _value, reason: _reason, used: _used, total: _total, raw: _raw, unit: _unit, ...kept } = frame
  const seconds = (ms: number): string => (ms / 1000).toFixed(1)
  return { ...kept, value: null, reason: `stale: the newest reading is ${seconds(ageMs)} s old, over the ${seconds(boundMs)} s bound` }
}
