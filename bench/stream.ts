// Benchmark: the screen-region stream against the issue's targets. On the recorded frames (bench/stream-frames.ts),
// bytes and host CPU per frame through the host's own stream session (tile diff, encodings, headers), beside the
// seed's scheme (one bounding box, raw RGB565 in 8 KiB chunks) on the same frames. Then live: the built host
// capturing a region of Xvfb and streaming it to the simulated TFT (release build) in a namespace, timed by a relay
// on the link: FPS and capture-to-framebuffer latency for a 320x240 region whose graph changes at 30 Hz, at full
// speed and at 10 Mbit/s, full motion at 10 Mbit/s, and the host's CPU while it streams a region where nothing
// changes. Needs root (namespaces) and Xvfb for the live part; BENCH_STREAM_SECONDS sets each live run (default 10).
import { readFileSync } from 'node:fs'
import type { Frame565 } from '../host/stream/frame.ts'
import { StreamSession } from '../host/stream/stream-session.ts'
import type { StreamChunk } from '../host/stream/stream-session.ts'
import { openDesk } from '../tests/netns/scenario.ts'
import type { Desk } from '../tests/netns/scenario.ts'
import { HOST_PORT } from '../tests/netns/sysboy-host.ts'
import { TOKEN } from '../tests/netns/scenario.ts'
import type { PaintedRun, StreamRun } from '../tests/fixtures/stream-latency.ts'
import { StreamRelay, TimedPainter, percentile } from '../tests/fixtures/stream-latency.ts'
import { PaintedScreen, ScrollingGraph, paintNoise, paintTestCard } from '../tests/fixtures/tft-picture.ts'
import { startXvfb } from '../tests/fixtures/xvfb.ts'
import { CAPTURE_HZ, REGION_HEIGHT, REGION_WIDTH, streamScenarios } from './stream-frames.ts'
import type { StreamScenario } from './stream-frames.ts'

/** The simulated board's stream buffer and encodings, as its hello announces them. */
const BUFFER = 8_192
const ENCODINGS = ['raw565', 'rle565', 'lz4_565'] as const
const SECONDS = Number(process.env.BENCH_STREAM_SECONDS ?? '10')
const REGION = { x: 37, y: 23 }
const RELAY_PORT = HOST_PORT + 1

/** The seed's figures as the issue measured them (its Python server over Xvfb). */
const SEED = { fps: '17.3', p95: '660-710 ms', cpuMs: '12.6-14.1 ms', staticCpu: '12 %' }

// A server's WebSocket frame header: 2 bytes up to 125 bytes of payload, 4 up to 65,535.
const wsFrame = (length: number): number => (length < 126 ? 2 : length < 65_536 ? 4 : 10)

interface Recorded {
  bytesPerFrame: number
  rectsPerFrame: number
  cpuMean: number
  cpuP95: number
}

/** The frames through the host's StreamSession, each acknowledged at once; the first (whole) frame not counted. */
const throughSession = (frames: readonly Frame565[]): Recorded => {
  let index = 0
  const session = new StreamSession({ output: 'tft', config: { output: 'tft', source: 'region', fps: CAPTURE_HZ }, width: REGION_WIDTH, height: REGION_HEIGHT, maxBytes: BUFFER, encodings: ENCODINGS })
  session.attach({ width: REGION_WIDTH, height: REGION_HEIGHT, capture: () => frames[index] as Frame565, close: () => {} })
  let bytes = 0
  let rects = 0
  const cpu: number[] = []
  for (index = 0; index < frames.length; index++) {
    const started = performance.now()
    const chunks: StreamChunk[] = session.tick(index * 50)
    const ms = performance.now() - started
    const last = chunks.at(-1)
    if (last !== undefined) session.applied(last.header.seq, index * 50)
    if (index === 0) continue
    cpu.push(ms)
    rects += chunks.length
    for (const chunk of chunks) bytes += wsFrame(chunk.text.length) + chunk.text.length + wsFrame(chunk.payload.length) + chunk.payload.length
  }
  const counted = frames.length - 1
  return { bytesPerFrame: bytes / counted, rectsPerFrame: rects / counted, cpuMean: cpu.reduce((a, b) => a + b, 0) / cpu.length, cpuP95: percentile(cpu, 95) }
}

/** The seed's bytes per frame: one bounding box of every changed pixel, raw RGB565, 8 KiB chunks with a 12-byte header. */
const seedBytes = (frames: readonly Frame565[]): number => {
  let bytes = 0
  for (let i = 1; i < frames.length; i++) {
    const [before, next] = [frames[i - 1] as Frame565, frames[i] as Frame565]
    let [left, right, top, bottom] = [next.width, -1, next.height, -1]
    for (let p = 0; p < next.pixels.length; p++) {
      if (before.pixels[p] === next.pixels[p]) continue
      const [x, y] = [p % next.width, Math.floor(p / next.width)]
      left = Math.min(left, x)
      right = Math.max(right, x)
      top = Math.min(top, y)
      bottom = Math.max(bottom, y)
    }
    if (right < 0) continue
    const width = right - left + 1
    const rows = Math.max(1, Math.floor(BUFFER / (width * 2)))
    const height = bottom - top + 1
    bytes += width * height * 2 + Math.ceil(height / rows) * 12
  }
  return bytes / (frames.length - 1)
}

const kb = (bytes: number): string => (bytes >= 10_000 ? `${(bytes / 1000).toFixed(1)} KB` : `${Math.round(bytes)} B`)

interface RecordedRow {
  scenario: StreamScenario
  ours: Recorded
  seed: number
}

const recorded = (): RecordedRow[] => {
  console.log(`recorded ${REGION_WIDTH}x${REGION_HEIGHT} frames at ${CAPTURE_HZ} Hz through the host's StreamSession (tile diff, ${ENCODINGS.join('/')}, ${BUFFER}-byte buffer); bytes count headers and WebSocket framing`)
  console.log('  content   frames  rects/frame  bytes/frame  seed bytes/frame  vs seed  host CPU ms/frame mean  p95')
  const rows: RecordedRow[] = []
  for (const scenario of streamScenarios()) {
    throughSession(scenario.frames)
    const ours = throughSession(scenario.frames)
    const seed = seedBytes(scenario.frames)
    rows.push({ scenario, ours, seed })
    const ratio = seed === 0 ? '-' : `${((100 * ours.bytesPerFrame) / seed).toFixed(1)} %`
    console.log(
      `  ${scenario.name.padEnd(8)} ${String(scenario.frames.length - 1).padStart(7)} ${ours.rectsPerFrame.toFixed(1).padStart(12)} ${kb(ours.bytesPerFrame).padStart(12)} ${kb(seed).padStart(17)} ${ratio.padStart(8)} ${ours.cpuMean.toFixed(3).padStart(23)} ${ours.cpuP95.toFixed(3).padStart(6)}`,
    )
  }
  return rows
}

/** CPU seconds a process has used (user + system), from /proc. */
const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** The share of a core `pid` uses over `ms`. */
const cpuShare = async (pid: number, ms: number): Promise<number> => {
  const [cpu, started] = [cpuSeconds(pid), performance.now()]
  await Bun.sleep(ms)
  return (cpuSeconds(pid) - cpu) / ((performance.now() - started) / 1_000)
}

interface Live {
  graphFull: StreamRun & { hostMsPerFrame: number }
  graphSlow: StreamRun & { hostMsPerFrame: number }
  noiseSlow: StreamRun & { hostMsPerFrame: number }
  idleCpu: number
  staticCpu: number
}

const live = async (): Promise<Live | string> => {
  if (Bun.which('Xvfb') === null) return 'no Xvfb (scripts/setup/host.sh installs it)'
  if (process.getuid?.() !== 0) return 'not root (the simulator runs in a network namespace)'
  const xvfb = await startXvfb(640, 480)
  const screen = new PaintedScreen(xvfb.display, 640, 480)
  let desk: Desk | undefined
  let relay: StreamRelay | undefined
  try {
    paintTestCard(screen)
    // The host samples at its default interval, as a user's does: its CPU figures are what a desk costs.
    desk = await openDesk({ vram: 42.3, device: false, hostEnv: { DISPLAY: xvfb.display }, hostInterval: 1_000, simProfile: 'release' })
    relay = await StreamRelay.start(desk.namespace, RELAY_PORT, HOST_PORT)
    const device = desk.startDevice(['--host', `${desk.namespace.kernelIp}:${RELAY_PORT}`, '--token', TOKEN, '--tft', `${REGION_WIDTH}x${REGION_HEIGHT}`, '--device-id', 'bench-tft'])
    await device.waitForStatus('the TFT live', (s) => s.meter === 'live' && s.tft !== undefined, 30_000)
    const host = desk.host!
    const pid = host.process?.pid ?? 0
    // The host with the TFT on its default scenes and no stream: what it costs anyway.
    const idleCpu = await cpuShare(pid, SECONDS * 1_000)
    const { config } = ((await host.devices()) as unknown as Array<{ config: object }>)[0] ?? { config: {} }
    const put = await host.rest('PUT', '/api/devices/bench-tft/config', {
      ...config,
      screens: [{ output: 'tft', scenes: [{ scene: 'stream', metrics: [] }] }],
      streams: [{ output: 'tft', source: 'region', region: REGION, fps: 30 }],
    })
    if (put.status !== 200) throw new Error(`PUT a region stream: HTTP ${put.status} ${JSON.stringify(put.body)}`)
    const framesSent = async (): Promise<number> => ((await host.devices()) as unknown as Array<{ streams: Array<{ framesSent: number }> }>)[0]?.streams[0]?.framesSent ?? 0
    const painter = new TimedPainter(device, () => screen.picture.crop(REGION.x, REGION.y, REGION_WIDTH, REGION_HEIGHT))
    const graph = new ScrollingGraph(screen, REGION.x + 10, REGION.y + 50, 300, 140)
    const noise = (step: number): void => paintNoise(screen, REGION.x, REGION.y, REGION_WIDTH, REGION_HEIGHT, step + 1)
    /** A second not counted, then a run, with the host's CPU over the run beyond what it costs with no stream, per frame sent. */
    const timed = async (paint: (step: number) => void): Promise<{ run: PaintedRun; hostMsPerFrame: number }> => {
      await painter.paint(paint, 30, 1_000)
      const [cpu, sent, started] = [cpuSeconds(pid), await framesSent(), performance.now()]
      const run = await painter.paint(paint, 30, SECONDS * 1_000)
      const [cpuMs, elapsed, frames] = [(cpuSeconds(pid) - cpu) * 1_000, performance.now() - started, (await framesSent()) - sent]
      return { run, hostMsPerFrame: (cpuMs - idleCpu * elapsed) / Math.max(1, frames) }
    }
    // Runs back to back: the stream never pauses between them.
    const full = await timed((step) => graph.draw(step))
    desk.namespace.exec(['tc', 'qdisc', 'add', 'dev', desk.namespace.tap, 'root', 'tbf', 'rate', '10mbit', 'burst', '32kbit', 'latency', '400ms'])
    const slow = await timed((step) => graph.draw(step))
    const motion = await timed(noise)
    await painter.settle()
    const frames = await relay.frames('tft', REGION_WIDTH, REGION_HEIGHT)
    const figures = (timedRun: { run: PaintedRun; hostMsPerFrame: number }): StreamRun & { hostMsPerFrame: number } => ({
      ...painter.figures(frames, timedRun.run),
      hostMsPerFrame: timedRun.hostMsPerFrame,
    })
    const [graphFull, graphSlow, noiseSlow] = [figures(full), figures(slow), figures(motion)]
    // Last, as nothing then changes: the host's CPU while it streams a still region.
    const staticCpu = await cpuShare(pid, SECONDS * 1_000)
    return { graphFull, graphSlow, noiseSlow, idleCpu, staticCpu }
  } finally {
    await relay?.stop()
    await desk?.close()
    screen.close()
    await xvfb.stop()
  }
}

const ms = (value: number): string => `${value.toFixed(0)} ms`
const pct = (share: number): string => `${(share * 100).toFixed(2)} %`

export const main = async (): Promise<void> => {
  const rows = recorded()
  const result = await live()
  if (typeof result === 'string') {
    console.log(`\nlive stream over the simulator: not measured (${result})`)
  } else {
    console.log(`\nlive: Xvfb region ${REGION_WIDTH}x${REGION_HEIGHT} → built host → simulated TFT (release), ${SECONDS} s each, timed by a relay on the link`)
    console.log('  run                        FPS  KB/frame  capture→framebuffer p50  p95  paint→framebuffer p50  p95  host CPU/frame')
    const line = (name: string, run: StreamRun & { hostMsPerFrame: number }): void =>
      console.log(
        `  ${name.padEnd(25)} ${run.fps.toFixed(1).padStart(4)} ${(run.bytesPerFrame / 1000).toFixed(1).padStart(9)} ${ms(percentile(run.capture, 50)).padStart(24)} ${ms(percentile(run.capture, 95)).padStart(6)} ${ms(percentile(run.paint, 50)).padStart(22)} ${ms(percentile(run.paint, 95)).padStart(6)} ${`${run.hostMsPerFrame.toFixed(2)} ms`.padStart(15)}`,
      )
    line('graph at 30 Hz, full speed', result.graphFull)
    line('graph at 30 Hz, 10 Mbit/s', result.graphSlow)
    line('full motion, 10 Mbit/s', result.noiseSlow)
    console.log(`  host CPU: ${pct(result.idleCpu)} of a core with the TFT on its scenes and no stream; ${pct(result.staticCpu)} streaming a region where nothing changes at 30 fps`)
  }
  const of = (name: string): RecordedRow | undefined => rows.find((r) => r.scenario.name === name)
  const share = (row: RecordedRow | undefined): string => (row === undefined ? '-' : `${((100 * row.ours.bytesPerFrame) / row.seed).toFixed(1)} % (${kb(row.ours.bytesPerFrame)} vs ${kb(row.seed)})`)
  const graph = of('graph')
  const noise = of('noise')
  console.log('\ntargets (issue 12)                               measured                       target     seed')
  const target = (what: string, measured: string, goal: string, seed: string): void => console.log(`  ${what.padEnd(46)} ${measured.padEnd(30)} ${goal.padEnd(10)} ${seed}`)
  target('bytes/frame, ticking clock, vs the seed', share(of('clock')), '≤ 25 %', '100 %')
  target('bytes/frame, moving graph, vs the seed', share(graph), '≤ 25 %', '100 %')
  target('host CPU/frame, graph (recorded, no capture)', graph === undefined ? '-' : `${graph.ours.cpuMean.toFixed(2)} ms (p95 ${graph.ours.cpuP95.toFixed(2)})`, '< 2 ms', SEED.cpuMs)
  target('host CPU/frame, full motion (recorded)', noise === undefined ? '-' : `${noise.ours.cpuMean.toFixed(2)} ms (p95 ${noise.ours.cpuP95.toFixed(2)})`, '< 2 ms', '20 ms')
  if (typeof result !== 'string') {
    target('host CPU/frame, graph live (capture included)', `${result.graphSlow.hostMsPerFrame.toFixed(2)} ms`, '< 2 ms', SEED.cpuMs)
    target('FPS, graph at 30 Hz, 10 Mbit/s', result.graphSlow.fps.toFixed(1), '≥ 25', SEED.fps)
    target('capture→framebuffer p95, same', ms(percentile(result.graphSlow.capture, 95)), '< 100 ms', SEED.p95)
    target('host CPU, static region streamed at 30 fps', `${pct(result.staticCpu)} (${pct(result.staticCpu - result.idleCpu)} over no stream)`, '< 1 %', SEED.staticCpu)
  }
}

if (import.meta.main) await main()
