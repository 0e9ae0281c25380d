// CPU, RAM, network and disk sources against fake /proc files written by the test.
import { describe, expect, it } from 'bun:test'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCpuSource } from './cpu.ts'
import { createDiskSource } from './disk.ts'
import { createNetSource } from './net.ts'
import { BASELINE_MS } from './procfs.ts'
import { createRamSource } from './ram.ts'

const fakeProc = (): string => {
  const root = mkdtempSync(join(tmpdir(), 'sysboy-proc-'))
  mkdirSync(join(root, 'net'))
  return root
}

const stat = (user: number, system: number, idle: number, iowait: number): string =>
  `cpu  ${user} 0 ${system} ${idle} ${iowait} 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 12345\n`

const netDev = (eth0: [number, number], lo: [number, number]): string =>
  [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    `    lo: ${lo[0]}  10 0 0 0 0 0 0 ${lo[1]} 10 0 0 0 0 0 0`,
    `  eth0: ${eth0[0]} 100 0 0 0 0 0 0 ${eth0[1]} 100 0 0 0 0 0 0`,
    '',
  ].join('\n')

describe('procfs sources', () => {
  it('gives CPU busy percent from two /proc/stat reads', async () => {
    const root = fakeProc()
    writeFileSync(join(root, 'stat'), stat(1000, 500, 8000, 500))
    const cpu = createCpuSource({ procRoot: root })
    // 300 busy of 1000 ticks; iowait counts as idle.
    writeFileSync(join(root, 'stat'), stat(1200, 600, 8600, 600))
    expect(await cpu.read()).toMatchObject({ known: true, figure: { percent: 30, raw: 30, unit: '%' } })
    expect(await cpu.read()).toEqual({ known: false, reason: 'no CPU time passed since the last read' })
  })

  it('says why CPU is unknown when /proc/stat is missing', async () => {
    const cpu = createCpuSource({ procRoot: fakeProc() })
    const reading = await cpu.read()
    expect(reading.known).toBe(false)
    if (!reading.known) expect(reading.reason).toContain('stat')
  })

  it('gives RAM use from MemAvailable', async () => {
    const root = fakeProc()
    writeFileSync(join(root, 'meminfo'), 'MemTotal:       16000000 kB\nMemFree:  1000000 kB\nMemAvailable:   12000000 kB\n')
    expect(await createRamSource({ procRoot: root }).read()).toEqual({
      known: true,
      figure: { percent: 25, used: 4_096_000_000, total: 16_384_000_000, raw: 4_096_000_000, unit: 'B' },
    })
    writeFileSync(join(root, 'meminfo'), 'MemTotal:       16000000 kB\nMemFree:  1000000 kB\n')
    expect(await createRamSource({ procRoot: root }).read()).toEqual({ known: false, reason: 'no MemAvailable in /proc/meminfo' })
  })

  it('gives network rates from /proc/net/dev deltas, loopback left out', async () => {
    const root = fakeProc()
    const path = join(root, 'net', 'dev')
    writeFileSync(path, netDev([1_000_000, 5_000_000], [0, 0]))
    const started = performance.now()
    const rx = createNetSource({ direction: 'rx', procRoot: root, fullScale: 1_000_000 })
    const tx = createNetSource({ direction: 'tx', procRoot: root })
    await Bun.sleep(200)
    // eth0 received 100 kB and sent 2 MB; lo moved 900 MB, which must not count.
    writeFileSync(path, netDev([1_100_000, 7_000_000], [900_000_000, 900_000_000]))
    const [down, up] = await Promise.all([rx.read(), tx.read()])
    const seconds = (performance.now() - started) / 1000
    if (!down.known || !up.known) throw new Error('network rates should be known')
    expect(down.figure.unit).toBe('B/s')
    expect(down.figure.raw).toBeLessThanOrEqual(100_000 / 0.2)
    expect(down.figure.raw).toBeGreaterThanOrEqual(100_000 / seconds - 1)
    expect(down.figure.percent).toBeCloseTo(((down.figure.raw ?? 0) / 1_000_000) * 100, 0)
    expect(up.figure.raw).toBeLessThanOrEqual(2_000_000 / 0.2)
    expect(up.figure.raw).toBeGreaterThanOrEqual(2_000_000 / seconds - 1)
  })

  // The real /proc: a device that just switched to cpu or net_* is read at once, and must get a figure, not "no CPU
  // time passed" or a rate over the microseconds since the source opened.
  it.skipIf(process.platform !== 'linux')('gives a real CPU figure on the first read after opening, over the baseline window', async () => {
    const opened = performance.now()
    const reading = await createCpuSource().read()
    const waited = performance.now() - opened
    if (!reading.known) throw new Error(`the first CPU read was unknown: ${reading.reason}`)
    expect(reading.figure.windowMs).toBeGreaterThanOrEqual(BASELINE_MS)
    expect(reading.figure.windowMs).toBeLessThan(BASELINE_MS + 100)
    expect(waited).toBeGreaterThanOrEqual(BASELINE_MS - 1)
  })

  it.skipIf(process.platform !== 'linux')('gives real network rates on the first read after opening, over the baseline window', async () => {
    const [rx, tx] = await Promise.all([createNetSource({ direction: 'rx' }).read(), createNetSource({ direction: 'tx' }).read()])
    for (const reading of [rx, tx]) {
      if (!reading.known) throw new Error(`the first network read was unknown: ${reading.reason}`)
      expect(reading.figure.unit).toBe('B/s')
      expect(reading.figure.windowMs).toBeGreaterThanOrEqual(BASELINE_MS)
      expect(reading.figure.windowMs).toBeLessThan(BASELINE_MS + 100)
    }
  })

  it('gives disk use of a path through statfs', async () => {
    const reading = await createDiskSource({ path: tmpdir() }).read()
    if (!reading.known) throw new Error(reading.reason)
    const { used = -1, total = -1, percent } = reading.figure
    expect(used).toBeGreaterThan(0)
    expect(used).toBeLessThanOrEqual(total)
    expect(percent).toBeGreaterThan(0)
    expect(percent).toBeLessThanOrEqual(100)
    const missing = await createDiskSource({ path: join(tmpdir(), 'no-such-dir-sysboy') }).read()
    expect(missing.known).toBe(false)
    if (!missing.known) expect(missing.reason).toStartWith(`cannot statfs ${join(tmpdir(), 'no-such-dir-sysboy')}:`)
  })
})
