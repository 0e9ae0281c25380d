// The shape of a golden vector file in schema/vectors/, and a loader both language's tests mirror.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Type, { type Static } from 'typebox'
import { Compile } from 'typebox/compile'
import { ErrorCode } from './common.ts'

const Direction = Type.Union([Type.Literal('host_to_device'), Type.Literal('device_to_host')])

export const VectorFile = Type.Union([
  Type.Object(
    {
      description: Type.String({ minLength: 1 }),
      direction: Direction,
      expect: Type.Literal('accept'),
      json: Type.Unknown(),
      decoded: Type.Unknown(),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      description: Type.String({ minLength: 1 }),
      direction: Direction,
      expect: Type.Literal('reject'),
      json: Type.Optional(Type.Unknown()),
      text: Type.Optional(Type.String()),
      code: ErrorCode,
      reason_includes: Type.String({ minLength: 1 }),
    },
    { additionalProperties: false },
  ),
])
export type VectorFile = Static<typeof VectorFile>

export interface Vector {
  file: string
  vector: VectorFile
  /** The exact frame text both decoders are given. */
  frame: string
}

const checkVector = Compile(VectorFile)

/** Every vector in `dir`, in file-name order; a malformed vector file throws naming the file. */
export const loadVectors = (dir: string = join(import.meta.dir, 'vectors')): Vector[] =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((file) => {
      const vector: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'))
      if (!checkVector.Check(vector)) {
        const [error] = [...checkVector.Errors(vector)]
        throw new Error(`${file}: not a vector file: ${error?.instancePath} ${error?.message}`)
      }
      const hasText = 'text' in vector && vector.text !== undefined
      if (vector.expect === 'reject' && hasText === ('json' in vector)) {
        throw new Error(`${file}: a reject vector has exactly one of "json" and "text"`)
      }
      const frame = hasText ? (vector as { text: string }).text : JSON.stringify(vector.json)
      return { file, vector, frame }
    })
