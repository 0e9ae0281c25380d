// A sans-IO DNS message codec for mDNS / DNS-SD: the record types Sysboy advertises, name compression on decode.

export const RR = { A: 1, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, NSEC: 47, ANY: 255 } as const

/** The top bit of the class: "unicast response wanted" in a question, "cache flush" in a record (RFC 6762). */
export const CLASS_TOP_BIT = 0x8000
export const CLASS_IN = 1

export interface Question {
  name: string
  type: number
  /** The unicast-response (QU) bit. */
  unicast: boolean
}

export type RecordData =
  | { type: typeof RR.A; address: string }
  | { type: typeof RR.PTR; target: string }
  | { type: typeof RR.TXT; entries: string[] }
  | { type: typeof RR.SRV; priority: number; weight: number; port: number; target: string }
  | { type: number; raw: Uint8Array }

export interface ResourceRecord {
  name: string
  ttl: number
  /** The cache-flush bit: this record replaces any other of its name and type. */
  flush: boolean
  data: RecordData
}

export interface DnsMessage {
  id: number
  /** True for a response (the QR bit). */
  response: boolean
  authoritative: boolean
  questions: Question[]
  answers: ResourceRecord[]
  authorities: ResourceRecord[]
  additionals: ResourceRecord[]
}

/** A malformed packet; the responder drops it. */
export class DnsFormatError extends Error {
  override readonly name = 'DnsFormatError'
}

// ---- encoding ------------------------------------------------------------------------------------------------

class Writer {
  private bytes: number[] = []
  u8(v: number): void {
    this.bytes.push(v & 0xff)
  }
  u16(v: number): void {
    this.u8(v >> 8)
    this.u8(v)
  }
  u32(v: number): void {
    this.u16(Math.floor(v / 0x10000))
    this.u16(v % 0x10000)
  }
  raw(data: Uint8Array): void {
    for (const b of data) this.bytes.push(b)
  }
  get length(): number {
    return this.bytes.length
  }
  patchU16(at: number, v: number): void {
    this.bytes[at] = (v >> 8) & 0xff
    this.bytes[at + 1] = v & 0xff
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes)
  }
}

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

const writeName = (w: Writer, name: string): void => {
  for (const label of name.replace(/\.$/, '').split('.')) {
    if (label === '') continue
    const bytes = utf8.encode(label)
    if (bytes.length > 63) throw new DnsFormatError(`label longer than 63 bytes in '${name}'`)
    w.u8(bytes.length)
    w.raw(bytes)
  }
  w.u8(0)
}

const writeIPv4 = (w: Writer, address: string): void => {
  const parts = address.split('.').map(Number)
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new DnsFormatError(`not an IPv4 address: '${address}'`)
  }
  for (const p of parts) w.u8(p)
}

const writeData = (w: Writer, data: RecordData): void => {
  const lengthAt = w.length
  w.u16(0)
  const start = w.length
  if ('address' in data) writeIPv4(w, data.address)
  else if ('entries' in data) {
    for (const entry of data.entries) {
      const bytes = utf8.encode(entry)
      if (bytes.length > 255) throw new DnsFormatError('TXT entry longer than 255 bytes')
      w.u8(bytes.length)
      w.raw(bytes)
    }
    // An empty TXT record still holds one empty string (RFC 6763 §6.1).
    if (data.entries.length === 0) w.u8(0)
  } else if ('port' in data) {
    w.u16(data.priority)
    w.u16(data.weight)
    w.u16(data.port)
    writeName(w, data.target)
  } else if ('target' in data) writeName(w, data.target)
  else w.raw(data.raw)
  w.patchU16(lengthAt, w.length - start)
}

const writeRecord = (w: Writer, r: ResourceRecord): void => {
  writeName(w, r.name)
  w.u16(r.data.type)
  w.u16(CLASS_IN | (r.flush ? CLASS_TOP_BIT : 0))
  w.u32(r.ttl)
  writeData(w, r.data)
}

export const encodeMessage = (m: DnsMessage): Uint8Array => {
  const w = new Writer()
  w.u16(m.id)
  w.u16((m.response ? 0x8000 : 0) | (m.authoritative ? 0x0400 : 0))
  w.u16(m.questions.length)
  w.u16(m.answers.length)
  w.u16(m.authorities.length)
  w.u16(m.additionals.length)
  for (const q of m.questions) {
    writeName(w, q.name)
    w.u16(q.type)
    w.u16(CLASS_IN | (q.unicast ? CLASS_TOP_BIT : 0))
  }
  for (const r of [...m.answers, ...m.authorities, ...m.additionals]) writeRecord(w, r)
  return w.done()
}

// ---- decoding ------------------------------------------------------------------------------------------------

class Reader {
  offset = 0
  constructor(readonly bytes: Uint8Array) {}
  need(n: number, at = this.offset): void {
    if (at + n > this.bytes.length) throw new DnsFormatError('packet ends early')
  }
  u8(): number {
    this.need(1)
    return this.bytes[this.offset++] as number
  }
  u16(): number {
    return (this.u8() << 8) | this.u8()
  }
  u32(): number {
    return this.u16() * 0x10000 + this.u16()
  }
  slice(n: number): Uint8Array {
    this.need(n)
    const out = this.bytes.slice(this.offset, this.offset + n)
    this.offset += n
    return out
  }
}

const readName = (r: Reader): string => {
  const labels: string[] = []
  let at = r.offset
  let jumped = false
  // Each pointer must go backwards, so a packet cannot loop us forever.
  let limit = at
  for (;;) {
    r.need(1, at)
    const len = r.bytes[at] as number
    if (len === 0) {
      at += 1
      break
    }
    if ((len & 0xc0) === 0xc0) {
      r.need(2, at)
      const target = ((len & 0x3f) << 8) | (r.bytes[at + 1] as number)
      if (target >= limit) throw new DnsFormatError('name compression pointer does not point backwards')
      if (!jumped) r.offset = at + 2
      jumped = true
      limit = target
      at = target
      continue
    }
    if ((len & 0xc0) !== 0) throw new DnsFormatError('unknown label type')
    r.need(1 + len, at)
    labels.push(fromUtf8.decode(r.bytes.subarray(at + 1, at + 1 + len)))
    at += 1 + len
  }
  if (!jumped) r.offset = at
  return labels.join('.')
}

const readData = (r: Reader, type: number, length: number): RecordData => {
  r.need(length)
  const end = r.offset + length
  let data: RecordData
  if (type === RR.A && length === 4) data = { type, address: Array.from(r.slice(4)).join('.') }
  else if (type === RR.PTR) data = { type, target: readName(r) }
  else if (type === RR.SRV) data = { type, priority: r.u16(), weight: r.u16(), port: r.u16(), target: readName(r) }
  else if (type === RR.TXT) {
    const entries: string[] = []
    while (r.offset < end) {
      const n = r.u8()
      entries.push(fromUtf8.decode(r.slice(n)))
    }
    data = { type, entries: entries.length === 1 && entries[0] === '' ? [] : entries }
  } else data = { type, raw: r.slice(length) }
  if (r.offset !== end) throw new DnsFormatError(`record data of type ${type} does not match its length`)
  return data
}

const readRecord = (r: Reader): ResourceRecord => {
  const name = readName(r)
  const type = r.u16()
  const klass = r.u16()
  const ttl = r.u32()
  const length = r.u16()
  return { name, ttl, flush: (klass & CLASS_TOP_BIT) !== 0, data: readData(r, type, length) }
}

export const decodeMessage = (bytes: Uint8Array): DnsMessage => {
  const r = new Reader(bytes)
  const id = r.u16()
  const flags = r.u16()
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()] as const
  const questions: Question[] = []
  for (let i = 0; i < counts[0]; i++) {
    const name = readName(r)
    const type = r.u16()
    const klass = r.u16()
    questions.push({ name, type, unicast: (klass & CLASS_TOP_BIT) !== 0 })
  }
  const section = (n: number): ResourceRecord[] => Array.from({ length: n }, () => readRecord(r))
  return {
    id,
    response: (flags & 0x8000) !== 0,
    authoritative: (flags & 0x0400) !== 0,
    questions,
    answers: section(counts[1]),
    authorities: section(counts[2]),
    additionals: section(counts[3]),
  }
}
