// Building blocks shared by both directions of Sysboy protocol v1.
import Type from 'typebox'

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

export const ProtocolVersion = Type.Integer({
  minimum: 1,
  maximum: 65_535,
  description: 'Protocol version spoken by the sender.',
})

/** Readable text of 1 to `max` characters. */
export const Text = (max: number, description: string) =>
  Type.String({ minLength: 1, maxLength: max, description })

/** A short lower-case identifier such as an output, a button or a metric name. */
export const Ident = (description: string) =>
  Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9_]+$', description })

export const MetricName = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[a-z0-9_]+$',
  description: 'Metric name: one of the built-in metrics or a user-defined one (a Prometheus query, say).',
})

export const Seq = (description: string) => Type.Integer({ minimum: 0, maximum: MAX_U32, description })

export const Timestamp = Type.Integer({
  minimum: 0,
  maximum: MAX_SAFE,
  description: 'Milliseconds since the Unix epoch.',
})

export const ErrorCode = Type.Union(
  [
    Type.Literal('bad_json'),
    Type.Literal('bad_frame'),
    Type.Literal('unknown_type'),
    Type.Literal('too_large'),
    Type.Literal('binary_frame'),
    Type.Literal('unauthorized'),
    Type.Literal('unsupported_version'),
    Type.Literal('rate_limited'),
    Type.Literal('unknown_metric'),
    Type.Literal('unknown_output'),
    Type.Literal('bad_config'),
    Type.Literal('internal'),
  ],
  { title: 'ErrorCode', description: 'Why a frame or a request was refused.' },
)

export const ErrorMessage = Type.Object(
  {
    type: Type.Literal('error'),
    code: ErrorCode,
    reason: Text(200, 'What went wrong, for a person to read.'),
    id: Type.Optional(Seq('The id of the command this error answers, when it answers one.')),
  },
  { title: 'ErrorReport', description: 'A refusal with a code and a readable reason. The session goes on.' },
)

export const Heartbeat = Type.Object(
  {
    type: Type.Literal('heartbeat'),
    seq: Type.Optional(Seq('Counts heartbeats from this sender.')),
    ts: Type.Optional(Timestamp),
  },
  { title: 'Heartbeat', description: 'Keeps an idle session alive; either side may send it.' },
)
