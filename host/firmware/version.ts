// Firmware versions compared the semver way: numeric parts as numbers, a pre-release (`-rc.1`) before its release,
// build metadata (`+abc`) ignored; a leading `v` allowed. A version that does not read so is never called newer.

export interface FirmwareVersion {
  /** The dotted numbers, as many as were written (`1.2` is [1, 2]; missing ones count as 0). */
  numbers: number[]
  /** The pre-release identifiers after `-`; empty for a release. */
  pre: string[]
}

const NUMBERS = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/

/** The version in `text`, or undefined when it is not one (`dev`, ``, `1..2`). */
export const parseVersion = (text: string): FirmwareVersion | undefined => {
  const match = NUMBERS.exec(text.trim())
  if (match === null) return undefined
  const numbers = (match[1] as string).split('.').map(Number)
  if (numbers.some((n) => !Number.isSafeInteger(n))) return undefined
  const pre = match[2] === undefined ? [] : match[2].split('.')
  if (pre.some((id) => id === '')) return undefined
  return { numbers, pre }
}

const comparePre = (a: readonly string[], b: readonly string[]): number => {
  // A release sorts after any of its pre-releases.
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i]
    const y = b[i]
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1
    if (x === y) continue
    const xNumeric = /^\d+$/.test(x)
    const yNumeric = /^\d+$/.test(y)
    if (xNumeric && yNumeric) return Math.sign(Number(x) - Number(y))
    // Numeric identifiers sort before alphanumeric ones.
    if (xNumeric !== yNumeric) return xNumeric ? -1 : 1
    return x < y ? -1 : 1
  }
  return 0
}

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`; undefined when either is no version. */
export const compareVersions = (a: string, b: string): number | undefined => {
  const x = parseVersion(a)
  const y = parseVersion(b)
  if (x === undefined || y === undefined) return undefined
  for (let i = 0; i < Math.max(x.numbers.length, y.numbers.length); i++) {
    const difference = (x.numbers[i] ?? 0) - (y.numbers[i] ?? 0)
    if (difference !== 0) return Math.sign(difference)
  }
  return comparePre(x.pre, y.pre)
}

/** Whether `offered` is a newer version than `running`; false when either cannot be read as a version. */
export const isNewer = (offered: string, running: string): boolean => (compareVersions(offered, running) ?? 0) > 0
