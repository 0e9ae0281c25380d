// Building blocks shared by both directions of Sysboy protocol v1.
import Type from 'typebox'

export { APPLIED_EVERY_FRAMES, APPLIED_WITHIN_MS, DEFAULT_PORT, DEVICE_PATH, MAX_SAFE, MAX_U32, MDNS_SERVICE, PROTOCOL_VERSION } from './constants.ts'
import { MAX_SAFE, MAX_U32 } from './constants.ts'

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

export const Chip = Type.Union([Type.Literal('esp32c3'), Type.Literal('esp32c6'), Type.Literal('esp32'), Type.Literal('sim')], {
  title: 'Chip',
  description: 'The board the firmware runs on; `sim` is the simulated device.',
})

export const PairingToken = Type.String({
  minLength: 8,
  maxLength: 128,
  pattern: '^[A-Za-z0-9_-]+$',
  description: 'Pairing token, unless it came as `Authorization: Bearer` on the upgrade.',
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

export const StreamEncoding = Type.Union([Type.Literal('raw565'), Type.Literal('rle565'), Type.Literal('lz4_565')], {
  title: 'StreamEncoding',
  description:
    'How a stream rectangle\'s pixels are sent: RGB565 big-endian, row by row (`raw565`); runs of one RGB565 pixel, each a one-byte count (1-256, stored as count - 1) and the pixel, big-endian (`rle565`); or the raw565 bytes as an LZ4 block (`lz4_565`).',
})
