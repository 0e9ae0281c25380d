// Opens a screen-region capture on whatever this OS offers (X11, Windows GDI, macOS CoreGraphics), or says in one
// line why it cannot and what to do; the stream never needs to know which OS it runs on.
import type { ColourCorrection } from './colour.ts'
import type { CaptureSource } from './frame.ts'
import { CaptureRefused } from './frame.ts'
import { openMacosCapture } from './macos-capture.ts'
import { openWindowsCapture } from './windows-capture.ts'
import { openX11Capture } from './x11-capture.ts'

export type CaptureResult = { ok: true; source: CaptureSource } | { ok: false; reason: string }

export interface RegionCaptureOptions {
  /** X11 only: the display (":0"); $DISPLAY when absent. */
  display?: string
  x: number
  y: number
  width: number
  height: number
  gamma?: number
  whiteBalance?: { red: number; green: number; blue: number }
}

// Each edge loads its native libraries only when called, so importing all three costs nothing on the others.
const openForPlatform = (options: RegionCaptureOptions & ColourCorrection): CaptureSource => {
  switch (process.platform) {
    case 'win32':
      return openWindowsCapture(options)
    case 'darwin':
      return openMacosCapture(options)
    case 'linux':
    case 'freebsd':
    case 'openbsd':
      return openX11Capture(options)
    default:
      throw new CaptureRefused(`screen capture is not supported on ${process.platform}: stream a host-drawn scene (source "scene") instead`)
  }
}

/** A region of the PC's screen as RGB565 frames, colour-corrected; or the reason, in one line, that it cannot be. */
export const openRegionCapture = (options: RegionCaptureOptions): CaptureResult => {
  try {
    return { ok: true, source: openForPlatform(options) }
  } catch (error) {
    if (error instanceof CaptureRefused) return { ok: false, reason: error.message }
    return { ok: false, reason: `screen capture failed: ${(error as Error).message}` }
  }
}
