// Runs every golden vector in schema/vectors/ through the TypeScript decoders; the Rust tests run the same files.
import { describe, expect, it } from 'bun:test'
import { decodeDeviceMessage, decodeHostMessage } from './decode.ts'
import { BUILTIN_METRICS } from './host-message.ts'
import { DeviceMessage, HostMessage } from './schemas.ts'
import { loadVectors } from './vector-file.ts'

const vectors = loadVectors()
const decoders = { host_to_device: decodeHostMessage, device_to_host: decodeDeviceMessage }

describe('golden vectors', () => {
  it('cover at least 40 messages, every message type, accepts and rejects', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(40)
    const accepted = (direction: string): Set<string> =>
      new Set(
        vectors
          .filter((v) => v.vector.expect === 'accept' && v.vector.direction === direction)
          .map((v) => (v.vector.json as { type: string }).type),
      )
    const tags = (union: { anyOf: { properties: { type: { const: string } } }[] }): string[] =>
      union.anyOf.map((variant) => variant.properties.type.const)
    expect([...accepted('host_to_device')].sort()).toEqual(tags(HostMessage).sort())
    expect([...accepted('device_to_host')].sort()).toEqual(tags(DeviceMessage).sort())
    expect(vectors.some((v) => v.vector.expect === 'reject' && v.vector.code === 'bad_json')).toBe(true)
    expect(vectors.some((v) => v.vector.expect === 'reject' && v.vector.code === 'unknown_type')).toBe(true)
  })

  it('know every built-in metric as a host message type', () => {
    const hostTypes = HostMessage.anyOf.map((variant) => variant.properties.type.const as string)
    for (const metric of BUILTIN_METRICS) expect(hostTypes).toContain(metric)
  })

  it('include the seed example as an accepted host frame', () => {
    const seed = vectors.find((v) => v.frame === '{"type":"vram","value":60.5}')
    expect(seed?.vector.expect).toBe('accept')
  })

  for (const { file, vector, frame } of vectors) {
    if (vector.expect === 'accept') {
      it(`accepts ${file}: ${vector.description}`, () => {
        const result = decoders[vector.direction](frame)
        if (!result.ok) throw new Error(`${file} was rejected: ${result.code}: ${result.reason}`)
        expect(result.message as unknown).toEqual(vector.decoded)
      })
    } else {
      it(`rejects ${file}: ${vector.description}`, () => {
        const result = decoders[vector.direction](frame)
        if (result.ok) throw new Error(`${file} was accepted as ${JSON.stringify(result.message)}`)
        expect(result.code).toBe(vector.code)
        expect(result.reason).toContain(vector.reason_includes)
      })
    }
  }
})
