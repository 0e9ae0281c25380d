//! The order of a stream: each header checked against the screen it names, then held until its payload comes.

use alloc::string::String;
use alloc::vec::Vec;

use sysboy_protocol::{Hello, OutputKind, ScreenConfig, StreamEncoding, StreamRect};

use super::error::{Refused, StreamError};
use crate::screen::STREAM_SCENE;

/// Bytes one RGB565 pixel takes.
pub(super) const PIXEL_BYTES: usize = 2;
/// Bytes one rle565 run takes: its count less one, then the pixel.
pub(super) const RUN_BYTES: usize = 3;
/// The most pixels one rle565 run covers.
pub(super) const RUN_MAX: usize = 256;

/// A screen that takes a stream, as the hello announced it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StreamScreen {
    output: String,
    width: u16,
    height: u16,
    /// Whether its configured scenes include `stream`.
    streaming: bool,
}

/// The stream's side of the host link: which screens take a stream, and the header whose payload is awaited.
/// See the [module](super) docs.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamReceiver {
    screens: Vec<StreamScreen>,
    buffer: usize,
    encodings: Vec<StreamEncoding>,
    awaited: Option<StreamRect>,
}

impl StreamReceiver {
    /// The receiver of a device whose hello announces `stream_buffer` and `encodings`: its TFTs take streams.
    /// `None` when the hello announces no encodings (the device takes no stream and refuses binary frames).
    pub fn from_hello(hello: &Hello) -> Option<Self> {
        let encodings = hello.encodings.clone().filter(|encodings| !encodings.is_empty())?;
        let buffer = usize::try_from(hello.stream_buffer?).ok()?;
        let screens = hello
            .outputs
            .iter()
            .filter(|output| output.kind == OutputKind::Tft)
            .filter_map(|output| Some(StreamScreen { output: output.id.clone(), width: output.width?, height: output.height?, streaming: false }))
            .collect();
        Some(Self { screens, buffer, encodings, awaited: None })
    }

    /// The largest payload taken, bytes: the hello's `stream_buffer`.
    pub fn buffer(&self) -> usize {
        self.buffer
    }

    /// Takes the screens config the link accepted: a screen takes rectangles while its scenes include `stream`
    /// (a screen the config leaves out has the default layout, which does not).
    pub fn configure(&mut self, configs: &[ScreenConfig]) {
        for screen in &mut self.screens {
            screen.streaming = configs
                .iter()
                .filter(|config| config.output == screen.output)
                .any(|config| config.scenes.iter().any(|scene| scene.scene == STREAM_SCENE));
        }
    }

    /// A new session: no payload is awaited.
    pub fn reset(&mut self) {
        self.awaited = None;
    }

    /// A header. Checked against the screen it names and held for its payload; refused when a payload was
    /// still awaited (the awaited rectangle and this one are both dropped), or when the rectangle cannot be
    /// drawn as it says.
    pub fn header(&mut self, rect: &StreamRect) -> Result<(), Refused> {
        if let Some(awaited) = self.awaited.take() {
            return Err(Refused::rect(rect, StreamError::PayloadAwaited { seq: awaited.seq }));
        }
        self.check(rect).map_err(|error| Refused::rect(rect, error))?;
        self.awaited = Some(rect.clone());
        Ok(())
    }

    /// A binary frame of `length` bytes: the rectangle it is the payload of, or why it is refused (no header
    /// awaits one, or its length is not the header's).
    pub fn payload(&mut self, length: usize) -> Result<StreamRect, Refused> {
        let rect = self.awaited.take().ok_or(Refused { rect: None, error: StreamError::NoHeader })?;
        let expected = rect.length as usize;
        if length != expected {
            return Err(Refused { rect: Some(rect), error: StreamError::PayloadLength { expected } });
        }
        Ok(rect)
    }

    /// Why `rect` cannot be drawn as its header says, if it cannot.
    fn check(&self, rect: &StreamRect) -> Result<(), StreamError> {
        let Some(screen) = self.screens.iter().find(|screen| screen.output == rect.stream) else {
            let known: Vec<&str> = self.screens.iter().map(|screen| screen.output.as_str()).collect();
            let known = if known.is_empty() { String::from("none") } else { known.join(", ") };
            return Err(StreamError::NoScreen { known });
        };
        if !screen.streaming {
            return Err(StreamError::NotStreaming);
        }
        let right = u32::from(rect.x) + u32::from(rect.width);
        let bottom = u32::from(rect.y) + u32::from(rect.height);
        if rect.width == 0 || rect.height == 0 || right > u32::from(screen.width) || bottom > u32::from(screen.height) {
            return Err(StreamError::Outside { screen: (screen.width, screen.height) });
        }
        if !self.encodings.contains(&rect.encoding) {
            return Err(StreamError::Encoding(rect.encoding));
        }
        let length = rect.length as usize;
        if length > self.buffer {
            return Err(StreamError::OverBuffer { buffer: self.buffer });
        }
        length_fits(rect.encoding, pixels(rect), length, self.buffer)
    }
}

/// The pixels of `rect` (at most 65535 squared, which a 32-bit usize holds).
pub(super) fn pixels(rect: &StreamRect) -> usize {
    usize::from(rect.width) * usize::from(rect.height)
}

/// Whether `length` bytes can be a payload of `pixels` pixels in `encoding` for a device with a stream buffer
/// of `buffer` bytes.
pub(super) fn length_fits(encoding: StreamEncoding, pixels: usize, length: usize, buffer: usize) -> Result<(), StreamError> {
    // Saturating: a rectangle of any u16 size is a number of bytes no payload reaches, even where usize is 32 bits.
    let bytes = pixels.saturating_mul(PIXEL_BYTES);
    // Every rectangle's pixels fit the buffer, whatever its encoding: lz4_565 unpacks into it, and a board writes
    // one rectangle to its panel in one go, so a bound on its pixels bounds how long that write holds the board.
    if bytes > buffer {
        return Err(StreamError::Unpacked { bytes, buffer });
    }
    match encoding {
        StreamEncoding::Raw565 if length != bytes => Err(StreamError::RawLength { expected: bytes }),
        StreamEncoding::Rle565 => {
            let (min, max) = (pixels.div_ceil(RUN_MAX) * RUN_BYTES, pixels.saturating_mul(RUN_BYTES));
            let whole = length.is_multiple_of(RUN_BYTES) && (min..=max).contains(&length);
            if whole {
                Ok(())
            } else {
                Err(StreamError::RunLength { min, max })
            }
        }
        StreamEncoding::Raw565 | StreamEncoding::Lz4565 => Ok(()),
    }
}
