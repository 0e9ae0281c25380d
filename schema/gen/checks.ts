// Emits schema/generated/checks.ts: each schema's validator, compiled now by TypeBox's Code() (its standalone-module
// output) rather than by Compile() when the host runs, and the shape schema/validator.ts cleans values with.
//
// Why: loading TypeBox's builder and compiler costs the running host about 6 MB of memory and a fifth of its idle CPU
// (bench/idle.ts); the checks it compiles are small. The host keeps TypeBox for the reasons of a refusal, loaded the
// first time a value fails its check.
import type { TSchema } from 'typebox'
import { Code } from 'typebox/compile'
import type { JsonSchema } from './rust.ts'

export interface NamedSchema {
  /** The exported constant's name in the generated file. */
  name: string
  /** One schema, or a union discriminated by a `type` literal: a record of validators by tag. */
  schema: TSchema
  tagged?: boolean
  /** What the schema is, for the constant's doc comment. */
  about: string
}

/** Which fields a valid value keeps; a union may only join scalars, since the cleaner does not pick branches. */
export const shapeOf = (node: JsonSchema, path = '#'): unknown => {
  if (node.anyOf !== undefined) {
    const branches = node.anyOf.map((branch, i) => shapeOf(branch, `${path}/anyOf/${i}`))
    if (branches.some((shape) => shape !== null)) throw new Error(`${path}: a union of objects or arrays cannot be cleaned by shape`)
    return null
  }
  if (node.type === 'object') {
    const properties = node.properties ?? {}
    if (node.additionalProperties !== undefined && typeof node.additionalProperties !== 'boolean') {
      throw new Error(`${path}: additionalProperties with a schema cannot be cleaned by shape`)
    }
    return { properties: Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, shapeOf(value, `${path}/properties/${key}`)])) }
  }
  if (node.type === 'array') {
    if (typeof node.items !== 'object' || node.items === null || Array.isArray(node.items)) throw new Error(`${path}: an array needs one items schema`)
    const items = shapeOf(node.items, `${path}/items`)
    return items === null ? null : { items }
  }
  return null
}

const KNOWN_IMPORTS: Record<string, string> = {
  'import { Hashing } from "typebox/system"': 'Hashing',
  'import { Guard } from "typebox/guard"': 'Guard',
}

/** One schema's check as an expression: TypeBox's module body in a function scope, returning its Check. */
const checkExpression = (named: NamedSchema, used: Set<string>): string => {
  const { External, Code: code } = Code(named.schema)
  const variables = (External.variables as unknown[]).map((variable) => {
    if (!(variable instanceof RegExp)) throw new Error(`${named.name}: external of type ${typeof variable}; only patterns can be written out`)
    return `new RegExp(${JSON.stringify(variable.source)}, ${JSON.stringify(variable.flags)})`
  })
  const body: string[] = []
  for (const line of code.split('\n')) {
    if (line.startsWith('import ')) {
      const binding = KNOWN_IMPORTS[line]
      if (binding === undefined) throw new Error(`${named.name}: the generated check needs ${line}, which this generator does not write`)
      continue
    }
    if (line === '' || line === '// @ts-ignore') continue
    if (line === `let ${External.identifier} = []`) {
      body.push(`const ${External.identifier} = [${variables.join(', ')}]`)
      continue
    }
    if (line.startsWith('export function SetExternal(')) continue
    if (line.startsWith('export function Check(value)')) {
      body.push(line.replace('export function Check(value)', 'return (value) =>'))
      continue
    }
    if (line.startsWith('export ')) throw new Error(`${named.name}: unexpected export in TypeBox's output: ${line}`)
    body.push(line)
  }
  const text = body.join('\n')
  for (const binding of Object.values(KNOWN_IMPORTS)) if (text.includes(`${binding}.`)) used.add(binding)
  return `(() => {\n${body.map((line) => `  ${line}`).join('\n')}\n})()`
}

/** The generated module's text. */
export const emitChecks = (generator: string, schemas: NamedSchema[]): string => {
  const used = new Set<string>()
  const validator = (named: NamedSchema, indent: string): string => {
    const check = checkExpression(named, used)
    const shape = JSON.stringify(shapeOf(JSON.parse(JSON.stringify(named.schema)) as JsonSchema))
    return `{\n${indent}  check: ${check.replaceAll('\n', `\n${indent}  `)},\n${indent}  shape: ${shape},\n${indent}}`
  }
  const entries = schemas.map((named) => {
    if (named.tagged !== true) return `/** ${named.about} */\nexport const ${named.name}: Validator = ${validator(named, '')}\n`
    const variants = (named.schema as { anyOf?: TSchema[] }).anyOf ?? []
    const members = variants.map((variant, i) => {
      const tag = (variant as { properties?: { type?: { const?: unknown } } }).properties?.type?.const
      if (typeof tag !== 'string') throw new Error(`${named.name}: variant ${i} has no \`type\` literal`)
      return `  ${JSON.stringify(tag)}: ${validator({ ...named, name: `${named.name}.${tag}`, schema: variant }, '  ')},`
    })
    return `/** ${named.about} By the \`type\` tag. */\nexport const ${named.name}: Readonly<Record<string, Validator>> = {\n${members.join('\n')}\n}\n`
  })
  const imports = Object.entries(KNOWN_IMPORTS)
    .filter(([, binding]) => used.has(binding))
    .map(([line]) => `${line.replaceAll('"', "'")}`)
  return [
    `// Generated by ${generator}: do not edit; run \`npm run gen\`.`,
    "// Each check is TypeBox's own validator for the schema, compiled by its Code() at generation time; each shape lists",
    '// the fields a valid value keeps (schema/validator.ts cleans with it).',
    '// @ts-nocheck',
    ...imports,
    "import type { Validator } from '../validator.ts'",
    '',
    entries.join('\n'),
  ].join('\n')
}
