import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { holds, PROPERTY_TIMEOUT_MS } from '../../schema/fuzz/property.ts'
import { anyJson, anyText, misshaped, shaped } from '../../schema/fuzz/shaped.ts'
import { printable } from '../../schema/printable.ts'
import type { TSchema } from 'typebox'
import { HostConfig } from '../../schema/host-config.ts'
import { ConfigError, readConfigFile } from './file.ts'

const dir = mkdtempSync(join(tmpdir(), 'sysboy-config-fuzz-'))
const path = join(dir, 'config.json')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const knownFields = new Set(Object.keys(HostConfig.properties))
const ONE_LINE = /^[^\n\r\u2028\u2029]+$/

/**
 * Every place in `value` with fields `schema` does not declare, as the refusal words it (`screens.0.names`), walked
 * from the TypeBox schema itself rather than the generated shape the reader walks.
 */
const unknownAt = (value: unknown, schema: TSchema, at = ''): string[] => {
  const node = schema as { properties?: Record<string, TSchema>; items?: TSchema }
  if (typeof value !== 'object' || value === null) return []
  if (Array.isArray(value)) return node.items === undefined ? [] : value.flatMap((item, i) => unknownAt(item, node.items as TSchema, `${at}${i}.`))
  if (node.properties === undefined) return []
  const properties = node.properties
  const extra = Object.keys(value).filter((k) => !Object.hasOwn(properties, k)).map((k) => printable(k, 64))
  return [
    ...(extra.length > 0 ? [`${at}${extra.join(', ')}`] : []),
    ...Object.entries(value).flatMap(([k, v]) => (Object.hasOwn(properties, k) ? unknownAt(v, properties[k] as TSchema, `${at}${k}.`) : [])),
  ]
}

/** Reads `contents` as the config file; a refusal must be a ConfigError of one line, `file: field: reason`. */
const expectReadOrRefused = (contents: string | Uint8Array): void => {
  writeFileSync(path, contents)
  let read: ReturnType<typeof readConfigFile>
  try {
    read = readConfigFile(path, true)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    const message = (error as ConfigError).message
    expect(message).toMatch(ONE_LINE)
    expect(message.startsWith(`${path}: `)).toBe(true)
    const rest = message.slice(path.length + 2)
    if (rest.startsWith('not valid JSON: ')) return
    // `field: reason`, and the field is one the file has (or lacks, or should not have).
    const value = JSON.parse(typeof contents === 'string' ? contents : new TextDecoder().decode(contents)) as unknown
    const unknown = /^(.*): unknown field \(known: [a-z_, A-Z]+\)$/.exec(rest)
    if (unknown !== null) {
      expect(unknownAt(value, HostConfig)).toContain(unknown[1] as string)
      return
    }
    const field = /^([a-z0-9_.()A-Z ]+?): \S/.exec(rest)?.[1]
    expect(field).toBeDefined()
    if (field === '(top level)') return
    expect(knownFields.has((field as string).split('.')[0] as string)).toBe(true)
    return
  }
  const text = typeof contents === 'string' ? contents : new TextDecoder().decode(contents)
  expect(read).toEqual({ config: JSON.parse(text) as never, exists: true })
}

const hints = { prometheus: shaped(HostConfig.properties.prometheus) }

describe('readConfigFile under fuzzing', () => {
  it(
    'reads any file as a config or refuses it with one ConfigError line naming the file, the field and the reason',
    () => {
      holds(
        'config file: any contents',
        fc.property(
          fc.oneof(
            fc.uint8Array({ maxLength: 64 }),
            anyText(80),
            fc.json({ maxDepth: 3 }),
            anyJson.map((value) => JSON.stringify(value)),
            misshaped(HostConfig, { hints }).map((value) => JSON.stringify(value, null, 2)),
          ),
          expectReadOrRefused,
        ),
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'reads back every config the schema allows as it was written',
    () => {
      holds(
        'config file: every valid config',
        fc.property(shaped(HostConfig), fc.constantFrom(undefined, 2, '\t'), (config, indent) => {
          writeFileSync(path, JSON.stringify(config, null, indent))
          expect(readConfigFile(path, true)).toEqual({ config: config as never, exists: true })
        }),
      )
    },
    PROPERTY_TIMEOUT_MS,
  )
})
