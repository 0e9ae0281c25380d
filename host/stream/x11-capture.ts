// Screen capture on X11 through bun:ffi: the region is read from the root window into a MIT-SHM shared image
// (XShmGetImage, one round trip, no copy through the socket) and turned into RGB565 through the colour tables. A still
// screen, the common case, costs neither: nothing is read while the DAMAGE extension reports no drawing, and nothing
// converted while the bytes read are those of the last capture (drawing elsewhere on the screen).
// Loaded only where capture.ts picks X11 (Linux and the BSDs).
import { dlopen, FFIType, JSCallback, read, toArrayBuffer } from 'bun:ffi'
import type { Pointer } from 'bun:ffi'
import type { ColourCorrection } from './colour.ts'
import { buildColourLut, convertBgrx } from './colour.ts'
import type { CaptureSource, Frame565 } from './frame.ts'
import { CaptureRefused, createFrame } from './frame.ts'
import type { DamageWatch } from './x11-damage.ts'
import { watchDamage } from './x11-damage.ts'

const ZPIXMAP = 2
const LSB_FIRST = 0
const ALL_PLANES = 0xffff_ffff_ffff_ffffn
const IPC_PRIVATE = 0
const IPC_CREAT = 0o1000
const IPC_RMID = 0
const SHMAT_FAILED = 0xffff_ffff_ffff_ffffn
// XShmSegmentInfo { unsigned long shmseg; int shmid; char *shmaddr; Bool readOnly; } on LP64: 0, 8, 16, 24; 32 bytes.
const SHMINFO_SIZE = 32
const SHMINFO_SHMID = 8
const SHMINFO_SHMADDR = 16
const SHMINFO_READ_ONLY = 24
// XImage on LP64 (Xlib.h): width 0, height 4, xoffset 8, format 12, data 16, byte_order 24, …, depth 40,
// bytes_per_line 44, bits_per_pixel 48, red_mask 56, green_mask 64, blue_mask 72.
const IMAGE_DATA = 16
const IMAGE_BYTE_ORDER = 24
const IMAGE_BYTES_PER_LINE = 44
const IMAGE_BITS_PER_PIXEL = 48
const IMAGE_RED_MASK = 56
const IMAGE_GREEN_MASK = 64
const IMAGE_BLUE_MASK = 72
// XErrorEvent: type 0, display 8, resourceid 16, serial 24, error_code 32 (unsigned char), request_code 33.
const ERROR_CODE = 32

const x11Symbols = {
  XOpenDisplay: { args: [FFIType.ptr], returns: FFIType.ptr },
  XCloseDisplay: { args: [FFIType.ptr], returns: FFIType.i32 },
  // After an I/O error (the X server went away) libX11 1.7+ calls the process-wide I/O error handler, then the
  // display's exit handler; the defaults of both call exit(1) (XlibInt.c, _XIOError), so both are replaced.
  XSetIOErrorHandler: { args: [FFIType.ptr], returns: FFIType.ptr },
  XSetIOErrorExitHandler: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.void },
  XDefaultScreen: { args: [FFIType.ptr], returns: FFIType.i32 },
  XRootWindow: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.u64 },
  XDefaultVisual: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.ptr },
  XDefaultDepth: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  // (display, drawable, &root, &x, &y, &width, &height, &border_width, &depth)
  XGetGeometry: {
    args: [FFIType.ptr, FFIType.u64, FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr],
    returns: FFIType.i32,
  },
  XSync: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  XPending: { args: [FFIType.ptr], returns: FFIType.i32 },
  // (display, &event): an XEvent is 192 bytes on LP64.
  XNextEvent: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  XSetErrorHandler: { args: [FFIType.function], returns: FFIType.ptr },
  // A function in libX11 as well as the Xutil.h macro; for an XShm image it frees the XImage only, not the segment.
  XDestroyImage: { args: [FFIType.ptr], returns: FFIType.i32 },
} as const

const xextSymbols = {
  XShmQueryExtension: { args: [FFIType.ptr], returns: FFIType.i32 },
  // (display, visual, depth, format, data, shminfo, width, height)
  XShmCreateImage: {
    args: [FFIType.ptr, FFIType.ptr, FFIType.u32, FFIType.i32, FFIType.ptr, FFIType.ptr, FFIType.u32, FFIType.u32],
    returns: FFIType.ptr,
  },
  XShmAttach: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  XShmDetach: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  // (display, drawable, image, x, y, plane_mask)
  XShmGetImage: { args: [FFIType.ptr, FFIType.u64, FFIType.ptr, FFIType.i32, FFIType.i32, FFIType.u64], returns: FFIType.i32 },
} as const

const libcSymbols = {
  shmget: { args: [FFIType.i32, FFIType.u64, FFIType.i32], returns: FFIType.i32 },
  // Returns (void *) -1 on failure, which only a u64 carries exactly.
  shmat: { args: [FFIType.i32, FFIType.ptr, FFIType.i32], returns: FFIType.u64 },
  shmdt: { args: [FFIType.ptr], returns: FFIType.i32 },
  shmctl: { args: [FFIType.i32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
  malloc: { args: [FFIType.u64], returns: FFIType.ptr },
  free: { args: [FFIType.ptr], returns: FFIType.void },
} as const

type Libraries = {
  x11: ReturnType<typeof dlopen<typeof x11Symbols>>['symbols']
  xext: ReturnType<typeof dlopen<typeof xextSymbols>>['symbols']
  libc: ReturnType<typeof dlopen<typeof libcSymbols>>['symbols']
}

let libraries: Libraries | undefined
// Xlib's default error handler exits the process; this one records the code for the call that caused it. Xlib
// calls it synchronously from inside the call (or XSync) that got the error, on this thread.
let lastError = 0
let errorHandler: JSCallback | undefined
/** The code recorded since the last call, cleared. */
const takeError = (): number => {
  const code = lastError
  lastError = 0
  return code
}
// Displays whose connection died. Xlib's default I/O error exit handler ends the process (exit(1)); with this one
// the call that met the error returns, and the capture on that display reports it and stops, while the host serves on.
const lostDisplays = new Set<number>()
let ioErrorHandler: JSCallback | undefined
let ioExitHandler: JSCallback | undefined

const load = (): Libraries => {
  if (libraries !== undefined) return libraries
  libraries = {
    x11: dlopen('libX11.so.6', x11Symbols).symbols,
    xext: dlopen('libXext.so.6', xextSymbols).symbols,
    libc: dlopen('libc.so.6', libcSymbols).symbols,
  }
  errorHandler = new JSCallback(
    (_display: Pointer, event: Pointer): number => {
      lastError = read.u8(event, ERROR_CODE)
      return 0
    },
    { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  )
  libraries.x11.XSetErrorHandler(errorHandler)
  ioErrorHandler = new JSCallback(
    (display: Pointer): number => {
      lostDisplays.add(Number(display))
      return 0
    },
    { args: [FFIType.ptr], returns: FFIType.i32 },
  )
  libraries.x11.XSetIOErrorHandler(ioErrorHandler.ptr)
  ioExitHandler = new JSCallback(
    (display: Pointer): void => {
      lostDisplays.add(Number(display))
    },
    { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.void },
  )
  return libraries
}

export interface X11CaptureOptions extends ColourCorrection {
  /** The X display (":0"); $DISPLAY when absent. */
  display?: string
  x: number
  y: number
  width: number
  height: number
}

// bun:ffi types a returned pointer as a number, a bigint or null; on the 64-bit ABIs Sysboy ships for it is a number.
const pointer = (value: Pointer | bigint | null): Pointer | null => (typeof value === 'bigint' ? (Number(value) as Pointer) : value)

const open = new Set<X11Capture>()
let exitHooked = false

class X11Capture implements CaptureSource {
  readonly width: number
  readonly height: number
  readonly #libs: Libraries
  readonly #display: Pointer
  readonly #root: bigint
  readonly #image: Pointer
  // Native (malloc'd) memory, never moved: Xlib keeps its address in the image (obdata) from XShmCreateImage to
  // XDestroyImage, and XShmGetImage reads the segment id from it on every call. A TypedArray's storage would stay put
  // too while referenced (JavaScriptCore does not move it), but malloc makes the lifetime explicit.
  readonly #shminfo: Pointer
  readonly #shmaddr: Pointer
  readonly #source: Uint32Array
  /** The shared image's bytes, and a copy of them as the last capture converted them. */
  readonly #raw: Buffer
  readonly #kept: Buffer
  #converted = false
  /** Whether the last capture gave the pixels of the one before it. */
  unchanged = false
  readonly #stride: number
  readonly #x: number
  readonly #y: number
  readonly #lut: ReturnType<typeof buildColourLut>
  readonly #frame: Frame565
  readonly #damage: DamageWatch | undefined
  #closed = false

  constructor(
    libs: Libraries,
    display: Pointer,
    root: bigint,
    image: Pointer,
    shminfo: Pointer,
    shmaddr: Pointer,
    damage: DamageWatch | undefined,
    options: X11CaptureOptions,
  ) {
    this.#libs = libs
    this.#display = display
    this.#root = root
    this.#image = image
    this.#shminfo = shminfo
    this.#shmaddr = shmaddr
    this.#damage = damage
    this.width = options.width
    this.height = options.height
    this.#x = options.x
    this.#y = options.y
    const bytesPerLine = read.i32(image, IMAGE_BYTES_PER_LINE)
    this.#stride = bytesPerLine / 4
    const shared = toArrayBuffer(shmaddr, 0, bytesPerLine * options.height)
    this.#source = new Uint32Array(shared)
    this.#raw = Buffer.from(shared)
    this.#kept = Buffer.alloc(shared.byteLength)
    this.#lut = buildColourLut(options)
    this.#frame = createFrame(options.width, options.height)
  }

  capture(): Frame565 {
    if (this.#closed) throw new Error('the X11 capture is closed')
    // Emptied before the read, so drawing after it is reported next time.
    const drawn = this.#damage?.take() ?? true
    this.#checkConnection()
    if (this.#converted && !drawn) {
      this.unchanged = true
      return this.#frame
    }
    lastError = 0
    const ok = this.#libs.xext.XShmGetImage(this.#display, this.#root, this.#image, this.#x, this.#y, ALL_PLANES)
    this.#checkConnection()
    if (ok === 0 || lastError !== 0) {
      throw new Error(`XShmGetImage failed (X error ${lastError}): is the region still inside the screen?`)
    }
    // A still screen skips the conversion: a native compare of a 320x240 region took 7 µs here, converting it 80 µs.
    this.unchanged = this.#converted && this.#raw.equals(this.#kept)
    if (this.unchanged) return this.#frame
    this.#kept.set(this.#raw)
    this.#converted = true
    convertBgrx(this.#lut, this.#source, this.#stride, this.width, this.height, this.#frame.pixels)
    return this.#frame
  }

  close(): void {
    this.#release(!lostDisplays.has(Number(this.#display)))
  }

  /** Throws, once the capture is released, when the X server went away during the last call. */
  #checkConnection(): void {
    if (!lostDisplays.has(Number(this.#display))) return
    this.#release(false)
    throw new Error('the X display went away (its X server stopped); the capture stops')
  }

  /** Frees the segment and the image; talks to the X server only while its connection lives. */
  #release(connected: boolean): void {
    if (this.#closed) return
    this.#closed = true
    open.delete(this)
    const { x11, xext, libc } = this.#libs
    this.#damage?.close(connected)
    if (connected) {
      xext.XShmDetach(this.#display, this.#shminfo)
      x11.XSync(this.#display, 0)
    }
    x11.XDestroyImage(this.#image)
    libc.shmdt(this.#shmaddr)
    libc.free(this.#shminfo)
    // On a dead connection XCloseDisplay only frees Xlib's memory.
    x11.XCloseDisplay(this.#display)
    lostDisplays.delete(Number(this.#display))
  }
}

const closeAll = (): void => {
  for (const capture of open) capture.close()
}

const refuse = (reason: string): never => {
  throw new CaptureRefused(reason)
}

/** Opens a region of an X display; throws CaptureRefused with a one-line reason when it cannot. */
export const openX11Capture = (options: X11CaptureOptions): CaptureSource => {
  const name = options.display ?? process.env.DISPLAY
  if (name === undefined || name === '') {
    refuse(
      process.env.WAYLAND_DISPLAY
        ? 'no X display: this is a Wayland session, which lets no program read the screen; run the host where DISPLAY names XWayland (it shows X windows only) or an X session'
        : 'no X display: set DISPLAY (":0", say) or the stream\'s `display`',
    )
  }
  let libs: Libraries
  try {
    libs = load()
  } catch (error) {
    return refuse(`no X libraries (${(error as Error).message}): install libX11 and libXext (Debian: libx11-6 libxext6)`)
  }
  const { x11, xext, libc } = libs
  const display = pointer(x11.XOpenDisplay(Buffer.from(`${name}\0`)))
  if (display === null) return refuse(`cannot open X display "${name}": is its X server running, and may this user connect (XAUTHORITY, xhost)?`)
  x11.XSetIOErrorExitHandler(display, ioExitHandler!.ptr, null)
  let shminfo: Pointer | null = null
  let image: Pointer | null = null
  let shmaddr: Pointer | undefined
  try {
    const screen = x11.XDefaultScreen(display)
    const root = x11.XRootWindow(display, screen)
    const words = new Uint32Array(8)
    const rootReturn = new BigUint64Array(1)
    // x, y (int), width, height, border, depth (unsigned int): one word each.
    x11.XGetGeometry(display, root, rootReturn, words.subarray(0, 1), words.subarray(1, 2), words.subarray(2, 3), words.subarray(3, 4), words.subarray(4, 5), words.subarray(5, 6))
    const screenWidth = words[2] as number
    const screenHeight = words[3] as number
    const { x, y, width, height } = options
    if (!(width >= 1 && height >= 1 && x >= 0 && y >= 0 && x + width <= screenWidth && y + height <= screenHeight)) {
      refuse(`the region ${width}x${height} at ${x},${y} is not inside the ${screenWidth}x${screenHeight} screen of X display "${name}"; move or shrink it`)
    }
    if (xext.XShmQueryExtension(display) === 0) refuse(`X display "${name}" has no MIT-SHM extension, which capture needs; use a local X server with it (Xorg, Xvfb, XWayland have it)`)
    const depth = x11.XDefaultDepth(display, screen)
    shminfo = pointer(libc.malloc(SHMINFO_SIZE))
    if (shminfo === null) return refuse('out of memory')
    const info = new DataView(toArrayBuffer(shminfo, 0, SHMINFO_SIZE))
    for (let i = 0; i < SHMINFO_SIZE; i++) info.setUint8(i, 0)
    image = pointer(xext.XShmCreateImage(display, x11.XDefaultVisual(display, screen), depth, ZPIXMAP, null, shminfo, width, height))
    if (image === null) return refuse(`X display "${name}" could not make a shared image of depth ${depth}`)
    const bits = read.i32(image, IMAGE_BITS_PER_PIXEL)
    const masks = [read.u64(image, IMAGE_RED_MASK), read.u64(image, IMAGE_GREEN_MASK), read.u64(image, IMAGE_BLUE_MASK)]
    if (bits !== 32 || read.i32(image, IMAGE_BYTE_ORDER) !== LSB_FIRST || masks[0] !== 0xff0000n || masks[1] !== 0xff00n || masks[2] !== 0xffn) {
      refuse(`X display "${name}" has depth ${depth} at ${bits} bits per pixel, not the 24-bit TrueColor capture reads; run the X server at depth 24`)
    }
    const size = read.i32(image, IMAGE_BYTES_PER_LINE) * height
    const shmid = libc.shmget(IPC_PRIVATE, BigInt(size), IPC_CREAT | 0o600)
    if (shmid < 0) refuse(`shmget of ${size} bytes failed: System V shared memory is off or full (kernel.shmmax, a container's IPC namespace)`)
    const address = libc.shmat(shmid, null, 0)
    if (address === SHMAT_FAILED) {
      libc.shmctl(shmid, IPC_RMID, null)
      refuse('shmat failed: System V shared memory cannot be attached here')
    }
    shmaddr = Number(address) as Pointer
    info.setInt32(SHMINFO_SHMID, shmid, true)
    info.setBigUint64(SHMINFO_SHMADDR, address, true)
    info.setInt32(SHMINFO_READ_ONLY, 0, true)
    new DataView(toArrayBuffer(image, 0, IMAGE_DATA + 8)).setBigUint64(IMAGE_DATA, address, true)
    lastError = 0
    const attached = xext.XShmAttach(display, shminfo)
    x11.XSync(display, 0)
    // Marked for removal once attached on both sides: the kernel frees it when the host and the X server detach,
    // even if the host dies without closing.
    libc.shmctl(shmid, IPC_RMID, null)
    if (attached === 0 || lastError !== 0) {
      refuse(`X display "${name}" refused the shared memory (X error ${lastError}): it must run on this machine, in the same IPC namespace`)
    }
    const capture = new X11Capture(libs, display, root, image, shminfo, shmaddr, watchDamage(x11, takeError, display, root), options)
    open.add(capture)
    if (!exitHooked) {
      exitHooked = true
      process.on('exit', closeAll)
    }
    return capture
  } catch (error) {
    if (image !== null) x11.XDestroyImage(image)
    if (shmaddr !== undefined) libc.shmdt(shmaddr)
    if (shminfo !== null) libc.free(shminfo)
    x11.XCloseDisplay(display)
    throw error
  }
}
