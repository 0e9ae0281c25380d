//! Server frames (RFC 6455 §5): decoded incrementally from the bytes received so far, with fragments
//! reassembled in a caller-provided buffer whose length is the largest message taken.

use core::fmt;

use super::frame::{close_code, encode_close, encode_pong, EncodeError, Opcode};

/// Why the server's frames broke the protocol; the connection must be closed with [`FrameError::close_code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// RSV1..3 set with no extension negotiated.
    ReservedBits,
    /// An opcode RFC 6455 reserves.
    ReservedOpcode(u8),
    /// A masked frame from the server; only clients mask.
    MaskedFrame,
    /// A control frame over 125 bytes.
    ControlTooLong,
    /// A control frame without FIN.
    FragmentedControl,
    /// A continuation with no message to continue.
    UnexpectedContinuation,
    /// A new message while a fragmented one was not finished.
    ExpectedContinuation,
    /// A 64-bit length with the top bit set.
    BadLength,
    /// A message longer than the reassembly buffer.
    TooBig,
    /// A text message, or a close reason, that is not UTF-8.
    InvalidUtf8,
    /// A close frame with a 1-byte payload or a status code no peer may send.
    BadClose,
    /// A frame after the server's close frame.
    AfterClose,
}

impl FrameError {
    /// The status code to close the connection with.
    pub const fn close_code(self) -> u16 {
        match self {
            Self::InvalidUtf8 => close_code::INVALID_PAYLOAD,
            Self::TooBig => close_code::MESSAGE_TOO_BIG,
            _ => close_code::PROTOCOL_ERROR,
        }
    }

    /// Writes the close frame that answers this error.
    pub fn close_frame(self, mask: [u8; 4], buf: &mut [u8]) -> Result<usize, EncodeError> {
        let mut reason = Reason::default();
        let _ = fmt::write(&mut reason, format_args!("{self}"));
        encode_close(self.close_code(), reason.as_str(), mask, buf)
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ReservedBits => f.write_str("reserved bits set"),
            Self::ReservedOpcode(op) => write!(f, "reserved opcode {op:#x}"),
            Self::MaskedFrame => f.write_str("masked frame from the server"),
            Self::ControlTooLong => f.write_str("control frame over 125 bytes"),
            Self::FragmentedControl => f.write_str("fragmented control frame"),
            Self::UnexpectedContinuation => f.write_str("continuation with no message"),
            Self::ExpectedContinuation => f.write_str("new message inside a fragmented one"),
            Self::BadLength => f.write_str("bad payload length"),
            Self::TooBig => f.write_str("message too big"),
            Self::InvalidUtf8 => f.write_str("text is not UTF-8"),
            Self::BadClose => f.write_str("bad close frame"),
            Self::AfterClose => f.write_str("frame after close"),
        }
    }
}

impl core::error::Error for FrameError {}

/// One thing the server said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// A whole text message.
    Text(&'a str),
    /// A whole binary message.
    Binary(&'a [u8]),
    /// A ping; answer it with [`Event::reply`].
    Ping(&'a [u8]),
    /// A pong.
    Pong(&'a [u8]),
    /// The server closes, with its status code when it gave one; echo it with [`Event::reply`].
    Close {
        /// The status code, absent when the close frame was empty.
        code: Option<u16>,
        /// Why, for a person to read.
        reason: &'a str,
    },
}

impl Event<'_> {
    /// Writes the frame that must answer this event (a pong for a ping, the echoed close for a close), if any.
    pub fn reply(&self, mask: [u8; 4], buf: &mut [u8]) -> Result<Option<usize>, EncodeError> {
        match *self {
            Self::Ping(payload) => encode_pong(payload, mask, buf).map(Some),
            Self::Close { code, .. } => encode_close(code.unwrap_or(close_code::NORMAL), "", mask, buf).map(Some),
            _ => Ok(None),
        }
    }
}

/// The result of one [`Decoder::decode`] call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// How many input bytes were used; 0 with no event means a whole frame has not arrived yet.
    pub consumed: usize,
    /// What the frame completed, if anything (a middle fragment completes nothing).
    pub event: Option<Event<'a>>,
}

/// Decodes server frames. Feed it everything received and not yet consumed.
#[derive(Debug)]
pub struct Decoder<'m> {
    message: &'m mut [u8],
    // The fragmented message in progress: its opcode and length so far.
    partial: Option<(Opcode, usize)>,
    closed: bool,
}

struct Header {
    fin: bool,
    opcode: Opcode,
    start: usize,
    len: usize,
}

impl<'m> Decoder<'m> {
    /// A decoder that reassembles fragmented messages in `message`; its length is the largest message taken.
    pub fn new(message: &'m mut [u8]) -> Self {
        Self { message, partial: None, closed: false }
    }

    /// The largest message this decoder takes.
    pub fn max_message(&self) -> usize {
        self.message.len()
    }

    /// Whether the server has sent its close frame, or a frame was refused: either way nothing more is taken.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Decodes the first frame in `input`. Drop `consumed` bytes from the front of the input afterwards.
    pub fn decode<'a>(&'a mut self, input: &'a [u8]) -> Result<Decoded<'a>, FrameError> {
        let Some(header) = self.header(input)? else {
            return Ok(Decoded { consumed: 0, event: None });
        };
        let end = header.start + header.len;
        if input.len() < end {
            return Ok(Decoded { consumed: 0, event: None });
        }
        let payload = &input[header.start..end];
        let event = match header.opcode {
            Opcode::Ping => Some(Event::Ping(payload)),
            Opcode::Pong => Some(Event::Pong(payload)),
            Opcode::Close => {
                self.closed = true;
                Some(close_event(payload)?)
            }
            Opcode::Continuation => {
                let (opcode, so_far) = self.partial.ok_or(FrameError::UnexpectedContinuation)?;
                let total = so_far + payload.len();
                self.message.get_mut(so_far..total).ok_or(FrameError::TooBig)?.copy_from_slice(payload);
                if header.fin {
                    self.partial = None;
                    let event = data_event(opcode, &self.message[..total]);
                    self.closed |= event.is_err();
                    Some(event?)
                } else {
                    self.partial = Some((opcode, total));
                    None
                }
            }
            opcode if header.fin => {
                // A refused payload ends the connection like a refused header: nothing after it is taken.
                let event = data_event(opcode, payload);
                self.closed |= event.is_err();
                Some(event?)
            }
            opcode => {
                self.message.get_mut(..payload.len()).ok_or(FrameError::TooBig)?.copy_from_slice(payload);
                self.partial = Some((opcode, payload.len()));
                None
            }
        };
        Ok(Decoded { consumed: end, event })
    }

    /// Parses and checks the frame header; none until all of it has arrived.
    fn header(&mut self, input: &[u8]) -> Result<Option<Header>, FrameError> {
        let result = self.check_header(input);
        if result.is_err() {
            self.closed = true;
        }
        result
    }

    fn check_header(&self, input: &[u8]) -> Result<Option<Header>, FrameError> {
        let [first, second, ..] = *input else { return Ok(None) };
        if self.closed {
            return Err(FrameError::AfterClose);
        }
        if first & 0x70 != 0 {
            return Err(FrameError::ReservedBits);
        }
        let opcode = Opcode::from_bits(first & 0x0f).ok_or(FrameError::ReservedOpcode(first & 0x0f))?;
        let fin = first & 0x80 != 0;
        if second & 0x80 != 0 {
            return Err(FrameError::MaskedFrame);
        }
        if opcode.is_control() {
            if !fin {
                return Err(FrameError::FragmentedControl);
            }
            if second & 0x7f > 125 {
                return Err(FrameError::ControlTooLong);
            }
        } else if opcode != Opcode::Continuation && self.partial.is_some() {
            return Err(FrameError::ExpectedContinuation);
        } else if opcode == Opcode::Continuation && self.partial.is_none() {
            return Err(FrameError::UnexpectedContinuation);
        }
        let (len, start) = match second & 0x7f {
            126 => match input.get(2..4) {
                Some(bytes) => (u64::from(u16::from_be_bytes([bytes[0], bytes[1]])), 4),
                None => return Ok(None),
            },
            127 => match input.get(2..10) {
                Some(bytes) => {
                    let mut be = [0u8; 8];
                    be.copy_from_slice(bytes);
                    let len = u64::from_be_bytes(be);
                    if len >> 63 != 0 {
                        return Err(FrameError::BadLength);
                    }
                    (len, 10)
                }
                None => return Ok(None),
            },
            short => (u64::from(short), 2),
        };
        // Refuse a frame too big for the message before waiting for its bytes.
        let so_far = if opcode == Opcode::Continuation { self.partial.map_or(0, |(_, n)| n) } else { 0 };
        if !opcode.is_control() && len > (self.message.len() - so_far) as u64 {
            return Err(FrameError::TooBig);
        }
        Ok(Some(Header { fin, opcode, start, len: len as usize }))
    }
}

fn data_event(opcode: Opcode, payload: &[u8]) -> Result<Event<'_>, FrameError> {
    if opcode == Opcode::Text {
        core::str::from_utf8(payload).map(Event::Text).map_err(|_| FrameError::InvalidUtf8)
    } else {
        Ok(Event::Binary(payload))
    }
}

fn close_event(payload: &[u8]) -> Result<Event<'_>, FrameError> {
    match payload {
        [] => Ok(Event::Close { code: None, reason: "" }),
        [_] => Err(FrameError::BadClose),
        [high, low, reason @ ..] => {
            let code = u16::from_be_bytes([*high, *low]);
            if !close_code::is_valid(code) {
                return Err(FrameError::BadClose);
            }
            let reason = core::str::from_utf8(reason).map_err(|_| FrameError::InvalidUtf8)?;
            Ok(Event::Close { code: Some(code), reason })
        }
    }
}

/// A small stack buffer for a close reason.
struct Reason {
    bytes: [u8; 64],
    len: usize,
}

impl Default for Reason {
    fn default() -> Self {
        Self { bytes: [0; 64], len: 0 }
    }
}

impl Reason {
    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl fmt::Write for Reason {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let room = self.bytes.len() - self.len;
        let take = text.len().min(room);
        self.bytes[self.len..self.len + take].copy_from_slice(&text.as_bytes()[..take]);
        self.len += take;
        Ok(())
    }
}
