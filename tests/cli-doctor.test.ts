import { describe, expect, it } from 'bun:test'
import { cleanEnv, runSysboy } from './cli-harness.ts'

describe('sysboy doctor', () => {
  it('says for each source whether it works here, and why not', async () => {
    const { code, stdout } = await runSysboy(['doctor'], cleanEnv())
    expect(code).toBe(0)
    const lines = stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^metric +source +works +detail$/)
    const row = (metric: string, source: string): string | undefined =>
      lines.find((l) => new RegExp(`^${metric} +${source} `).test(l))
    expect(row('vram', 'nvml')).toMatch(/ no +.*libnvidia-ml/)
    expect(row('vram', 'nvidia-smi')).toMatch(/ no +.*PATH/)
    expect(row('ram', 'procfs')).toMatch(/ yes +ram reads [\d.]+ %/)
    expect(row('cpu', 'prometheus')).toMatch(/ no +not configured/)
    expect(lines.at(-1)).toBe('vram cannot be read here; sysboy serves "unknown" for it (see the reasons above)')
  }, 30_000)

  it('names the working sources of the chosen metric', async () => {
    const { code, stdout } = await runSysboy(['doctor', '--metric', 'ram'], cleanEnv())
    expect(code).toBe(0)
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('ram works here through procfs')
  }, 30_000)
})
