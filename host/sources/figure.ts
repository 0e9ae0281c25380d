// Builds readings: percent clamped to 0..100 and rounded to 0.1, and "unknown" with a reason (never 0).
import type { Figure, Reading } from './source.ts'

/** Clamps to 0..100 and rounds to 0.1 %, finer than any panel meter can show. */
export const clampPercent = (percent: number): number => Math.round(Math.min(100, Math.max(0, percent)) * 10) / 10

/** A known reading; a percent that is not a finite number becomes unknown rather than a wrong needle. */
export const known = (figure: Figure): Reading =>
  Number.isFinite(figure.percent)
    ? { known: true, figure: { ...figure, percent: clampPercent(figure.percent) } }
    : { known: false, reason: 'the figure read was not a number' }

export const unknown = (reason: string): Reading => ({ known: false, reason })

/** The message of anything thrown, on one line. */
export const describeError = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim()
