// The host's config file (config.json) as a TypeBox schema. Host-only; it lives beside the protocol's schemas so that
// the generator compiles it into schema/generated/checks.ts with them, and the running host loads no schema builder.
import Type, { type Static, type TSchema } from 'typebox'
import { MetricName } from './common.ts'
import { MAX_CREDENTIALS } from './constants.ts'
import { Hello, PairingToken } from './device-message.ts'
import { ScreenConfig, SessionConfig, StreamConfig } from './host-message.ts'

/**
 * `schema` refusing fields it does not declare, in every object it holds. The protocol lets a newer peer add fields;
 * in a file a person wrote, an unknown field is a typo (`carousel` for `carousel_ms`) and is refused.
 */
const closed = <T extends TSchema>(schema: T): T => {
  if (Type.IsObject(schema)) {
    const properties = Object.fromEntries(Object.entries(schema.properties).map(([key, field]) => [key, closed(field)]))
    return Type.With(schema, { properties, additionalProperties: false }) as T
  }
  if (Type.IsArray(schema)) return Type.With(schema, { items: closed(schema.items) }) as T
  return schema
}

/** One metric defined by a PromQL query, served to devices under its own name like the built-in ones. */
export const PromqlMetric = Type.Object(
  {
    name: Type.With(MetricName, { description: 'Its name: a-z, 0-9 and _, not a built-in metric.' }),
    url: Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://', description: 'Prometheus base URL.' }),
    query: Type.String({ minLength: 1, maxLength: 4096, description: 'PromQL query giving one series or a scalar.' }),
    scale: Type.Number({ exclusiveMinimum: 0, description: 'The query value that is 100 % of the needle.' }),
    unit: Type.Optional(Type.String({ minLength: 1, maxLength: 16, description: 'Unit of the query value, such as "B", "°C" or "B/s".' })),
  },
  { additionalProperties: false },
)

export const HostConfig = Type.Object(
  {
    metric: Type.Optional(MetricName),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65_535, description: 'TCP port; 0 picks a free one.' })),
    bind: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Address to listen on.' })),
    interval: Type.Optional(SessionConfig.properties.interval_ms),
    gpu: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: 63 }), Type.Literal('all')], { description: 'GPU index, or "all".' }),
    ),
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'Force one source.' })),
    prometheus: Type.Optional(
      Type.Object(
        {
          url: Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://', description: 'Prometheus base URL.' }),
          query: Type.String({ minLength: 1, maxLength: 4096, description: 'PromQL query.' }),
          scale: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Value that is 100 % of the needle.' })),
        },
        { additionalProperties: false },
      ),
    ),
    metrics: Type.Optional(
      Type.Array(PromqlMetric, { maxItems: 16, description: 'Metrics defined by PromQL queries, each under its own name.' }),
    ),
    // Tokens are sent in the hello frame, so they follow its pattern.
    token: Type.Optional(PairingToken),
    mdns: Type.Optional(Type.Boolean({ description: 'Advertise _sysboy._tcp by mDNS.' })),
    nvmlLib: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Path to the NVML library.' })),
    screens: Type.Optional(
      Type.Array(closed(ScreenConfig), {
        maxItems: 4,
        description:
          'The layout for each screen output id, used for every device that has a screen of that id, unless the device was given its own layout through the REST API.',
      }),
    ),
    streams: Type.Optional(
      Type.Array(closed(StreamConfig), {
        maxItems: 4,
        description:
          'What the host streams to each tft output id, for every device with a tft of that id that takes streams, unless the device was given its own stream or a layout without the stream scene for it through the REST API.',
      }),
    ),
  },
  { additionalProperties: false },
)

export type HostConfig = Static<typeof HostConfig>
export type PromqlMetric = Static<typeof PromqlMetric>

/** One board's own credential as the host keeps it: never the credential itself, only its SHA-256. */
export const StoredCredential = Type.Object(
  {
    device: Type.With(Hello.properties.device, { description: 'The device id the credential was issued to (its hello.device).' }),
    sha256: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: "The SHA-256 of the board's credential, base64url without padding." }),
    issued: Type.String({ minLength: 1, maxLength: 40, description: 'When it was issued, as an ISO 8601 time.' }),
  },
  { additionalProperties: false },
)

/** The credentials file (credentials.json beside config.json): the boards paired by approval. The host writes it. */
export const CredentialsFile = Type.Object(
  {
    credentials: Type.Array(StoredCredential, { maxItems: MAX_CREDENTIALS, description: 'One entry per paired board.' }),
  },
  { additionalProperties: false },
)

export type StoredCredential = Static<typeof StoredCredential>
export type CredentialsFile = Static<typeof CredentialsFile>
