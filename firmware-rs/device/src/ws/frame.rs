//! Client frames (RFC 6455 §5.2): always masked with the caller's key, written into the caller's buffer.

use core::fmt;

/// What a frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opcode {
    /// A later fragment of a message.
    Continuation,
    /// UTF-8 text.
    Text,
    /// Bytes.
    Binary,
    /// The closing handshake.
    Close,
    /// Are you there?
    Ping,
    /// The answer to a ping.
    Pong,
}

impl Opcode {
    /// The opcode's 4-bit value.
    pub const fn bits(self) -> u8 {
        match self {
            Self::Continuation => 0x0,
            Self::Text => 0x1,
            Self::Binary => 0x2,
            Self::Close => 0x8,
            Self::Ping => 0x9,
            Self::Pong => 0xA,
        }
    }

    /// The opcode for a 4-bit value; none for the reserved ones.
    pub const fn from_bits(bits: u8) -> Option<Self> {
        match bits {
            0x0 => Some(Self::Continuation),
            0x1 => Some(Self::Text),
            0x2 => Some(Self::Binary),
            0x8 => Some(Self::Close),
            0x9 => Some(Self::Ping),
            0xA => Some(Self::Pong),
            _ => None,
        }
    }

    /// Whether this is a control frame (close, ping, pong).
    pub const fn is_control(self) -> bool {
        self.bits() & 0x8 != 0
    }
}

/// Close status codes this client sends or reads (RFC 6455 §7.4.1).
pub mod close_code {
    /// The purpose of the connection is fulfilled.
    pub const NORMAL: u16 = 1000;
    /// The peer broke the protocol.
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// Text that is not UTF-8.
    pub const INVALID_PAYLOAD: u16 = 1007;
    /// A message too big to take.
    pub const MESSAGE_TOO_BIG: u16 = 1009;

    /// Whether a peer may send `code` in a close frame.
    pub const fn is_valid(code: u16) -> bool {
        matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
    }
}

/// Why a frame could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeError {
    /// The frame does not fit in the caller's buffer.
    BufferTooSmall,
    /// A control frame payload over 125 bytes.
    ControlTooLong,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall => f.write_str("the frame does not fit in the buffer"),
            Self::ControlTooLong => f.write_str("a control frame payload is limited to 125 bytes"),
        }
    }
}

impl core::error::Error for EncodeError {}

/// The largest header a frame can have: 2 bytes, 8 of length, 4 of mask.
pub const MAX_HEADER: usize = 14;

/// Writes one final, masked frame into `buf` and returns its length.
pub fn encode_frame(opcode: Opcode, payload: &[u8], mask: [u8; 4], buf: &mut [u8]) -> Result<usize, EncodeError> {
    encode_parts(opcode, &[payload], mask, buf)
}

/// Writes a text frame.
pub fn encode_text(text: &str, mask: [u8; 4], buf: &mut [u8]) -> Result<usize, EncodeError> {
    encode_frame(Opcode::Text, text.as_bytes(), mask, buf)
}

/// Writes the pong that answers a ping with `payload`.
pub fn encode_pong(payload: &[u8], mask: [u8; 4], buf: &mut [u8]) -> Result<usize, EncodeError> {
    encode_frame(Opcode::Pong, payload, mask, buf)
}

/// Writes a close frame with a status code and a reason, cut to fit 125 bytes on a character boundary.
pub fn encode_close(code: u16, reason: &str, mask: [u8; 4], buf: &mut [u8]) -> Result<usize, EncodeError> {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    encode_parts(Opcode::Close, &[&code.to_be_bytes(), &reason.as_bytes()[..end]], mask, buf)
}

fn encode_parts(opcode: Opcode, parts: &[&[u8]], mask: [u8; 4], buf: &mut [u8]) -> Result<usize, EncodeError> {
    let len: usize = parts.iter().map(|part| part.len()).sum();
    if opcode.is_control() && len > 125 {
        return Err(EncodeError::ControlTooLong);
    }
    let mut header = [0u8; MAX_HEADER];
    header[0] = 0x80 | opcode.bits();
    let mut at = 2;
    if len < 126 {
        header[1] = 0x80 | len as u8;
    } else if let Ok(short) = u16::try_from(len) {
        header[1] = 0x80 | 126;
        header[2..4].copy_from_slice(&short.to_be_bytes());
        at = 4;
    } else {
        header[1] = 0x80 | 127;
        header[2..10].copy_from_slice(&(len as u64).to_be_bytes());
        at = 10;
    }
    header[at..at + 4].copy_from_slice(&mask);
    at += 4;
    let total = at + len;
    let out = buf.get_mut(..total).ok_or(EncodeError::BufferTooSmall)?;
    out[..at].copy_from_slice(&header[..at]);
    let mut index = 0;
    for part in parts {
        for &byte in *part {
            out[at + index] = byte ^ mask[index % 4];
            index += 1;
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_a_short_text_frame_like_the_rfc_example() {
        // RFC 6455 §5.7: a masked "Hello".
        let mut buf = [0u8; 16];
        let n = encode_text("Hello", [0x37, 0xfa, 0x21, 0x3d], &mut buf).unwrap();
        assert_eq!(&buf[..n], &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    }

    #[test]
    fn uses_16_and_64_bit_lengths_when_needed() {
        let mut buf = alloc::vec![0u8; 70_000];
        let n = encode_frame(Opcode::Binary, &[7u8; 300], [0; 4], &mut buf).unwrap();
        assert_eq!((&buf[..4], n), (&[0x82, 0xfe, 0x01, 0x2c][..], 8 + 300));
        let n = encode_frame(Opcode::Binary, &[7u8; 65_536], [0; 4], &mut buf).unwrap();
        assert_eq!((&buf[..10], n), (&[0x82, 0xff, 0, 0, 0, 0, 0, 1, 0, 0][..], 14 + 65_536));
    }

    #[test]
    fn refuses_long_control_frames_and_small_buffers() {
        assert_eq!(encode_frame(Opcode::Ping, &[0; 126], [0; 4], &mut [0u8; 200]), Err(EncodeError::ControlTooLong));
        assert_eq!(encode_text("Hello", [0; 4], &mut [0u8; 10]), Err(EncodeError::BufferTooSmall));
    }

    #[test]
    fn close_reason_is_cut_on_a_character_boundary() {
        let mut buf = [0u8; 200];
        let reason = "é".repeat(100);
        let n = encode_close(close_code::NORMAL, &reason, [0; 4], &mut buf).unwrap();
        assert_eq!(buf[1] & 0x7f, 124);
        assert!(core::str::from_utf8(&buf[8..n]).is_ok());
    }
}
