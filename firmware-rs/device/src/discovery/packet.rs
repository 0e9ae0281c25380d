//! DNS wire format, as much as discovery needs: the query, and reading records and (compressed) names.

use alloc::string::String;
use core::fmt;

/// Record types discovery reads.
pub(super) mod kind {
    pub const A: u16 = 1;
    pub const PTR: u16 = 12;
    pub const TXT: u16 = 16;
    pub const SRV: u16 = 33;
}

/// The longest name, in characters as written with dots (RFC 1035 §3.1).
const MAX_NAME: usize = 255;
/// Compression pointers followed in one name; real packets need one or two.
const MAX_JUMPS: usize = 16;
const HEADER: usize = 12;

/// Why a packet could not be read, or the query not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscoveryError {
    /// The caller's buffer cannot hold the query.
    BufferTooSmall,
    /// The packet ends inside its header, a record or a name.
    Truncated,
    /// A name with a reserved label type, a pointer loop or forward pointer, or over 255 characters.
    BadName,
}

impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall => f.write_str("the buffer cannot hold the mDNS query"),
            Self::Truncated => f.write_str("the mDNS packet is cut short"),
            Self::BadName => f.write_str("the mDNS packet holds a malformed name"),
        }
    }
}

impl core::error::Error for DiscoveryError {}

/// Writes the PTR query for [`SERVICE`](super::SERVICE) into `buf`; returns its length.
pub fn write_query(buf: &mut [u8]) -> Result<usize, DiscoveryError> {
    let mut len = HEADER;
    let labels = super::SERVICE.split('.');
    let needed = HEADER + super::SERVICE.len() + 2 + 4;
    if buf.len() < needed {
        return Err(DiscoveryError::BufferTooSmall);
    }
    // Id 0 and no flags, as RFC 6762 §18 asks of a multicast query; one question.
    buf[..HEADER].copy_from_slice(&[0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in labels {
        buf[len] = label.len() as u8;
        buf[len + 1..len + 1 + label.len()].copy_from_slice(label.as_bytes());
        len += 1 + label.len();
    }
    buf[len] = 0;
    // Type PTR, class IN, without the unicast-response bit: the answer comes to the group the device joined.
    buf[len + 1..len + 5].copy_from_slice(&[0, kind::PTR as u8, 0, 1]);
    Ok(len + 5)
}

/// One resource record, its data left in the packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Record {
    pub name: String,
    pub kind: u16,
    pub ttl: u32,
    /// Where the data starts in the packet, and its length.
    pub data: core::ops::Range<usize>,
}

/// A received packet, read in place.
pub(super) struct Packet<'a> {
    pub bytes: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Whether the QR bit says response.
    pub fn is_response(&self) -> Result<bool, DiscoveryError> {
        let flags = self.u16(2)?;
        Ok(flags & 0x8000 != 0)
    }

    /// Every record of the answer, authority and additional sections, in order.
    pub fn records(&self) -> Result<alloc::vec::Vec<Record>, DiscoveryError> {
        let questions = self.u16(4)?;
        let records = usize::from(self.u16(6)?) + usize::from(self.u16(8)?) + usize::from(self.u16(10)?);
        let mut at = HEADER;
        for _ in 0..questions {
            at = self.skip_name(at)? + 4;
        }
        // Each record takes at least 11 bytes, so a count the packet cannot hold is refused before allocating.
        if records > self.bytes.len() / 11 {
            return Err(DiscoveryError::Truncated);
        }
        let mut out = alloc::vec::Vec::with_capacity(records);
        for _ in 0..records {
            let (name, end) = self.name(at)?;
            let kind = self.u16(end)?;
            let ttl = (u32::from(self.u16(end + 4)?) << 16) | u32::from(self.u16(end + 6)?);
            let len = usize::from(self.u16(end + 8)?);
            let start = end + 10;
            if start + len > self.bytes.len() {
                return Err(DiscoveryError::Truncated);
            }
            out.push(Record { name, kind, ttl, data: start..start + len });
            at = start + len;
        }
        Ok(out)
    }

    /// The big-endian u16 at `at`.
    pub fn u16(&self, at: usize) -> Result<u16, DiscoveryError> {
        match self.bytes.get(at..at + 2) {
            Some(&[high, low]) => Ok(u16::from_be_bytes([high, low])),
            _ => Err(DiscoveryError::Truncated),
        }
    }

    /// Where the name at `at` ends (in place, before any pointer's target).
    fn skip_name(&self, mut at: usize) -> Result<usize, DiscoveryError> {
        loop {
            let len = *self.bytes.get(at).ok_or(DiscoveryError::Truncated)?;
            match len & 0xC0 {
                0x00 if len == 0 => return Ok(at + 1),
                0x00 => at += 1 + usize::from(len),
                0xC0 => return Ok(at + 2),
                _ => return Err(DiscoveryError::BadName),
            }
        }
    }

    /// The name at `at`, lower-cased with dots (a dot inside a label is written `\.`), and where it ends in place.
    pub fn name(&self, at: usize) -> Result<(String, usize), DiscoveryError> {
        let mut name = String::new();
        let mut cursor = at;
        let mut end = None;
        let mut jumps = 0;
        loop {
            let len = *self.bytes.get(cursor).ok_or(DiscoveryError::Truncated)?;
            match len & 0xC0 {
                0x00 if len == 0 => break,
                0x00 => {
                    let label = self.bytes.get(cursor + 1..cursor + 1 + usize::from(len)).ok_or(DiscoveryError::Truncated)?;
                    if !name.is_empty() {
                        name.push('.');
                    }
                    for &byte in label {
                        if byte == b'.' || byte == b'\\' {
                            name.push('\\');
                        }
                        name.push(char::from(byte.to_ascii_lowercase()));
                    }
                    if name.len() > MAX_NAME {
                        return Err(DiscoveryError::BadName);
                    }
                    cursor += 1 + usize::from(len);
                }
                0xC0 => {
                    let low = *self.bytes.get(cursor + 1).ok_or(DiscoveryError::Truncated)?;
                    let target = usize::from(u16::from_be_bytes([len & 0x3F, low]));
                    end.get_or_insert(cursor + 2);
                    jumps += 1;
                    // Only backward pointers: a loop cannot be built from them, and real packets use no other.
                    if target >= cursor || jumps > MAX_JUMPS {
                        return Err(DiscoveryError::BadName);
                    }
                    cursor = target;
                }
                _ => return Err(DiscoveryError::BadName),
            }
        }
        Ok((name, end.unwrap_or(cursor + 1)))
    }
}
