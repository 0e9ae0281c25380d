import { describe, expect, it } from 'bun:test'
import { RunningSysboy, cleanEnv, runSysboy } from './cli-harness.ts'

// cleanEnv() points NVML at a missing library and leaves nvidia-smi off PATH: a PC without an NVIDIA GPU.
describe('sysboy without a GPU', () => {
  it('keeps serving vram as "unknown" with the reason, never 0', async () => {
    const host = new RunningSysboy(['--metric', 'vram', '--bind', '127.0.0.1', '--port', '0', '--no-mdns', '--token', 'no-gpu-token'], cleanEnv())
    try {
      const port = await host.port()
      await host.waitFor(/^vram: unknown \(no GPU found: .*\) · 0 devices connected$/)
      expect(host.errors.join('\n')).toContain('sysboy: vram cannot be read here (no GPU found:')
      const response = await fetch(`http://127.0.0.1:${port}/api/metrics`, { headers: { Authorization: 'Bearer no-gpu-token' } })
      const latest = (await response.json()) as Record<string, { value: number | null; reason?: string }>
      expect(latest.vram?.value).toBeNull()
      expect(latest.vram?.reason).toContain('no GPU found')
      expect(host.proc.exitCode).toBeNull()
    } finally {
      expect(await host.stop()).toBe(0)
    }
  }, 30_000)

  it('exits with code 5 and the reason when --require is given', async () => {
    const { code, stdout, stderr } = await runSysboy(['--metric', 'vram', '--require', '--bind', '127.0.0.1', '--port', '0', '--no-mdns'], cleanEnv())
    expect(code).toBe(5)
    expect(stdout).toBe('')
    expect(stderr).toStartWith('sysboy: vram cannot be read here: no GPU found: ')
    expect(stderr).toEndWith('; run sysboy doctor to see why\n')
    expect(stderr.trimEnd().split('\n')).toHaveLength(1)
  })

  it('serves a metric this PC has with --require', async () => {
    const host = new RunningSysboy(['--metric', 'ram', '--require', '--bind', '127.0.0.1', '--port', '0', '--no-mdns'], cleanEnv())
    try {
      await host.waitFor(/^ram: \d+\.\d %.* from procfs · 0 devices connected$/)
    } finally {
      await host.stop()
    }
  }, 30_000)
})
