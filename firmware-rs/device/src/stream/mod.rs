//! Streams: pixels the host sends to a TFT, sans-IO. Each rectangle is a JSON `stream` header (a
//! [`StreamRect`](sysboy_protocol::StreamRect)) followed by one binary frame of exactly `length` bytes.
//!
//! # Overview
//! - [`StreamReceiver`] is the link's part (the [`HostLink`](crate::link::HostLink) holds one when its hello
//!   announces encodings). It checks each header against the screen it names (a TFT of this device whose
//!   configured scenes include `stream`; the rectangle inside the screen; an encoding the hello announced; a
//!   rectangle whose pixels, two bytes each, fit the stream buffer whatever the encoding; a `length` that fits
//!   the buffer and the encoding: raw565 exactly `width * height * 2`, rle565 whole 3-byte runs), holds it until its payload
//!   comes, and refuses a binary frame without a header, a payload of another length than its header's and a
//!   header while a payload is still awaited. Every refusal is a [`Refused`] whose text names the rectangle and
//!   what was wrong, for the `bad_frame` error; the stream goes on with the next header.
//! - [`Decoder`] is the board's part: [`Decoder::check`] checks a payload whole (rle565 runs must cover exactly
//!   the rectangle; lz4_565 must unpack to exactly its raw565 bytes) and gives [`Pixels`], so a bad payload draws
//!   nothing; [`Pixels::draw`] writes them with one `fill_contiguous` on any `DrawTarget<Color = Rgb565>`, which
//!   mipidsi sends as one window write. raw565 and rle565 are decoded straight from the payload as the display
//!   takes the pixels; lz4_565 is unpacked into the decoder's buffer first.
//! - [`Screens::show_stream`](crate::screen::Screens::show_stream) draws the pixels only while the screen shows
//!   the `stream` scene, and keeps the stream live: a screen whose stream sends no rectangle for the session's
//!   `stale_after_ms` shows "no data", as a stale figure does.
//!
//! After a rectangle with `last` is shown (or taken while its screen shows another scene), the link answers
//! `applied` with the stream and seq at once, which covers every earlier frame of that stream.
//!
//! # Configuration
//! The board picks its stream buffer (1024 to 65536 bytes; the ESP32 and the simulator use
//! [`STREAM_BUFFER`](crate::board::STREAM_BUFFER)). It announces it with
//! [`LinkConfig::with_stream_buffer`](crate::link::LinkConfig::with_stream_buffer) (with every encoding of
//! [`ENCODINGS`]), receives into WebSocket buffers that hold a whole binary frame of that size (with the
//! `embassy-net` feature, the station's `StreamingBuffers`), and gives the
//! [`Decoder`] a buffer of the same size. Nothing is allocated per rectangle.
//!
//! # Example
//! ```
//! use embedded_graphics::pixelcolor::Rgb565;
//! use embedded_graphics::prelude::*;
//! use sysboy_device::stream::Decoder;
//! use sysboy_protocol::{StreamEncoding, StreamRect};
//!
//! let rect = StreamRect { stream: "tft".into(), seq: 1, x: 2, y: 3, width: 4, height: 2,
//!     encoding: StreamEncoding::Rle565, length: 6, last: true };
//! // Five red pixels, then three blue ones.
//! let payload = [4, 0xf8, 0x00, 2, 0x00, 0x1f];
//! let mut buffer = [0u8; 1024];
//! let mut decoder = Decoder::new(&mut buffer);
//! let pixels = decoder.check(&rect, &payload).unwrap();
//! let colors: Vec<Rgb565> = pixels.colors().collect();
//! assert_eq!(colors, [[Rgb565::RED; 5].as_slice(), &[Rgb565::BLUE; 3]].concat());
//! assert_eq!(pixels.area().top_left, Point::new(2, 3));
//! ```

mod decode;
mod error;
mod receiver;
#[cfg(test)]
mod tests;

use sysboy_protocol::StreamEncoding;

pub use decode::{Colors, Decoder, Pixels};
pub use error::{Refused, StreamError};
pub use receiver::StreamReceiver;

/// The encodings this device decodes, as its hello announces them.
pub const ENCODINGS: [StreamEncoding; 3] = [StreamEncoding::Raw565, StreamEncoding::Rle565, StreamEncoding::Lz4565];
