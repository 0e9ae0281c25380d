// `npm run gen`: writes the protocol's JSON Schema files and Rust types; `--check` fails if they have drifted.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { APPLIED_EVERY_FRAMES, APPLIED_WITHIN_MS, DEFAULT_PORT, DEVICE_PATH, MDNS_SERVICE, PROTOCOL_VERSION } from '../common.ts'
import { DeviceMessage, PairingToken } from '../device-message.ts'
import { CredentialsFile, HostConfig } from '../host-config.ts'
import { HostMessage, SessionConfig } from '../host-message.ts'
import { MetricName } from '../common.ts'
import { emitChecks } from './checks.ts'
import { type JsonSchema, RustEmitter } from './rust.ts'

const GENERATOR = 'schema/gen/main.ts (Sysboy protocol generator: TypeBox -> JSON Schema -> Rust)'

interface Output {
  path: string
  text: string
}

const jsonSchemaDocument = (id: string, schema: object): JsonSchema & Record<string, unknown> => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: `urn:sysboy:protocol:1:${id}`,
  ...(JSON.parse(JSON.stringify(schema)) as JsonSchema),
})

/** Everything the generator writes, relative to the repository root. */
export const generate = (): Output[] => {
  const host = jsonSchemaDocument('host-message', HostMessage)
  const device = jsonSchemaDocument('device-message', DeviceMessage)
  const rust = new RustEmitter(GENERATOR).emit(
    [
      { name: 'HostMessage', schema: host },
      { name: 'DeviceMessage', schema: device },
    ],
    [
      { name: 'PROTOCOL_VERSION', value: PROTOCOL_VERSION, type: 'u16', description: 'The protocol version this crate speaks.' },
      { name: 'DEFAULT_PORT', value: DEFAULT_PORT, type: 'u16', description: "The host's TCP port unless it is told otherwise." },
      { name: 'DEVICE_PATH', value: DEVICE_PATH, description: "The HTTP path of the host's WebSocket endpoint for devices." },
      { name: 'MDNS_SERVICE', value: MDNS_SERVICE, description: 'The DNS-SD service type the host advertises.' },
      {
        name: 'APPLIED_WITHIN_MS',
        value: APPLIED_WITHIN_MS,
        type: 'u32',
        description: 'A device with `flow_control` sends `applied` no later than this many ms after applying a metric frame.',
      },
      {
        name: 'APPLIED_EVERY_FRAMES',
        value: APPLIED_EVERY_FRAMES,
        type: 'u32',
        description: 'A device with `flow_control` sends `applied` no later than after this many metric frames.',
      },
    ],
  )
  return [
    { path: 'schema/json/host-message.schema.json', text: `${JSON.stringify(host, null, 2)}\n` },
    { path: 'schema/json/device-message.schema.json', text: `${JSON.stringify(device, null, 2)}\n` },
    { path: 'firmware-rs/protocol/src/generated.rs', text: rust },
    {
      path: 'schema/generated/checks.ts',
      text: emitChecks('schema/gen/main.ts', [
        { name: 'deviceMessages', schema: DeviceMessage, tagged: true, about: 'Device → host messages.' },
        { name: 'hostMessages', schema: HostMessage, tagged: true, about: 'Host → device messages.' },
        { name: 'metricName', schema: MetricName, about: 'A metric name.' },
        { name: 'pairingToken', schema: PairingToken, about: 'A pairing token.' },
        { name: 'sessionConfig', schema: SessionConfig, about: "A device's session config (the REST API's PUT body)." },
        { name: 'hostConfig', schema: HostConfig, about: "The host's config file." },
        { name: 'credentialsFile', schema: CredentialsFile, about: "The host's credentials file (boards paired by approval)." },
      ]),
    },
  ]
}

/** The generated files whose content on disk differs from what the generator writes now. */
export const drift = async (root: string, outputs: Output[]): Promise<string[]> => {
  const stale: string[] = []
  for (const output of outputs) {
    const current = await readFile(join(root, output.path), 'utf8').catch(() => undefined)
    if (current !== output.text) stale.push(output.path)
  }
  return stale
}

const main = async (args: string[]): Promise<number> => {
  const root = resolve(import.meta.dir, '../..')
  const outputs = generate()
  if (args.includes('--check')) {
    const stale = await drift(root, outputs)
    if (stale.length > 0) {
      console.error(`generated files are out of date: ${stale.join(', ')}\nrun \`npm run gen\` and commit the result`)
      return 1
    }
    console.log(`generated files are up to date (${outputs.length} files)`)
    return 0
  }
  for (const output of outputs) {
    const path = join(root, output.path)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, output.text)
    console.log(`wrote ${relative(process.cwd(), path)}`)
  }
  return 0
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)))
