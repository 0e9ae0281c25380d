// Colour correction for a TFT: gamma and white balance as one lookup table per channel, built once, that turns
// 8-bit red, green and blue straight into their bits of an RGB565 pixel.

export interface WhiteBalanceGains {
  red: number
  green: number
  blue: number
}

export interface ColourCorrection {
  /** out = 255·(in/255)^gamma, as the seed does to pre-compensate the panel; 1 (the default) changes nothing. */
  gamma?: number
  /** Gains applied after gamma, clipped at full scale; 1 each by default. */
  whiteBalance?: WhiteBalanceGains
}

/** Per-channel tables indexed by the 8-bit value, each holding that channel's bits already in RGB565 position. */
export interface ColourLut {
  red: Uint16Array
  green: Uint16Array
  blue: Uint16Array
  /** Red and green together, indexed by red << 8 | green: one lookup fewer per pixel where it counts. */
  redGreen: Uint16Array
}

// 8 bits to 5 or 6 by truncation (as the seed does), so 565 → 888 by bit replication → 565 gives the value back.
const channelTable = (gamma: number, gain: number, bits: number, shift: number): Uint16Array => {
  const table = new Uint16Array(256)
  for (let value = 0; value < 256; value++) {
    const corrected = gamma === 1 && gain === 1 ? value : Math.min(255, Math.round(255 * (value / 255) ** gamma * gain))
    table[value] = (corrected >> (8 - bits)) << shift
  }
  return table
}

export const buildColourLut = (correction: ColourCorrection = {}): ColourLut => {
  const gamma = correction.gamma ?? 1
  const gains = correction.whiteBalance ?? { red: 1, green: 1, blue: 1 }
  if (!(gamma > 0) || !(gains.red >= 0) || !(gains.green >= 0) || !(gains.blue >= 0)) {
    throw new RangeError(`colour correction out of range: gamma ${gamma}, gains ${gains.red}/${gains.green}/${gains.blue}`)
  }
  const red = channelTable(gamma, gains.red, 5, 11)
  const green = channelTable(gamma, gains.green, 6, 5)
  const redGreen = new Uint16Array(65_536)
  for (let index = 0; index < 65_536; index++) redGreen[index] = (red[index >> 8] as number) | (green[index & 255] as number)
  return { red, green, blue: channelTable(gamma, gains.blue, 5, 0), redGreen }
}

export const rgb565 = (lut: ColourLut, red: number, green: number, blue: number): number =>
  (lut.red[red & 255] ?? 0) | (lut.green[green & 255] ?? 0) | (lut.blue[blue & 255] ?? 0)

/**
 * Converts 32-bit pixels whose little-endian bytes are B, G, R, X (X11's and GDI's 24-bit TrueColor, BGRA) into
 * RGB565 through `lut`. `stride` is the source row length in pixels; `target` is `width`·`height`, row-major.
 */
export const convertBgrx = (
  lut: ColourLut,
  source: Uint32Array,
  stride: number,
  width: number,
  height: number,
  target: Uint16Array,
): void => {
  const { redGreen, blue } = lut
  let out = 0
  for (let row = 0; row < height; row++) {
    let index = row * stride
    const end = index + width
    for (; index < end; index++) {
      const pixel = source[index] as number
      target[out++] = (redGreen[(pixel >>> 8) & 0xffff] as number) | (blue[pixel & 255] as number)
    }
  }
}
