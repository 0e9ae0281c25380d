// Text from outside (a frame, a file, the JSON parser's account of either) made fit for a one-line reason.

/**
 * `text` cut to `max` code points, with control characters and line separators written as `\uXXXX` escapes, so that
 * a reason that quotes it stays one line in a log, a terminal or an error frame.
 */
export const printable = (text: string, max: number): string =>
  Array.from(text)
    .slice(0, max)
    .join('')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
