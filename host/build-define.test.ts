import { describe, expect, it } from 'bun:test'
import { buildDefine } from './build-define.ts'

// Not defined by this test's run, as a build-time define is not when the host runs from source.
declare const SYSBOY_NEVER_DEFINED: number

describe('a build-time define', () => {
  // That the build replaces the identifier is shown on the executable (tests/binary-executables.test.ts, its --version).
  it('gives the value the build baked in', () => {
    expect(buildDefine(() => 16, 1)).toBe(16)
  })

  it('gives the value from source where the identifier is not defined', () => {
    expect(buildDefine(() => SYSBOY_NEVER_DEFINED, 1)).toBe(1)
  })

  it('lets any other error out', () => {
    expect(() =>
      buildDefine(() => {
        throw new TypeError('not a missing define')
      }, 1),
    ).toThrow('not a missing define')
  })
})
