// The protocol's constants, apart from the TypeBox schemas so that code which needs only these loads no schema builder.

/** The protocol version this schema describes; hello and welcome carry it. */
export const PROTOCOL_VERSION = 1

/** The TCP port the host listens on unless told otherwise, and a device assumes for a saved address without one. */
export const DEFAULT_PORT = 8377

/** The HTTP path of the host's WebSocket endpoint for devices (also in the mDNS TXT record as `path`). */
export const DEVICE_PATH = '/ws'

/** The DNS-SD service type the host advertises and devices browse for. */
export const MDNS_SERVICE = '_sysboy._tcp.local'

/** A device with `flow_control` sends `applied` no later than this many ms after applying a metric frame... */
export const APPLIED_WITHIN_MS = 100

/** ...and no later than after this many metric frames, so a host window of twice as many never waits on the timer. */
export const APPLIED_EVERY_FRAMES = 2

/** Largest integer both JavaScript and Rust carry exactly (2^53 - 1). */
export const MAX_SAFE = Number.MAX_SAFE_INTEGER

/** Largest value of an unsigned 32-bit counter. */
export const MAX_U32 = 4_294_967_295

/** The built-in metrics; each is its own frame type, as in the seed `{"type":"vram","value":60.5}`. */
export const BUILTIN_METRICS = ['vram', 'gpu_util', 'gpu_temp', 'cpu', 'ram', 'net_rx', 'net_tx', 'disk'] as const
export type BuiltinMetric = (typeof BUILTIN_METRICS)[number]

/** Bounds of a session's sampling interval and of its stale timeout, in ms; the host's settings use them too. */
export const INTERVAL_MS = { minimum: 50, maximum: 60_000 } as const
export const STALE_AFTER_MS = { minimum: 500, maximum: 600_000 } as const

/** Bounds of the needle's ballistics: its settling time in ms and its overshoot in percent of a step. */
export const SETTLE_MS = { minimum: 50, maximum: 5_000 } as const
export const OVERSHOOT_PCT = { minimum: 0, maximum: 1.5 } as const

/** The host's offset from UTC in minutes: the furthest real zones are +14:00 and -12:00. */
export const UTC_OFFSET_MIN = { minimum: -840, maximum: 840 } as const

/** A percentage, as alert limits take it. */
export const PERCENT = { minimum: 0, maximum: 100 } as const

/** Bounds of a screen's layout: how many scenes, the time on each in a carousel (ms), how many alert limits. */
export const SCENES_PER_SCREEN = { minimum: 1, maximum: 8 } as const
export const CAROUSEL_MS = { minimum: 1_000, maximum: 3_600_000 } as const
export const ALERTS_PER_SCREEN = 8

/** The most values a history burst carries: one per pixel column of a 128-pixel-wide screen. */
export const HISTORY_VALUES = 128

/** The most boards the credentials file holds (pairing by approval); the host refuses to issue more. */
export const MAX_CREDENTIALS = 1_000
