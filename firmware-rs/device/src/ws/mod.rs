//! WebSocket client codec (RFC 6455), sans-IO: the upgrade handshake, masked client frames and incremental
//! decoding of server frames, all in buffers the caller provides.
//!
//! # Overview
//! [`Handshake`] writes the HTTP upgrade request and checks the server's `Sec-WebSocket-Accept`.
//! [`encode_text`], [`encode_frame`], [`encode_pong`] and [`encode_close`] write client frames, always masked
//! with a key the caller draws. A [`Decoder`] reads server frames from the bytes received so far: it says
//! "need more" on a partial frame, reassembles fragments up to its buffer's length, and refuses what RFC 6455
//! forbids with a [`FrameError`] that names the close code to send (1002, 1007 for bad UTF-8, 1009 for too big).
//!
//! # Configuration
//! The caller picks the buffer sizes: the read buffer must hold one frame header (14 bytes) plus the largest
//! message, and the decoder's reassembly buffer sets the largest message.
//!
//! # Example
//! ```
//! use sysboy_device::ws::{Decoder, Event};
//! let mut message = [0u8; 512];
//! let mut decoder = Decoder::new(&mut message);
//! let received = [0x81, 0x02, b'h', b'i', 0x89];
//! let decoded = decoder.decode(&received).unwrap();
//! assert_eq!((decoded.consumed, decoded.event), (4, Some(Event::Text("hi"))));
//! assert_eq!(decoder.decode(&received[4..]).unwrap().consumed, 0); // a ping that has not fully arrived
//! ```

mod decoder;
mod frame;
mod handshake;
#[cfg(test)]
mod tests;

pub use decoder::{Decoded, Decoder, Event, FrameError};
pub use frame::{close_code, encode_close, encode_frame, encode_pong, encode_text, EncodeError, Opcode, MAX_HEADER};
pub use handshake::{Handshake, HandshakeError};
