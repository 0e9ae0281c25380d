// Screen capture on Windows through bun:ffi and GDI: BitBlt (SRCCOPY | CAPTUREBLT) from the screen's device context
// into a top-down 32-bit DIB section, read in place after GdiFlush. Loaded only on Windows. UNTESTED: written from
// Microsoft's documentation (GetDC, CreateCompatibleDC, CreateDIBSection, SelectObject, BitBlt, GdiFlush,
// GetSystemMetrics, SetProcessDPIAware, DeleteObject, DeleteDC, ReleaseDC; BITMAPINFOHEADER), never run here.
import { dlopen, FFIType, toArrayBuffer } from 'bun:ffi'
import type { Pointer } from 'bun:ffi'
import type { ColourCorrection } from './colour.ts'
import { buildColourLut, convertBgrx } from './colour.ts'
import type { CaptureSource, Frame565 } from './frame.ts'
import { CaptureRefused, createFrame } from './frame.ts'

const SM_XVIRTUALSCREEN = 76
const SM_YVIRTUALSCREEN = 77
const SM_CXVIRTUALSCREEN = 78
const SM_CYVIRTUALSCREEN = 79
const DIB_RGB_COLORS = 0
const BI_RGB = 0
const SRCCOPY = 0x00cc0020
// Includes layered (translucent) windows in the copy.
const CAPTUREBLT = 0x40000000
// BITMAPINFO: a 40-byte BITMAPINFOHEADER and one RGBQUAD.
const BITMAPINFO_SIZE = 44

const user32Symbols = {
  GetDC: { args: [FFIType.ptr], returns: FFIType.ptr },
  ReleaseDC: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  GetSystemMetrics: { args: [FFIType.i32], returns: FFIType.i32 },
  // Without it Windows scales the screen for this process and BitBlt reads a scaled, blurred copy.
  SetProcessDPIAware: { args: [], returns: FFIType.i32 },
} as const

const gdi32Symbols = {
  CreateCompatibleDC: { args: [FFIType.ptr], returns: FFIType.ptr },
  // (hdc, const BITMAPINFO *, usage, void **bits, hSection, offset)
  CreateDIBSection: { args: [FFIType.ptr, FFIType.ptr, FFIType.u32, FFIType.ptr, FFIType.ptr, FFIType.u32], returns: FFIType.ptr },
  SelectObject: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.ptr },
  // (dest, x, y, width, height, source, x1, y1, rop)
  BitBlt: {
    args: [FFIType.ptr, FFIType.i32, FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.i32, FFIType.i32, FFIType.u32],
    returns: FFIType.i32,
  },
  GdiFlush: { args: [], returns: FFIType.i32 },
  DeleteObject: { args: [FFIType.ptr], returns: FFIType.i32 },
  DeleteDC: { args: [FFIType.ptr], returns: FFIType.i32 },
} as const

const pointer = (value: Pointer | bigint | null): Pointer | null => (typeof value === 'bigint' ? (Number(value) as Pointer) : value)

export interface WindowsCaptureOptions extends ColourCorrection {
  x: number
  y: number
  width: number
  height: number
}

/** Opens a region of the Windows desktop (virtual-screen coordinates); throws CaptureRefused with a one-line reason. */
export const openWindowsCapture = (options: WindowsCaptureOptions): CaptureSource => {
  let user32: ReturnType<typeof dlopen<typeof user32Symbols>>['symbols']
  let gdi32: ReturnType<typeof dlopen<typeof gdi32Symbols>>['symbols']
  try {
    user32 = dlopen('user32.dll', user32Symbols).symbols
    gdi32 = dlopen('gdi32.dll', gdi32Symbols).symbols
  } catch (error) {
    throw new CaptureRefused(`GDI is not available (${(error as Error).message}): screen capture needs a Windows desktop session`)
  }
  user32.SetProcessDPIAware()
  const { x, y, width, height } = options
  const left = user32.GetSystemMetrics(SM_XVIRTUALSCREEN)
  const top = user32.GetSystemMetrics(SM_YVIRTUALSCREEN)
  const screenWidth = user32.GetSystemMetrics(SM_CXVIRTUALSCREEN)
  const screenHeight = user32.GetSystemMetrics(SM_CYVIRTUALSCREEN)
  if (x < left || y < top || x + width > left + screenWidth || y + height > top + screenHeight) {
    throw new CaptureRefused(`the region ${width}x${height} at ${x},${y} is not inside the ${screenWidth}x${screenHeight} desktop at ${left},${top}; move or shrink it`)
  }
  const screen = pointer(user32.GetDC(null))
  if (screen === null) throw new CaptureRefused('GetDC(NULL) failed: no interactive desktop (a service or a locked session cannot capture the screen)')
  const memory = pointer(gdi32.CreateCompatibleDC(screen))
  const info = new DataView(new ArrayBuffer(BITMAPINFO_SIZE))
  info.setUint32(0, 40, true) // biSize
  info.setInt32(4, width, true) // biWidth
  info.setInt32(8, -height, true) // biHeight: negative for top-down rows
  info.setUint16(12, 1, true) // biPlanes
  info.setUint16(14, 32, true) // biBitCount: B, G, R, X bytes
  info.setUint32(16, BI_RGB, true) // biCompression
  const bitsOut = new BigUint64Array(1)
  const bitmap = memory === null ? null : pointer(gdi32.CreateDIBSection(memory, new Uint8Array(info.buffer), DIB_RGB_COLORS, bitsOut, null, 0))
  const bits = pointer(bitsOut[0] === 0n ? null : (bitsOut[0] as bigint))
  if (memory === null || bitmap === null || bits === null) {
    if (bitmap !== null) gdi32.DeleteObject(bitmap)
    if (memory !== null) gdi32.DeleteDC(memory)
    user32.ReleaseDC(null, screen)
    throw new CaptureRefused(`GDI could not make a ${width}x${height} bitmap to capture into`)
  }
  const previous = pointer(gdi32.SelectObject(memory, bitmap))
  const source = new Uint32Array(toArrayBuffer(bits, 0, width * height * 4))
  const lut = buildColourLut(options)
  const frame = createFrame(width, height)
  let closed = false
  return {
    width,
    height,
    capture(): Frame565 {
      if (closed) throw new Error('the GDI capture is closed')
      if (gdi32.BitBlt(memory, 0, 0, width, height, screen, x, y, SRCCOPY | CAPTUREBLT) === 0) {
        throw new Error('BitBlt from the screen failed (the secure desktop, a UAC prompt or a locked session hides it)')
      }
      // The DIB section's memory is only up to date once GDI's batch is flushed.
      gdi32.GdiFlush()
      convertBgrx(lut, source, width, width, height, frame.pixels)
      return frame
    },
    close(): void {
      if (closed) return
      closed = true
      if (previous !== null) gdi32.SelectObject(memory, previous)
      gdi32.DeleteObject(bitmap)
      gdi32.DeleteDC(memory)
      user32.ReleaseDC(null, screen)
    },
  }
}
