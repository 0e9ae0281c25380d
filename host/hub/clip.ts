// Cuts text to a schema length limit, counted the way both decoders count it: in Unicode code points.
//
// JSON Schema's maxLength counts characters (RFC 8259: code points). TypeBox (guard/unicode.mjs, IsMaxLength) and
// the firmware's validator (firmware-rs/protocol/src/validate.rs, check_len: `chars().count()`) both count code
// points, so the limit means the same on both ends; clip counts the same way. Cutting by UTF-16 units instead could
// split a surrogate pair, and a lone surrogate is a frame serde_json refuses.

/** `text` when it has at most `max` code points, else its first `max - 1` code points and `…`; always well-formed. */
export const clip = (text: string, max: number): string => {
  const whole = text.toWellFormed()
  // Fewer UTF-16 units than the limit means fewer code points too.
  if (whole.length <= max) return whole
  const points = Array.from(whole)
  if (points.length <= max) return whole
  // No room even for the ellipsis: nothing fits.
  return max < 1 ? '' : `${points.slice(0, max - 1).join('')}…`
}
