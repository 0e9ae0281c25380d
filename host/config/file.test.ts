import { describe, expect, it } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { configProblem, readConfigFile } from './file.ts'

const file = (text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'sysboy-file-')), 'config.json')
  writeFileSync(path, text)
  return path
}

describe('config file', () => {
  it('accepts every documented field', () => {
    const config = {
      metric: 'vram', port: 8377, bind: '0.0.0.0', interval: 500, gpu: 1, source: 'nvml', token: 'abcdefgh_-12',
      prometheus: { url: 'http://localhost:9090', query: 'sum(up)', scale: 10 }, mdns: false, nvmlLib: '/x/libnvidia-ml.so.1',
    }
    expect(configProblem(config)).toBeUndefined()
  })

  it('names the file, the field and the reason for a wrong type', () => {
    const path = file('{"port": "eighty"}')
    expect(() => readConfigFile(path, true)).toThrow(`${path}: port: must be integer`)
  })

  it('names an unknown field and lists the known ones', () => {
    expect(configProblem({ prot: 1 })).toStartWith('prot: unknown field (known: metric, port,')
  })

  it('names a nested missing field', () => {
    expect(configProblem({ prometheus: { url: 'http://x' } })).toBe("prometheus: missing field 'query'")
  })

  it('explains gpu as an index or all', () => {
    expect(configProblem({ gpu: 'first' })).toBe('gpu: must be integer (GPU index, or "all".)')
  })

  it('says when the file is not JSON', () => {
    const path = file('{ port: 1 ')
    expect(() => readConfigFile(path, false)).toThrow(`${path}: not valid JSON:`)
  })

  it('treats a missing default file as empty', () => {
    expect(readConfigFile('/nonexistent/config.json', false)).toEqual({ config: {}, exists: false })
  })

  it('names every unknown field, even past the eight errors the schema checker stops at (found by fuzzing)', () => {
    const fields = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((name) => [name, 0]))
    expect(configProblem(fields)).toStartWith('a, b, c, d, e, f, g, h, i: unknown field (known: metric, port,')
    expect(configProblem({ prometheus: { url: 'http://x', query: 'up', ...fields } })).toBe('prometheus.a, b, c, d, e, f, g, h, i: unknown field (known: url, query, scale)')
  })

  it('keeps the refusal one line when an unknown field has a line break in its name (found by fuzzing)', () => {
    const path = file('{\n  "x\\ny": 0\n}')
    expect(() => readConfigFile(path, true)).toThrow(`${path}: x\\u000ay: unknown field (known: metric,`)
  })

  it('keeps the refusal one line when the JSON parser quotes a line break (found by fuzzing)', () => {
    const path = file('"\\\n"')
    expect(() => readConfigFile(path, true)).toThrow(`${path}: not valid JSON: JSON Parse error: Invalid escape character \\u000a`)
  })
})
