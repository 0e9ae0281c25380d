// Whether an X screen was drawn on since the capture last read it, from the DAMAGE extension through bun:ffi: a
// capture of a still screen then costs no round trip to the X server, only a look at the events already received.
// Optional: where libXdamage or the extension is missing, the capture reads the screen every time.
import { dlopen, FFIType } from 'bun:ffi'
import type { Pointer } from 'bun:ffi'

// Xdamage.h: XDamageReportNonEmpty, one event each time the damaged region goes from empty to not empty;
// XDamageNotify is event 0 of the extension's events.
const REPORT_NON_EMPTY = 3
const DAMAGE_NOTIFY = 0
// sizeof(XEvent) on LP64: a union padded to 24 longs.
const XEVENT_SIZE = 192

const damageSymbols = {
  // (display, &event_base, &error_base)
  XDamageQueryExtension: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  XDamageCreate: { args: [FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.u64 },
  // (display, damage, repair, parts): None for both empties the damage.
  XDamageSubtract: { args: [FFIType.ptr, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.void },
  XDamageDestroy: { args: [FFIType.ptr, FFIType.u64], returns: FFIType.void },
} as const

/** The libX11 calls a damage watch needs, from the capture's own handle on the library. */
export interface EventCalls {
  XPending: (display: Pointer) => number
  XNextEvent: (display: Pointer, event: Uint8Array) => number
  XSync: (display: Pointer, discard: number) => number
}

/** Xlib's error handler is the capture's; this reads and clears the code it recorded for the calls in between. */
export type TakeError = () => number

let library: ReturnType<typeof dlopen<typeof damageSymbols>>['symbols'] | null | undefined

const loadDamage = (): typeof library => {
  if (library !== undefined) return library
  try {
    library = dlopen('libXdamage.so.1', damageSymbols).symbols
  } catch {
    library = null
  }
  return library
}

/** The damage to one X drawable since the last `take()`. */
export class DamageWatch {
  readonly #x11: EventCalls
  readonly #damage: NonNullable<typeof library>
  readonly #display: Pointer
  readonly #handle: bigint
  readonly #notify: number
  readonly #event = new Uint8Array(XEVENT_SIZE)
  /** The event's `type`, its first int. */
  readonly #type = new Int32Array(this.#event.buffer, 0, 1)

  constructor(x11: EventCalls, damage: NonNullable<typeof library>, display: Pointer, handle: bigint, notify: number) {
    this.#x11 = x11
    this.#damage = damage
    this.#display = display
    this.#handle = handle
    this.#notify = notify
  }

  /**
   * Whether anything was drawn since the last call; when so, the damage is emptied first, so that drawing after
   * this call (the capture's read comes next) is reported again. Reads only events already here: no round trip.
   */
  take(): boolean {
    let drawn = false
    while (this.#x11.XPending(this.#display) > 0) {
      this.#x11.XNextEvent(this.#display, this.#event)
      if (this.#type[0] === this.#notify) drawn = true
    }
    if (drawn) this.#damage.XDamageSubtract(this.#display, this.#handle, 0n, 0n)
    return drawn
  }

  close(connected: boolean): void {
    if (connected) this.#damage.XDamageDestroy(this.#display, this.#handle)
  }
}

/** Watches `drawable` (the root window) for drawing; undefined where the display or this machine has no DAMAGE. */
export const watchDamage = (x11: EventCalls, takeError: TakeError, display: Pointer, drawable: bigint): DamageWatch | undefined => {
  const damage = loadDamage()
  if (damage === null || damage === undefined) return undefined
  const bases = new Int32Array(2)
  if (damage.XDamageQueryExtension(display, bases.subarray(0, 1), bases.subarray(1, 2)) === 0) return undefined
  takeError()
  const handle = damage.XDamageCreate(display, drawable, REPORT_NON_EMPTY)
  x11.XSync(display, 0)
  if (takeError() !== 0 || handle === 0n) return undefined
  return new DamageWatch(x11, damage, display, handle, (bases[0] as number) + DAMAGE_NOTIFY)
}
