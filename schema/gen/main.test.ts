// The drift check: a schema changed without `npm run gen` fails `npm run gen:check`, and so `npm test`.
import { describe, expect, it } from 'bun:test'
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { drift, generate } from './main.ts'

const repo = resolve(import.meta.dir, '../..')

/** A throwaway copy of the schema and the generated files, so the test can edit them freely. */
const copyOfRepo = (): string => {
  const root = mkdtempSync(join(tmpdir(), 'sysboy-gen-'))
  cpSync(join(repo, 'schema'), join(root, 'schema'), { recursive: true })
  cpSync(join(repo, 'firmware-rs/protocol/src'), join(root, 'firmware-rs/protocol/src'), { recursive: true })
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'))
  return root
}

const runCheck = (root: string): { code: number; stderr: string } => {
  const run = Bun.spawnSync([process.execPath, join(root, 'schema/gen/main.ts'), '--check'], { cwd: root })
  return { code: run.exitCode, stderr: run.stderr.toString() }
}

describe('gen:check', () => {
  it('finds the committed generated files up to date', async () => {
    expect(await drift(repo, generate())).toEqual([])
  })

  it('fails when a schema changes without regenerating', () => {
    const root = copyOfRepo()
    try {
      expect(runCheck(root).code).toBe(0)
      const schema = join(root, 'schema/host-message.ts')
      const edited = readFileSync(schema, 'utf8').replace(
        "host: Text(64, 'Host name of the PC.'),",
        "host: Text(64, 'Host name of the PC.'),\n    uptime_s: Type.Integer({ minimum: 0, maximum: 4294967295 }),",
      )
      expect(edited).toContain('uptime_s')
      writeFileSync(schema, edited)
      const { code, stderr } = runCheck(root)
      expect(code).toBe(1)
      expect(stderr).toContain('schema/json/host-message.schema.json')
      expect(stderr).toContain('firmware-rs/protocol/src/generated.rs')
      expect(stderr).toContain('npm run gen')
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('fails when a generated file is edited by hand', () => {
    const root = copyOfRepo()
    try {
      const generated = join(root, 'firmware-rs/protocol/src/generated.rs')
      writeFileSync(generated, readFileSync(generated, 'utf8').replace('pub interval_ms: u16,', 'pub interval_ms: u32,'))
      const { code, stderr } = runCheck(root)
      expect(code).toBe(1)
      expect(stderr).toContain('firmware-rs/protocol/src/generated.rs')
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
