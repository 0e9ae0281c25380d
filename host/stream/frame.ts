// The stream's pixel types: an RGB565 frame, a rectangle of it, and what a screen-capture edge hands out.

/** A row-major frame of RGB565 values (red in the top 5 bits, blue in the low 5). */
export interface Frame565 {
  width: number
  height: number
  pixels: Uint16Array
}

/** A rectangle of a frame, in pixels; never empty where the stream produces one. */
export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

/** A region of the PC's screen; capture() may hand out the same buffer each time, overwritten. */
export interface CaptureSource {
  readonly width: number
  readonly height: number
  capture(): Frame565
  /**
   * True when the last capture() gave exactly the pixels of the one before it, so the stream skips its diff; a source
   * that cannot tell for less than the diff costs leaves it undefined.
   */
  readonly unchanged?: boolean
  close(): void
}

/** Why a capture cannot start, thrown by the capture edges: one line saying what and what to do. */
export class CaptureRefused extends Error {}

export const createFrame = (width: number, height: number): Frame565 => ({
  width,
  height,
  pixels: new Uint16Array(width * height),
})

export const copyFrame = (frame: Frame565): Frame565 => ({
  width: frame.width,
  height: frame.height,
  pixels: frame.pixels.slice(),
})

/**
 * Copies `rects` of `next` into `shown`: what the device holds once it has applied them. With a change threshold
 * above 0 the host must keep its `shown` this way (not by taking `next` whole), so small drifts add up and get sent.
 */
export const applyRects = (shown: Frame565, next: Frame565, rects: readonly Rect[]): void => {
  for (const rect of rects) {
    for (let row = rect.y; row < rect.y + rect.height; row++) {
      const start = row * next.width + rect.x
      shown.pixels.set(next.pixels.subarray(start, start + rect.width), row * shown.width + rect.x)
    }
  }
}
