//! The portal's DNS responder: every A query is answered with the access point's address, so whatever name a
//! phone looks up (its captive-portal probe first) leads to the portal. Sans-IO: a query in, a reply out, in
//! the caller's buffer.

use core::fmt;

/// How long clients may keep the answer: short, so the real answers return soon after provisioning.
pub const TTL_SECS: u32 = 60;

const HEADER: usize = 12;
const TYPE_A: u16 = 1;
const TYPE_ANY: u16 = 255;
const CLASS_IN: u16 = 1;
const RCODE_FORMERR: u8 = 1;
const RCODE_NOTIMP: u8 = 4;

/// Why no reply was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsError {
    /// Too short to be a query, or a reply itself: dropped unanswered.
    NotAQuery,
    /// The caller's buffer cannot hold the reply.
    BufferTooSmall,
}

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotAQuery => "not a DNS query",
            Self::BufferTooSmall => "the DNS reply buffer is too small",
        })
    }
}

impl core::error::Error for DnsError {}

/// Writes the reply to `query` into `out` and returns its length.
///
/// A standard query with one question gets the question back and, for class IN type A (or ANY), one answer
/// with `address`; other types get an empty answer (NOERROR), so clients fall back to IPv4. Other opcodes get
/// NOTIMP and unreadable questions FORMERR, both with the header alone.
pub fn answer(query: &[u8], address: [u8; 4], out: &mut [u8]) -> Result<usize, DnsError> {
    if query.len() < HEADER || query[2] & 0x80 != 0 {
        return Err(DnsError::NotAQuery);
    }
    if out.len() < HEADER {
        return Err(DnsError::BufferTooSmall);
    }
    let opcode = (query[2] >> 3) & 0x0f;
    let questions = u16::from_be_bytes([query[4], query[5]]);
    // Header: same id, QR + opcode + AA + the client's RD; RA clear.
    out[..2].copy_from_slice(&query[..2]);
    out[2] = 0x80 | (query[2] & 0x78) | 0x04 | (query[2] & 0x01);
    out[4..HEADER].fill(0);
    if opcode != 0 {
        out[3] = RCODE_NOTIMP;
        return Ok(HEADER);
    }
    let Some(question_end) = question_end(query).filter(|_| questions == 1) else {
        out[3] = RCODE_FORMERR;
        return Ok(HEADER);
    };
    out[3] = 0;
    let question = &query[HEADER..question_end];
    let qtype = u16::from_be_bytes([query[question_end - 4], query[question_end - 3]]);
    let qclass = u16::from_be_bytes([query[question_end - 2], query[question_end - 1]]);
    let answered = qclass == CLASS_IN && (qtype == TYPE_A || qtype == TYPE_ANY);
    let length = HEADER + question.len() + if answered { 16 } else { 0 };
    if out.len() < length {
        return Err(DnsError::BufferTooSmall);
    }
    out[5] = 1;
    out[HEADER..HEADER + question.len()].copy_from_slice(question);
    if answered {
        out[7] = 1;
        let record = &mut out[HEADER + question.len()..length];
        // The name is a pointer to the question's name at offset 12.
        record[..2].copy_from_slice(&[0xc0, 0x0c]);
        record[2..4].copy_from_slice(&TYPE_A.to_be_bytes());
        record[4..6].copy_from_slice(&CLASS_IN.to_be_bytes());
        record[6..10].copy_from_slice(&TTL_SECS.to_be_bytes());
        record[10..12].copy_from_slice(&4u16.to_be_bytes());
        record[12..16].copy_from_slice(&address);
    }
    Ok(length)
}

/// Where the first question (name, type, class) ends, if it is whole and its name uses plain labels.
fn question_end(query: &[u8]) -> Option<usize> {
    let mut at = HEADER;
    let mut name_len = 0usize;
    loop {
        let label = usize::from(*query.get(at)?);
        at += 1;
        if label == 0 {
            break;
        }
        // Compression pointers (0xc0) and the reserved forms have no place in a question's first name.
        if label > 63 {
            return None;
        }
        name_len += label + 1;
        if name_len > 255 {
            return None;
        }
        at += label;
    }
    let end = at + 4;
    (end <= query.len()).then_some(end)
}

/// The name asked for in `query`, dotted, written into `out` (for logs and tests).
pub fn question_name<'a>(query: &[u8], out: &'a mut [u8]) -> Option<&'a str> {
    let end = question_end(query)?;
    let mut at = HEADER;
    let mut written = 0;
    while at < end - 5 {
        let label = usize::from(query[at]);
        if written > 0 {
            *out.get_mut(written)? = b'.';
            written += 1;
        }
        out.get_mut(written..written + label)?.copy_from_slice(&query[at + 1..at + 1 + label]);
        written += label;
        at += label + 1;
    }
    core::str::from_utf8(&out[..written]).ok()
}
