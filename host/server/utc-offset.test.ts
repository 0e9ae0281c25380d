import { describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { utcOffsetMinutes } from './utc-offset.ts'

const WINTER = Date.UTC(2026, 0, 15, 12)
const SUMMER = Date.UTC(2026, 6, 15, 12)

/** utcOffsetMinutes at each instant, in a fresh Bun with `TZ` set (the C library reads it once per process). */
const inZone = async (tz: string, instants: number[]): Promise<number[]> => {
  const script = `import { utcOffsetMinutes } from ${JSON.stringify(join(import.meta.dir, 'utc-offset.ts'))}
console.log(JSON.stringify(${JSON.stringify(instants)}.map(utcOffsetMinutes)))`
  const proc = Bun.spawn([process.execPath, '-e', script], { env: { ...process.env, TZ: tz }, stdout: 'pipe', stderr: 'inherit' })
  const [text] = await Promise.all([new Response(proc.stdout).text(), proc.exited])
  return JSON.parse(text) as number[]
}

describe('utcOffsetMinutes', () => {
  it("gives the offset Date gives, in this process's zone", () => {
    for (const at of [Date.now(), WINTER, SUMMER]) expect(utcOffsetMinutes(at)).toBe(0 - new Date(at).getTimezoneOffset())
  })

  // Date (ICU) reads a POSIX rule in TZ as UTC, so these offsets come from the C library; Windows has none to ask.
  it.skipIf(process.platform === 'win32')('follows the zone in TZ, summer time included, east and west of UTC', async () => {
    // POSIX rules need no time-zone database: Central Europe, the US East Coast and India as their laws have them now.
    expect(await inZone('CET-1CEST,M3.5.0,M10.5.0/3', [WINTER, SUMMER])).toEqual([60, 120])
    expect(await inZone('EST5EDT,M3.2.0,M11.1.0', [WINTER, SUMMER])).toEqual([-300, -240])
    expect(await inZone('IST-5:30', [WINTER, SUMMER])).toEqual([330, 330])
  })
})
