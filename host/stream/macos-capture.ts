// Screen capture on macOS through bun:ffi and CoreGraphics: CGDisplayCreateImage of the main display each frame,
// the region read from its pixels. Loaded only on macOS. UNTESTED: written from Apple's documentation
// (CGMainDisplayID, CGPreflightScreenCaptureAccess, CGRequestScreenCaptureAccess, CGDisplayCreateImage,
// CGImageGetWidth/Height/BytesPerRow/BitsPerPixel/BitmapInfo, CGImageGetDataProvider, CGDataProviderCopyData,
// CFDataGetBytePtr, CFDataGetLength, CFRelease, CGImageRelease), never run here.
// CGDisplayCreateImageForRect would read only the region, but it takes a CGRect by value, which bun:ffi cannot
// pass on x86-64; the whole display is copied instead. Both are obsoleted in macOS 15, where ScreenCaptureKit
// (an Objective-C API with callbacks) is the only way, and this module refuses with one line.
import { release } from 'node:os'
import { dlopen, FFIType, toArrayBuffer } from 'bun:ffi'
import type { Pointer } from 'bun:ffi'
import type { ColourCorrection } from './colour.ts'
import { buildColourLut, convertBgrx } from './colour.ts'
import type { CaptureSource, Frame565 } from './frame.ts'
import { CaptureRefused, createFrame } from './frame.ts'

// macOS 15 (Sequoia) is Darwin 24.
const FIRST_DARWIN_WITHOUT_CG_CAPTURE = 24
const BYTE_ORDER_MASK = 0x7000
const BYTE_ORDER_32_LITTLE = 2 << 12
const ALPHA_INFO_MASK = 0x1f
// Alpha (or padding) in the top byte of a little-endian word: B, G, R, A in memory, as convertBgrx reads.
const ALPHA_FIRST = new Set([2 /* premultiplied first */, 4 /* first */, 6 /* none, skip first */])

const coreGraphicsSymbols = {
  CGMainDisplayID: { args: [], returns: FFIType.u32 },
  CGPreflightScreenCaptureAccess: { args: [], returns: FFIType.bool },
  CGRequestScreenCaptureAccess: { args: [], returns: FFIType.bool },
  CGDisplayCreateImage: { args: [FFIType.u32], returns: FFIType.ptr },
  CGImageGetWidth: { args: [FFIType.ptr], returns: FFIType.u64 },
  CGImageGetHeight: { args: [FFIType.ptr], returns: FFIType.u64 },
  CGImageGetBytesPerRow: { args: [FFIType.ptr], returns: FFIType.u64 },
  CGImageGetBitsPerPixel: { args: [FFIType.ptr], returns: FFIType.u64 },
  CGImageGetBitmapInfo: { args: [FFIType.ptr], returns: FFIType.u32 },
  CGImageGetDataProvider: { args: [FFIType.ptr], returns: FFIType.ptr },
  CGDataProviderCopyData: { args: [FFIType.ptr], returns: FFIType.ptr },
  CGImageRelease: { args: [FFIType.ptr], returns: FFIType.void },
} as const

const coreFoundationSymbols = {
  CFDataGetBytePtr: { args: [FFIType.ptr], returns: FFIType.ptr },
  CFDataGetLength: { args: [FFIType.ptr], returns: FFIType.i64 },
  CFRelease: { args: [FFIType.ptr], returns: FFIType.void },
} as const

const pointer = (value: Pointer | bigint | null): Pointer | null => (typeof value === 'bigint' ? (Number(value) as Pointer) : value)

export interface MacosCaptureOptions extends ColourCorrection {
  x: number
  y: number
  width: number
  height: number
}

/** Opens a region of the main display, in its pixels (not points); throws CaptureRefused with a one-line reason. */
export const openMacosCapture = (options: MacosCaptureOptions): CaptureSource => {
  const darwin = Number.parseInt(release(), 10)
  if (darwin >= FIRST_DARWIN_WITHOUT_CG_CAPTURE) {
    throw new CaptureRefused(
      'screen capture on macOS 15 and later needs ScreenCaptureKit, which the host does not use yet: stream a host-drawn scene (source "scene") instead, or capture on Linux or Windows',
    )
  }
  let cg: ReturnType<typeof dlopen<typeof coreGraphicsSymbols>>['symbols']
  let cf: ReturnType<typeof dlopen<typeof coreFoundationSymbols>>['symbols']
  try {
    cg = dlopen('/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics', coreGraphicsSymbols).symbols
    cf = dlopen('/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation', coreFoundationSymbols).symbols
  } catch (error) {
    throw new CaptureRefused(`CoreGraphics screen capture is not available (${(error as Error).message}): it needs macOS 10.15 to 14`)
  }
  if (!cg.CGPreflightScreenCaptureAccess()) {
    // Shows the system's prompt once; the permission applies from the next start of the host.
    cg.CGRequestScreenCaptureAccess()
    throw new CaptureRefused('macOS has not allowed this program to record the screen: allow it in System Settings › Privacy & Security › Screen Recording, then restart the host')
  }
  const display = cg.CGMainDisplayID()
  const { x, y, width, height } = options
  const lut = buildColourLut(options)
  const frame = createFrame(width, height)

  // One display image, handed to `use` and released after, however `use` ends.
  const withImage = <T>(use: (image: Pointer) => T): T => {
    const image = pointer(cg.CGDisplayCreateImage(display))
    if (image === null) throw new Error('CGDisplayCreateImage gave no image (the display went away, or recording was revoked)')
    try {
      return use(image)
    } finally {
      cg.CGImageRelease(image)
    }
  }

  withImage((image) => {
    const screenWidth = Number(cg.CGImageGetWidth(image))
    const screenHeight = Number(cg.CGImageGetHeight(image))
    if (x + width > screenWidth || y + height > screenHeight) {
      throw new CaptureRefused(`the region ${width}x${height} at ${x},${y} is not inside the ${screenWidth}x${screenHeight} pixels of the main display; move or shrink it`)
    }
    const info = cg.CGImageGetBitmapInfo(image)
    if (Number(cg.CGImageGetBitsPerPixel(image)) !== 32 || (info & BYTE_ORDER_MASK) !== BYTE_ORDER_32_LITTLE || !ALPHA_FIRST.has(info & ALPHA_INFO_MASK)) {
      throw new CaptureRefused(`the main display's pixels (bitmap info 0x${info.toString(16)}) are not the 32-bit BGRA capture reads`)
    }
  })

  let closed = false
  return {
    width,
    height,
    capture(): Frame565 {
      if (closed) throw new Error('the CoreGraphics capture is closed')
      return withImage((image) => {
        const data = pointer(cg.CGDataProviderCopyData(cg.CGImageGetDataProvider(image)))
        if (data === null) throw new Error('CGDataProviderCopyData gave no pixels')
        try {
          const bytes = pointer(cf.CFDataGetBytePtr(data))
          if (bytes === null) throw new Error('the display image has no pixel data')
          const stride = Number(cg.CGImageGetBytesPerRow(image)) / 4
          const length = Number(cf.CFDataGetLength(data))
          const source = new Uint32Array(toArrayBuffer(bytes, 0, length - (length % 4)))
          convertBgrx(lut, source.subarray(y * stride + x), stride, width, height, frame.pixels)
          return frame
        } finally {
          cf.CFRelease(data)
        }
      })
    },
    close(): void {
      closed = true
    },
  }
}
