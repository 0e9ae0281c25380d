// Device commands: a button press cycles the metric, select_metric switches or refuses, identify shows in REST.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { TestServer } from './server-harness.ts'
import { DeviceClient, METRICS, TOKEN, startTestServer } from './server-harness.ts'

let running: TestServer
beforeAll(async () => {
  running = await startTestServer()
})
afterAll(async () => {
  await running.stop()
})

const command = async (device: DeviceClient, body: Record<string, unknown>) => {
  const from = device.received.length
  device.send(JSON.stringify(body))
  return device.next((m) => m.type === 'ack' && m.id === body.id, 5_000, from)
}

describe('device commands', () => {
  it('cycles through the offered metrics on short presses, and the new metric arrives at once', async () => {
    const device = await DeviceClient.paired(running.ws, { device: 'presser' })
    const seen: string[] = []
    for (let i = 0; i < METRICS.length; i++) {
      const ack = await command(device, { type: 'button', id: 100 + i, button: 'select', press: 'short' })
      if (ack.type !== 'ack' || ack.metric === undefined) throw new Error(`bad ack ${JSON.stringify(ack)}`)
      expect(ack.ok).toBe(true)
      seen.push(ack.metric)
      // The latest frame of the new metric follows the ack (queue_depth is user-named: a `metric` frame).
      await device.freshMetric(ack.metric, 2_000)
    }
    expect(seen).toEqual([...METRICS.slice(1), METRICS[0]])
    // Back on vram: the metric it left no longer reaches it.
    const from = device.received.length
    await Bun.sleep(300)
    expect(device.received.slice(from).filter((m) => m.type === 'cpu')).toEqual([])
    expect(device.received.slice(from).filter((m) => m.type === 'vram').length).toBeGreaterThan(0)
    device.close()
  })

  it('follows an ack with the config that binds the new metric, and only then its newest frame', async () => {
    const device = await DeviceClient.paired(running.ws, { device: 'ordered' })
    await device.freshMetric('vram', 2_000)
    const from = device.received.length
    const ack = await command(device, { type: 'select_metric', id: 77, output: 'meter', metric: 'cpu' })
    expect(ack).toMatchObject({ ok: true, metric: 'cpu' })
    await device.freshMetric('cpu', 2_000)
    const after = device.received.slice(from).filter((m) => m.type !== 'heartbeat' && m.type !== 'vram')
    expect(after.slice(0, 3).map((m) => m.type)).toEqual(['ack', 'config', 'cpu'])
    expect(after[1]).toMatchObject({ type: 'config', bindings: [{ output: 'meter', metric: 'cpu' }] })
    device.close()
  })

  it('sends user-named metrics as metric frames with a name', async () => {
    const device = await DeviceClient.paired(running.ws, { device: 'named' })
    expect(await command(device, { type: 'select_metric', id: 1, output: 'meter', metric: 'queue_depth' })).toMatchObject({
      ok: true,
      metric: 'queue_depth',
    })
    expect(await device.freshMetric('queue_depth')).toMatchObject({ type: 'metric', name: 'queue_depth', value: 50 })
    device.close()
  })

  it('refuses an unknown metric with unknown_metric and a failed ack, and keeps the old binding', async () => {
    const device = await DeviceClient.paired(running.ws, { device: 'chooser' })
    const from = device.received.length
    const ack = await command(device, { type: 'select_metric', id: 9, output: 'meter', metric: 'warp_drive' })
    expect(ack).toMatchObject({ ok: false })
    expect(ack.type === 'ack' && ack.reason).toMatch(/unknown metric 'warp_drive'; this host offers vram, cpu/)
    expect(device.received.slice(from).find((m) => m.type === 'error')).toMatchObject({ code: 'unknown_metric', id: 9 })
    const unknownOutput = await command(device, { type: 'select_metric', id: 10, output: 'dial_b', metric: 'cpu' })
    expect(unknownOutput).toMatchObject({ ok: false })
    expect(running.server.devices().find((d) => d.id === 'chooser')?.bindings).toEqual([{ output: 'meter', metric: 'vram' }])
    expect(await command(device, { type: 'select_metric', id: 11, output: 'meter', metric: 'ram' })).toMatchObject({ ok: true, metric: 'ram' })
    expect(await device.freshMetric('ram')).toMatchObject({ type: 'ram', value: 30 })
    device.close()
  })

  it('marks an identified device, which the REST API shows', async () => {
    const device = await DeviceClient.paired(running.ws, { device: 'blinker' })
    expect(await command(device, { type: 'identify', id: 3 })).toMatchObject({ ok: true })
    const response = await fetch(`${running.server.url}/api/devices`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    const devices = (await response.json()) as Array<{ id: string; identifiedAt: string | null }>
    expect(devices.find((d) => d.id === 'blinker')?.identifiedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    device.close()
  })

  it('keeps a reconnecting device on the metric it chose, replacing the old session', async () => {
    const first = await DeviceClient.paired(running.ws, { device: 'returner' })
    await command(first, { type: 'select_metric', id: 1, output: 'meter', metric: 'gpu_temp' })
    const second = await DeviceClient.paired(running.ws, { device: 'returner' })
    expect((await first.closed).code).toBe(4409)
    const welcome = second.received.find((m) => m.type === 'welcome')
    expect(welcome?.type === 'welcome' && welcome.config.bindings).toEqual([{ output: 'meter', metric: 'gpu_temp' }])
    expect(running.server.devices().filter((d) => d.id === 'returner')).toHaveLength(1)
    second.close()
  })

  it('refuses a long press and an unknown button with a failed ack', async () => {
    const device = await DeviceClient.paired(running.ws, { device: 'longpress' })
    expect(await command(device, { type: 'button', id: 1, button: 'select', press: 'long' })).toMatchObject({ ok: false })
    expect(await command(device, { type: 'button', id: 2, button: 'other', press: 'short' })).toMatchObject({
      ok: false,
      reason: "unknown button 'other'",
    })
    device.close()
  })
})
