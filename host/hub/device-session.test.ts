import { describe, expect, it } from 'bun:test'
import type { Hello, SessionConfig } from '../../schema/index.ts'
import { DeviceSession, METRIC_WINDOW } from './device-session.ts'
import { HostFigures } from './host-figures.ts'

const config: SessionConfig = { bindings: [{ output: 'meter', metric: 'ram' }], interval_ms: 100, stale_after_ms: 5_000 }

/** A session over a socket that takes everything, recording the metric seqs it was given. */
const session = (flowControl: boolean): { session: DeviceSession; sent: number[] } => {
  const sent: number[] = []
  const hello: Hello = {
    type: 'hello',
    protocol: 1,
    device: 'dev-1',
    firmware: '1',
    chip: 'sim',
    outputs: [{ id: 'meter', kind: 'pwm', bits: 10 }],
    buttons: [],
    ...(flowControl ? { flow_control: true } : {}),
  }
  const link = { send: (text: string) => (sent.push((JSON.parse(text) as { seq: number }).seq), text.length), sendBinary: (bytes: Uint8Array) => bytes.length, bufferedAmount: () => 0, close: () => {} }
  return { session: new DeviceSession(hello, 'loopback', config, link, new HostFigures(), 0), sent }
}

const publish = (target: DeviceSession, from: number, to: number): void => {
  for (let seq = from; seq <= to; seq++) {
    const frame = { type: 'ram', value: 1, seq } as const
    target.deliverMetric('ram', { text: JSON.stringify(frame), seq, frame }, seq * 100)
  }
}

describe('DeviceSession', () => {
  it('sends the newest value to a slow device once it says what it applied, never a backlog', () => {
    const { session: device, sent } = session(true)
    publish(device, 1, 300)
    expect(sent).toEqual(Array.from({ length: METRIC_WINDOW }, (_, i) => i + 1))
    expect(device.info().framesUnacknowledged).toBe(METRIC_WINDOW)
    expect(device.framesDropped).toBe(300 - METRIC_WINDOW - 1)
    device.applied(METRIC_WINDOW, 30_100)
    expect(sent.at(-1)).toBe(300)
    expect(device.info().framesUnacknowledged).toBe(1)
  })

  it('serves a device without flow control every frame, as before', () => {
    const { session: device, sent } = session(false)
    publish(device, 1, 50)
    expect(sent).toHaveLength(50)
    expect(device.info().framesUnacknowledged).toBeNull()
  })
})
