// The host's config file (config.json) as a TypeBox schema. Host-only; it lives beside the protocol's schemas so that
// the generator compiles it into schema/generated/checks.ts with them, and the running host loads no schema builder.
import Type, { type Static } from 'typebox'
import { MetricName } from './common.ts'
import { PairingToken } from './device-message.ts'
import { SessionConfig } from './host-message.ts'

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
    // Tokens are sent in the hello frame, so they follow its pattern.
    token: Type.Optional(PairingToken),
    mdns: Type.Optional(Type.Boolean({ description: 'Advertise _sysboy._tcp by mDNS.' })),
    nvmlLib: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Path to the NVML library.' })),
  },
  { additionalProperties: false },
)

export type HostConfig = Static<typeof HostConfig>
