// Whether a setting's text is an IP address, as node:net's isIP answers, without loading node:net: Bun's is a large
// JavaScript module that would cost an idle host 1.4 MB of peak RSS (bench/idle.ts) for this one question. The
// patterns are Node's own (lib/internal/net.js); ip-address.test.ts holds them to isIP.

/** A decimal octet without leading zeros (isIP refuses 010.0.0.1, which some parsers read as octal). */
const V4_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])'
const V4 = `(?:${V4_OCTET}\\.){3}${V4_OCTET}`
const V6_GROUP = '(?:[0-9a-fA-F]{1,4})'

const IPV4 = new RegExp(`^${V4}$`)
/** Eight groups, or fewer around one `::`, the last two of them perhaps an IPv4 address; then perhaps a zone. */
const IPV6 = new RegExp(
  '^(?:' +
    `(?:${V6_GROUP}:){7}(?:${V6_GROUP}|:)|` +
    `(?:${V6_GROUP}:){6}(?:${V4}|:${V6_GROUP}|:)|` +
    `(?:${V6_GROUP}:){5}(?::${V4}|(?::${V6_GROUP}){1,2}|:)|` +
    `(?:${V6_GROUP}:){4}(?:(?::${V6_GROUP}){0,1}:${V4}|(?::${V6_GROUP}){1,3}|:)|` +
    `(?:${V6_GROUP}:){3}(?:(?::${V6_GROUP}){0,2}:${V4}|(?::${V6_GROUP}){1,4}|:)|` +
    `(?:${V6_GROUP}:){2}(?:(?::${V6_GROUP}){0,3}:${V4}|(?::${V6_GROUP}){1,5}|:)|` +
    `(?:${V6_GROUP}:){1}(?:(?::${V6_GROUP}){0,4}:${V4}|(?::${V6_GROUP}){1,6}|:)|` +
    `(?::(?:(?::${V6_GROUP}){0,5}:${V4}|(?::${V6_GROUP}){1,7}|:))` +
    ')(?:%[0-9a-zA-Z-.:]{1,})?$',
)

export const isIpAddress = (text: string): boolean => IPV4.test(text) || IPV6.test(text)
