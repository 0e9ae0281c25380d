import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sha256Hex } from './catalog.ts'
import { prepareFirmware } from './prepare.ts'
import { testAppImage, testMergedImage } from './test-images.ts'

const made: string[] = []
const folder = (files: Record<string, Uint8Array>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'sysboy-firmware-'))
  made.push(dir)
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes)
  return dir
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

describe('the build’s firmware images', () => {
  it('embeds both chips’ merged images, keeping each app only inside its merged image', () => {
    const c3 = testAppImage('0.2.0', 5)
    const c6 = testAppImage('0.2.0', 13)
    const into = folder({})
    const source = folder({ 'sysboy-esp32c3.bin': testMergedImage(c3), 'sysboy-esp32c3-app.bin': c3, 'sysboy-esp32c6.bin': testMergedImage(c6) })
    const facts = prepareFirmware(source, false, into)
    expect(facts.map((f) => [f.chip, f.version, f.sha256, f.appInMergedAt])).toEqual([
      ['esp32c3', '0.2.0', sha256Hex(c3), 0x10000],
      ['esp32c6', '0.2.0', sha256Hex(c6), 0x10000],
    ])
    expect(readdirSync(into).sort()).toEqual(['sysboy-esp32c3-app.bin', 'sysboy-esp32c3.bin', 'sysboy-esp32c6-app.bin', 'sysboy-esp32c6.bin'])
    expect(readFileSync(join(into, 'sysboy-esp32c3-app.bin')).length).toBe(0)
    expect(new Uint8Array(readFileSync(join(into, 'sysboy-esp32c3.bin')))).toEqual(testMergedImage(c3))
  })

  it('fails without a chip’s merged image in the default folder, saying to run the firmware build', () => {
    const source = folder({ 'sysboy-esp32c3.bin': testMergedImage(testAppImage('0.2.0', 5)) })
    expect(() => prepareFirmware(source, false, folder({}))).toThrow(/no firmware image for esp32c6 in .* \(sysboy-esp32c6\.bin\): build the images first with sh scripts\/firmware-build\.sh/)
  })

  it('takes an app image alone from a folder named with --firmware, and leaves the last images when it fails', () => {
    const next = testAppImage('0.3.0', 5)
    const into = folder({})
    expect(prepareFirmware(folder({ 'sysboy-esp32c3-app.bin': next }), true, into).map((f) => [f.chip, f.version, f.merged])).toEqual([['esp32c3', '0.3.0', null]])
    expect(new Uint8Array(readFileSync(join(into, 'sysboy-esp32c3-app.bin')))).toEqual(next)
    expect(() => prepareFirmware(folder({ 'sysboy-esp32c6-app.bin': next }), true, into)).toThrow('sysboy-esp32c6-app.bin: it is an image for esp32c3, not esp32c6')
    expect(() => prepareFirmware(folder({}), true, into)).toThrow(/no firmware images in/)
    expect(new Uint8Array(readFileSync(join(into, 'sysboy-esp32c3-app.bin')))).toEqual(next)
  })
})
