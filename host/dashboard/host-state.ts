// What the page knows of the host, built only from what the host pushes (events) and the history it seeds: a reducer,
// so no component holds a global mutable copy.
// The host's own types, imported as types only: nothing of the server enters the page's bundle.
import type { MetricFrame } from '../../schema/index.ts'
import type { CredentialInfo } from '../server/credentials.ts'
import type { PairRequestInfo } from '../server/pair-requests.ts'
import type { ListedDevice } from '../server/rest-api.ts'

export type { ListedDevice }
import type { LinkState } from './host-link.ts'
import { metricName } from './units.ts'

/** The `hello` event: who the host is and what it offers. */
export interface HostHello {
  version: string
  host: string
  metrics: string[]
  intervalMs: number
  staleAfterMs: number
}

/** A metric's recent percents for its sparkline: times in seconds (uPlot's unit) and values, oldest first. */
export interface Series {
  times: number[]
  values: (number | null)[]
}

/** How many minutes of history a sparkline shows. */
export const HISTORY_MINUTES = 5

export interface HostState {
  link: LinkState
  hello: HostHello | null
  metrics: Record<string, MetricFrame>
  devices: ListedDevice[]
  pairing: PairRequestInfo[]
  credentials: CredentialInfo[]
  history: Record<string, Series>
  /** When the last event came (ms), for the state line. */
  updatedAt: number | null
}

export const initialState: HostState = {
  link: { kind: 'connecting' },
  hello: null,
  metrics: {},
  devices: [],
  pairing: [],
  credentials: [],
  history: {},
  updatedAt: null,
}

export type HostAction =
  | { type: 'link'; state: LinkState }
  | { type: 'event'; name: string; data: unknown; now: number }
  | { type: 'history'; data: Record<string, { interval_ms: number; values: (number | null)[]; ts?: number }>; now: number }

/** Keeps the last HISTORY_MINUTES of a series, ending at `now` (ms). */
const trim = (series: Series, now: number): Series => {
  const from = now / 1000 - HISTORY_MINUTES * 60
  const first = series.times.findIndex((t) => t >= from)
  if (first <= 0) return series
  return { times: series.times.slice(first), values: series.values.slice(first) }
}

/** Appends each frame with a new seq (or a new time) to its metric's series. */
const appendFrames = (history: Record<string, Series>, metrics: Record<string, MetricFrame>, before: Record<string, MetricFrame>, now: number): Record<string, Series> => {
  const next = { ...history }
  for (const [key, frame] of Object.entries(metrics)) {
    const old = before[key]
    if (old !== undefined && old.seq === frame.seq && old.ts === frame.ts && old.value === frame.value) continue
    const name = metricName(frame)
    const series = next[name] ?? { times: [], values: [] }
    const t = (frame.ts ?? now) / 1000
    const last = series.times.at(-1)
    if (last !== undefined && t <= last) continue
    next[name] = trim({ times: [...series.times, t], values: [...series.values, frame.value] }, now)
  }
  return next
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

export const hostReducer = (state: HostState, action: HostAction): HostState => {
  switch (action.type) {
    case 'link':
      // Figures the host can no longer confirm are not kept as if live.
      return action.state.kind === 'live' ? { ...state, link: action.state } : { ...state, link: action.state, metrics: {} }
    case 'history': {
      const history: Record<string, Series> = {}
      for (const [name, burst] of Object.entries(action.data)) {
        const end = burst.ts ?? action.now
        const count = burst.values.length
        const times = burst.values.map((_, i) => (end - (count - 1 - i) * burst.interval_ms) / 1000)
        const seeded: Series = { times, values: [...burst.values] }
        // Live values that came before the history answered stay after it.
        const live = state.history[name]
        if (live !== undefined) {
          const newest = times.at(-1) ?? 0
          live.times.forEach((t, i) => {
            if (t > newest) {
              seeded.times.push(t)
              seeded.values.push(live.values[i] ?? null)
            }
          })
        }
        history[name] = trim(seeded, action.now)
      }
      return { ...state, history: { ...state.history, ...history } }
    }
    case 'event': {
      const { data, now } = action
      const updated = { ...state, updatedAt: now }
      switch (action.name) {
        case 'hello':
          return isObject(data) ? { ...updated, hello: data as unknown as HostHello } : state
        case 'metrics':
          if (!isObject(data)) return state
          // An event may carry every metric or only those that changed: merged, the newest frame of each wins.
          return {
            ...updated,
            metrics: { ...state.metrics, ...(data as Record<string, MetricFrame>) },
            history: appendFrames(state.history, data as Record<string, MetricFrame>, state.metrics, now),
          }
        case 'devices':
          return Array.isArray(data) ? { ...updated, devices: data as ListedDevice[] } : state
        case 'pairing':
          return Array.isArray(data) ? { ...updated, pairing: data as PairRequestInfo[] } : state
        case 'credentials':
          return Array.isArray(data) ? { ...updated, credentials: data as CredentialInfo[] } : state
        default:
          return state
      }
    }
  }
}
