import { describe, expect, it } from 'bun:test'
import { compareVersions, isNewer, parseVersion } from './version.ts'

describe('firmware versions', () => {
  it('compares the numbers as numbers, not as text', () => {
    expect(compareVersions('0.10.0', '0.9.9')).toBe(1)
    expect(compareVersions('1.2.3', '1.2.3')).toBe(0)
    expect(compareVersions('1.2.3', '1.2.4')).toBe(-1)
    expect(compareVersions('2.0.0', '10.0.0')).toBe(-1)
  })

  it('counts missing parts as zero and allows a leading v', () => {
    expect(compareVersions('1.2', '1.2.0')).toBe(0)
    expect(compareVersions('v1.3', '1.2.9')).toBe(1)
  })

  it('puts a pre-release before its release, in semver order among themselves', () => {
    expect(compareVersions('0.2.0-rc.1', '0.2.0')).toBe(-1)
    expect(compareVersions('0.2.0', '0.2.0-rc.1')).toBe(1)
    expect(compareVersions('0.2.0-rc.2', '0.2.0-rc.10')).toBe(-1)
    expect(compareVersions('0.2.0-alpha', '0.2.0-alpha.1')).toBe(-1)
    expect(compareVersions('0.2.0-1', '0.2.0-alpha')).toBe(-1)
    expect(compareVersions('0.2.0-beta', '0.2.0-alpha')).toBe(1)
    expect(compareVersions('0.2.0-rc.1', '0.1.9')).toBe(1)
  })

  it('ignores build metadata', () => {
    expect(compareVersions('0.2.0+abc', '0.2.0+def')).toBe(0)
  })

  it('reads no version from text that is not one, and never calls it newer', () => {
    for (const text of ['', 'dev', '1..2', '1.2.x', '-1', '1.2.3-', '1.2.3-a..b']) expect(parseVersion(text)).toBeUndefined()
    expect(compareVersions('dev', '0.1.0')).toBeUndefined()
    expect(isNewer('0.2.0', 'dev')).toBe(false)
    expect(isNewer('dev', '0.1.0')).toBe(false)
    expect(isNewer('0.2.0', '0.1.0')).toBe(true)
    expect(isNewer('0.1.0', '0.1.0')).toBe(false)
  })
})
