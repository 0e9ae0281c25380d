//! Why a stream rectangle was refused: its header, its place in the stream, or its payload.

use alloc::string::String;
use core::fmt;

use sysboy_protocol::{StreamEncoding, StreamRect};

/// What was wrong with a stream rectangle; the text says it for the `bad_frame` error's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamError {
    /// The header names no screen of this device that takes a stream.
    NoScreen {
        /// The screens that do, comma-separated, or `none`.
        known: String,
    },
    /// The screen takes streams, but its configured scenes do not include `stream`.
    NotStreaming,
    /// The rectangle reaches past the screen's edge.
    Outside {
        /// The screen's width and height.
        screen: (u16, u16),
    },
    /// An encoding this device's hello did not announce.
    Encoding(StreamEncoding),
    /// `length` is over the stream buffer the hello announced.
    OverBuffer {
        /// The stream buffer, bytes.
        buffer: usize,
    },
    /// A raw565 payload that is not exactly two bytes a pixel.
    RawLength {
        /// The bytes it must be.
        expected: usize,
    },
    /// An rle565 payload that is not whole 3-byte runs, or too few or too many runs for the rectangle.
    RunLength {
        /// The fewest bytes the rectangle's runs take (every run 256 pixels).
        min: usize,
        /// The most (every run one pixel).
        max: usize,
    },
    /// A rectangle whose pixels (two bytes each) would not fit the stream buffer.
    Unpacked {
        /// The bytes its pixels take.
        bytes: usize,
        /// The stream buffer, bytes.
        buffer: usize,
    },
    /// A header came while the payload of the last one was awaited: both rectangles are dropped.
    PayloadAwaited {
        /// The frame of the rectangle whose payload never came.
        seq: u32,
    },
    /// A binary frame came with no header before it (or after a refused one).
    NoHeader,
    /// The binary frame's length is not the header's `length`.
    PayloadLength {
        /// The header's `length`.
        expected: usize,
    },
    /// The runs of an rle565 payload cover another number of pixels than the rectangle has.
    RunsCover {
        /// The pixels the runs cover.
        covered: usize,
        /// The rectangle's pixels.
        expected: usize,
    },
    /// The lz4_565 payload is not an LZ4 block.
    Lz4Block(&'static str),
    /// The LZ4 block unpacks to another size than the rectangle's pixels.
    Lz4Size {
        /// The bytes it unpacked to; `None` when that is more than `expected`.
        got: Option<usize>,
        /// The rectangle's bytes.
        expected: usize,
    },
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoScreen { known } => write!(f, "no screen of this device takes this stream; screens that take streams: {known}"),
            Self::NotStreaming => f.write_str("the screen's scenes do not include stream"),
            Self::Outside { screen } => write!(f, "the rectangle lies outside the {}x{} screen", screen.0, screen.1),
            Self::Encoding(encoding) => write!(f, "encoding {} was not announced in the hello", encoding.as_str()),
            Self::OverBuffer { buffer } => write!(f, "length is over the stream buffer of {buffer} bytes"),
            Self::RawLength { expected } => write!(f, "a raw565 payload of this rectangle is exactly {expected} bytes"),
            Self::RunLength { min, max } => write!(f, "rle565 runs of this rectangle are whole 3-byte runs, {min} to {max} bytes"),
            Self::Unpacked { bytes, buffer } => write!(f, "its pixels take {bytes} bytes, over the stream buffer of {buffer} bytes"),
            Self::PayloadAwaited { seq } => write!(f, "a header came while the payload of a rectangle of seq {seq} was awaited; both are dropped"),
            Self::NoHeader => f.write_str("a binary frame came without its header"),
            Self::PayloadLength { expected } => write!(f, "the payload is not the header's {expected} bytes"),
            Self::RunsCover { covered, expected } => write!(f, "the rle565 runs cover {covered} pixels, not {expected}"),
            Self::Lz4Block(why) => write!(f, "the payload is not an LZ4 block: {why}"),
            Self::Lz4Size { got: Some(got), expected } => write!(f, "the LZ4 block unpacks to {got} bytes, not {expected}"),
            Self::Lz4Size { got: None, expected } => write!(f, "the LZ4 block unpacks to more than {expected} bytes"),
        }
    }
}

impl core::error::Error for StreamError {}

/// A refused rectangle, as the `bad_frame` error names it: the rectangle (when its header was taken) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    /// The rectangle's header; `None` for a binary frame with no header.
    pub rect: Option<StreamRect>,
    /// What was wrong.
    pub error: StreamError,
}

impl Refused {
    /// `error` about the rectangle of `rect`.
    pub fn rect(rect: &StreamRect, error: StreamError) -> Self {
        Self { rect: Some(rect.clone()), error }
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rect {
            Some(rect) => write!(
                f,
                "stream '{}' seq {} rect {},{} {}x{} {} length {}: {}",
                rect.stream,
                rect.seq,
                rect.x,
                rect.y,
                rect.width,
                rect.height,
                rect.encoding.as_str(),
                rect.length,
                self.error
            ),
            None => write!(f, "stream: {}", self.error),
        }
    }
}

impl core::error::Error for Refused {}
