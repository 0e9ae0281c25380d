// The host's offset from UTC, for the welcome frame. JavaScriptCore answers Date's local-time questions through ICU,
// whose time-zone data and code cost an idle host 3.4 MB of peak RSS when the first board is welcomed
// (bench/idle.ts); the C library's localtime_r reads the same zone (TZ, else /etc/localtime) for a fraction of that.
// Where there is no such C library (Windows, a libc under another name), Date answers.
import { dlopen, FFIType, ptr } from 'bun:ffi'
import { UTC_OFFSET_MIN } from '../../schema/constants.ts'

const LIBC: Partial<Record<NodeJS.Platform, string>> = { linux: 'libc.so.6', darwin: '/usr/lib/libSystem.B.dylib' }


type Offset = (now: number) => number | undefined

/**
 * localtime_r's `tm_gmtoff` in minutes. `struct tm` on LP64 glibc, musl and macOS: nine ints, then `long tm_gmtoff`
 * at byte 40 (the sixth 8-byte word), then `tm_zone`.
 */
const libcOffset = (): Offset | undefined => {
  const path = LIBC[process.platform]
  if (path === undefined) return undefined
  try {
    const { localtime_r } = dlopen(path, { localtime_r: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.ptr } }).symbols
    const time = new BigInt64Array(1)
    const tm = new BigInt64Array(8)
    return (now) => {
      time[0] = BigInt(Math.floor(now / 1000))
      if (localtime_r(ptr(time), ptr(tm)) === null) return undefined
      const minutes = Number(tm[5]) / 60
      return Number.isInteger(minutes) && minutes >= UTC_OFFSET_MIN.minimum && minutes <= UTC_OFFSET_MIN.maximum ? minutes : undefined
    }
  } catch {
    return undefined
  }
}

let offset: Offset | null | undefined

/** Minutes east of UTC at `now` (ms since the epoch) in the host's zone, as the welcome frame carries them. */
export const utcOffsetMinutes = (now: number): number => {
  if (offset === undefined) offset = libcOffset() ?? null
  const minutes = offset?.(now) ?? 0 - new Date(now).getTimezoneOffset()
  return Math.max(UTC_OFFSET_MIN.minimum, Math.min(UTC_OFFSET_MIN.maximum, minutes))
}
