import { afterEach, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MetricFrame } from '../schema/index.ts'
import { metricOfFrame } from './hub/metric-frame.ts'
import { until } from '../tests/fixtures/until.ts'
import { Sampler } from './sampler.ts'
import type { MetricSource, Reading } from './sources/source.ts'

/** A real source: the percent is read from a file; `delayMs` makes it slow, as a remote query can be. */
class FileSource implements MetricSource {
  readonly name: string
  closed = false
  constructor(
    readonly metric: string,
    readonly path: string,
    readonly delayMs = 0,
  ) {
    this.name = delayMs > 0 ? 'slow-file' : 'file'
  }
  async read(): Promise<Reading> {
    if (this.delayMs > 0) await Bun.sleep(this.delayMs)
    const file = Bun.file(this.path)
    if (!(await file.exists())) return { known: false, reason: `no file ${this.path}` }
    return { known: true, figure: { percent: Number.parseFloat(await file.text()) } }
  }
  close(): void {
    this.closed = true
  }
}

/** A source that answers at once, as NVML and the /proc sources do; `fail` makes its read throw. */
class ImmediateSource implements MetricSource {
  readonly name = 'immediate'
  reads = 0
  fail: string | undefined
  constructor(readonly metric: string) {}
  read(): Reading {
    this.reads += 1
    if (this.fail !== undefined) throw new Error(this.fail)
    return { known: true, figure: { percent: 42 } }
  }
  close(): void {}
}

/** A sink with a fixed set of wanted metrics that records what is published. */
class Recorder {
  readonly frames: MetricFrame[] = []
  constructor(
    public wanted: string[],
    public intervalMs: number,
  ) {}
  wantedMetrics(): string[] {
    return this.wanted
  }
  intervalFor(): number {
    return this.intervalMs
  }
  publish(frame: MetricFrame): void {
    this.frames.push(frame)
  }
  of(metric: string): MetricFrame[] {
    return this.frames.filter((f) => metricOfFrame(f) === metric)
  }
}

const dir = mkdtempSync(join(tmpdir(), 'sysboy-sampler-'))
const write = (metric: string, value: string): void => writeFileSync(join(dir, metric), value)
let sampler: Sampler | undefined
afterEach(() => sampler?.stop())
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))

describe('Sampler', () => {
  it('samples every wanted metric at the interval and publishes schema frames with a rising seq', async () => {
    write('vram', '60.5')
    write('cpu', '12')
    const sink = new Recorder(['vram', 'cpu'], 50)
    sampler = new Sampler({ sink, openSource: (m) => new FileSource(m, join(dir, m)) })
    sampler.start()
    await Bun.sleep(280)
    expect(sink.of('vram').length).toBeGreaterThanOrEqual(3)
    expect(sink.of('cpu').length).toBeGreaterThanOrEqual(3)
    expect(sink.of('vram')[0]).toMatchObject({ type: 'vram', value: 60.5, source: 'file' })
    const seqs = sink.frames.map((f) => f.seq ?? 0)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
  })

  it('moves the next tick up when the interval gets shorter, instead of waiting out the old one', async () => {
    write('ram', '33')
    const sink = new Recorder(['ram'], 5_000)
    sampler = new Sampler({ sink, openSource: (m) => new FileSource(m, join(dir, m)) })
    sampler.start()
    await Bun.sleep(100)
    expect(sink.of('ram').length).toBe(1)
    sink.intervalMs = 100
    sampler.refresh()
    await Bun.sleep(450)
    // At the old interval the second frame would come 5 s after the first.
    expect(sink.of('ram').length).toBeGreaterThanOrEqual(3)
  })

  it('says unknown with the reason when a source cannot read, or cannot even open', async () => {
    const sink = new Recorder(['ram', 'disk'], 50)
    sampler = new Sampler({
      sink,
      openSource: (m) => {
        if (m === 'disk') throw new Error('no disk statistics on this system')
        return new FileSource(m, join(dir, 'missing-file'))
      },
    })
    sampler.start()
    await Bun.sleep(120)
    expect(sink.of('ram')[0]).toMatchObject({ type: 'ram', value: null, reason: expect.stringContaining('no file') })
    expect(sink.of('disk')[0]).toMatchObject({ type: 'disk', value: null, reason: 'cannot read disk: no disk statistics on this system' })
  })

  it('does not let a slow source delay the others, and reports it unknown after its timeout', async () => {
    write('cpu', '5')
    write('vram', '70')
    const sink = new Recorder(['vram', 'cpu'], 50)
    sampler = new Sampler({ sink, readTimeoutMs: 100, openSource: (m) => new FileSource(m, join(dir, m), m === 'vram' ? 1_000 : 0) })
    sampler.start()
    await Bun.sleep(500)
    expect(sink.of('cpu').length).toBeGreaterThanOrEqual(6)
    const vram = sink.of('vram')
    expect(vram.length).toBeGreaterThan(0)
    expect(vram.every((f) => f.value === null)).toBe(true)
    expect(vram[0]?.reason).toBe('slow-file gave no reading within 100 ms')
    expect(vram.at(-1)?.reason).toMatch(/^slow-file has not answered for \d+ ms$/)
  })

  it('samples a newly wanted metric at once, and closes the source of one no longer wanted', async () => {
    write('ram', '44')
    write('vram', '1')
    const sink = new Recorder(['vram'], 5_000)
    const opened: FileSource[] = []
    sampler = new Sampler({
      sink,
      openSource: (m) => {
        const source = new FileSource(m, join(dir, m))
        opened.push(source)
        return source
      },
    })
    sampler.start()
    await Bun.sleep(50)
    sink.wanted = ['ram']
    sampler.refresh()
    await Bun.sleep(50)
    expect(sink.of('ram')).toHaveLength(1)
    expect(sink.of('ram')[0]).toMatchObject({ type: 'ram', value: 44 })
    expect(opened.find((s) => s.metric === 'vram')?.closed).toBe(true)
  })

  it('publishes user-named metrics as metric frames', async () => {
    write('queue_depth', '3')
    const sink = new Recorder(['queue_depth'], 50)
    sampler = new Sampler({ sink, openSource: (m) => new FileSource(m, join(dir, m)) })
    sampler.start()
    await Bun.sleep(60)
    expect(sink.frames[0]).toMatchObject({ type: 'metric', name: 'queue_depth', value: 3 })
  })

  it('publishes a reading that comes at once in the same turn, and a read that throws at once as unknown with its reason', () => {
    const sink = new Recorder(['vram', 'cpu'], 10_000)
    const costs: string[] = []
    const sources = new Map<string, ImmediateSource>()
    sampler = new Sampler({
      sink,
      openSource: (m) => {
        const source = new ImmediateSource(m)
        if (m === 'cpu') source.fail = 'the counters went away'
        sources.set(m, source)
        return source
      },
      onCost: (metric, source) => costs.push(`${metric} ${source}`),
    })
    sampler.start()
    // No await: both frames are out before start() returns.
    expect(sink.of('vram')).toEqual([expect.objectContaining({ type: 'vram', value: 42, source: 'immediate' })])
    expect(sink.of('cpu')).toEqual([expect.objectContaining({ type: 'cpu', value: null, reason: 'immediate failed: the counters went away' })])
    expect(costs.sort()).toEqual(['cpu immediate', 'vram immediate'])
    // Nothing is left in flight: sampled again at once, each source is read again.
    sampler.sampleNow('vram')
    expect(sources.get('vram')?.reads).toBe(2)
    expect(sink.of('vram')).toHaveLength(2)
  })

  it('keeps the interval from tick to tick after a shorter interval moved one tick up', async () => {
    const sink = new Recorder(['ram'], 5_000)
    const at: number[] = []
    sampler = new Sampler({
      sink: { ...sink, wantedMetrics: () => sink.wantedMetrics(), intervalFor: () => sink.intervalFor(), publish: (frame) => (at.push(performance.now()), sink.publish(frame)) },
      openSource: (m) => new ImmediateSource(m),
    })
    sampler.start()
    await Bun.sleep(100)
    // The next tick is moved up to 150 ms after the first (50 ms after the change); each one after comes a full
    // 150 ms after the one before, not that shortened delay again.
    sink.intervalMs = 150
    sampler.refresh()
    await until('five frames', () => at.length >= 5, 3_000)
    const gaps = at.slice(2).map((t, i) => t - (at[i + 1] as number))
    expect(gaps.every((gap) => gap >= 149)).toBe(true)
    expect((at[1] as number) - (at[0] as number)).toBeLessThan(400)
  })

  it('reports a publish that throws and goes on sampling, rather than throwing into start() or out of its timer', async () => {
    const errors: string[] = []
    let publishes = 0
    sampler = new Sampler({
      sink: {
        wantedMetrics: () => ['vram'],
        intervalFor: () => 30,
        publish: () => {
          publishes += 1
          throw new Error(`socket gone ${publishes}`)
        },
      },
      openSource: (m) => new ImmediateSource(m),
      onError: (error) => errors.push((error as Error).message),
    })
    expect(() => sampler?.start()).not.toThrow()
    await until('three publishes', () => publishes >= 3, 2_000)
    expect(errors.slice(0, 3)).toEqual(['socket gone 1', 'socket gone 2', 'socket gone 3'])
  })
})
