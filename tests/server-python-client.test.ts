// An independent client (Python `websockets`) pairs, gets the seed-shaped frame and a command's ack; Python's
// prometheus_client parses /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import type { TestServer } from './server-harness.ts'
import { TOKEN, startTestServer } from './server-harness.ts'

const root = join(import.meta.dir, '..')
const python = join(root, '.cache/venv/bin/python')

let running: TestServer
beforeAll(async () => {
  running = await startTestServer()
  running.set('vram', 60.5)
})
afterAll(async () => {
  await running.stop()
})

describe('python websockets client', () => {
  it('pairs, receives {"type":"vram","value":...}, switches metric with an ack, and gets an error for a bad frame', async () => {
    const child = Bun.spawn([python, join(import.meta.dir, 'ws-python/device.py'), running.ws, TOKEN, 'pair'], { stdout: 'pipe', stderr: 'pipe' })
    const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
    expect(err).toBe('')
    expect(code).toBe(0)
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>)
    expect(lines[0]?.welcome).toMatchObject({ type: 'welcome', protocol: 1 })
    expect(lines[1]?.frame).toMatchObject({ type: 'vram', value: 60.5 })
    expect(lines[2]?.ack).toEqual({ type: 'ack', id: 42, ok: true, metric: 'cpu' })
    expect(lines[3]?.frame).toMatchObject({ type: 'cpu', value: 20 })
    expect(lines[4]?.error).toMatchObject({ type: 'error', code: 'bad_json' })
  })

  it('/metrics parses with prometheus_client', async () => {
    const text = await (await fetch(`${running.server.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })).text()
    const script = `
import sys, json
from prometheus_client.parser import text_string_to_metric_families
families = {f.name: {"type": f.type, "samples": len(f.samples)} for f in text_string_to_metric_families(sys.stdin.read())}
print(json.dumps(families))`
    const child = Bun.spawn([python, '-c', script], { stdin: new TextEncoder().encode(text), stdout: 'pipe', stderr: 'pipe' })
    const [out, err] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()])
    expect(err).toBe('')
    const families = JSON.parse(out) as Record<string, { type: string; samples: number }>
    expect(families.sysboy_up).toEqual({ type: 'gauge', samples: 1 })
    expect(families.sysboy_devices_connected?.type).toBe('gauge')
    expect(families.sysboy_frames_sent?.type).toBe('counter')
    expect(families.sysboy_frames_dropped?.type).toBe('counter')
    expect(families.sysboy_sample_seconds?.type).toBe('histogram')
    expect(families.sysboy_sample_seconds?.samples).toBeGreaterThan(14)
  })
})
