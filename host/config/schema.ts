// The host's config file (config.json) as a TypeBox schema; host-only, so it lives here rather than in schema/.
import type { Static } from 'typebox'
import Type from 'typebox'

/** Tokens are sent in the hello frame, so they follow its pattern. */
export const TOKEN_PATTERN = '^[A-Za-z0-9_-]{8,128}$'

export const HostConfig = Type.Object(
  {
    metric: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9_]+$', description: 'Metric to serve.' })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65_535, description: 'TCP port; 0 picks a free one.' })),
    bind: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Address to listen on.' })),
    interval: Type.Optional(Type.Integer({ minimum: 50, maximum: 60_000, description: 'Sampling interval in ms.' })),
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
    token: Type.Optional(Type.String({ pattern: TOKEN_PATTERN, description: 'Pairing token (8-128 of A-Z a-z 0-9 _ -).' })),
    mdns: Type.Optional(Type.Boolean({ description: 'Advertise _sysboy._tcp by mDNS.' })),
    nvmlLib: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Path to the NVML library.' })),
  },
  { additionalProperties: false },
)

export type HostConfig = Static<typeof HostConfig>
