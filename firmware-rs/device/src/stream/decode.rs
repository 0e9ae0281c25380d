//! A rectangle's payload checked whole, then drawn as one contiguous fill: raw565 and rle565 straight from the
//! payload, lz4_565 through the decoder's buffer.

use core::iter::FusedIterator;
use core::slice::ChunksExact;

use embedded_graphics::draw_target::DrawTarget;
use embedded_graphics::pixelcolor::raw::RawU16;
use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::{Point, Size};
use embedded_graphics::primitives::Rectangle;
use lz4_flex::block::DecompressError;
use sysboy_protocol::{StreamEncoding, StreamRect};

use super::error::StreamError;
use super::receiver::{length_fits, pixels, PIXEL_BYTES, RUN_BYTES, RUN_MAX};

/// Checks payloads and unpacks LZ4 blocks into the caller's buffer (the stream buffer's size, so any chunk the
/// host may send fits). See the [module](super) docs.
#[derive(Debug)]
pub struct Decoder<'b> {
    unpacked: &'b mut [u8],
}

impl<'b> Decoder<'b> {
    /// A decoder that unpacks LZ4 blocks into `buffer`; give it the stream buffer's size.
    pub fn new(buffer: &'b mut [u8]) -> Self {
        Self { unpacked: buffer }
    }

    /// The largest rectangle it unpacks, bytes.
    pub fn buffer(&self) -> usize {
        self.unpacked.len()
    }

    /// Checks `payload` whole against `rect` and gives its pixels, ready to draw; a payload refused here draws
    /// nothing. raw565 must be exactly two bytes a pixel, rle565's runs must cover exactly the rectangle's pixels,
    /// and lz4_565 must be an LZ4 block that unpacks to exactly the raw565 bytes.
    pub fn check<'a>(&'a mut self, rect: &StreamRect, payload: &'a [u8]) -> Result<Pixels<'a>, StreamError> {
        let expected = pixels(rect);
        let area = Rectangle::new(Point::new(rect.x.into(), rect.y.into()), Size::new(rect.width.into(), rect.height.into()));
        length_fits(rect.encoding, expected, payload.len(), self.unpacked.len())?;
        let data = match rect.encoding {
            StreamEncoding::Raw565 => Data::Raw(payload),
            StreamEncoding::Rle565 => {
                let covered: usize = payload.chunks_exact(RUN_BYTES).map(|run| usize::from(run[0]) + 1).sum();
                if covered != expected {
                    return Err(StreamError::RunsCover { covered, expected });
                }
                Data::Rle(payload)
            }
            StreamEncoding::Lz4565 => {
                // `length_fits` has checked these bytes fit the buffer.
                let bytes = expected * PIXEL_BYTES;
                let unpacked = &mut self.unpacked[..bytes];
                match lz4_flex::block::decompress_into(payload, unpacked) {
                    Ok(got) if got == bytes => Data::Raw(unpacked),
                    Ok(got) => return Err(StreamError::Lz4Size { got: Some(got), expected: bytes }),
                    Err(DecompressError::OutputTooSmall { .. }) => return Err(StreamError::Lz4Size { got: None, expected: bytes }),
                    Err(error) => return Err(StreamError::Lz4Block(lz4_problem(&error))),
                }
            }
        };
        Ok(Pixels { area, data })
    }
}

/// What is wrong with an LZ4 block, in words.
fn lz4_problem(error: &DecompressError) -> &'static str {
    match error {
        DecompressError::LiteralOutOfBounds => "a literal runs past the block",
        DecompressError::ExpectedAnotherByte => "the block ends inside a sequence",
        DecompressError::OffsetZero => "a match has offset 0",
        DecompressError::OffsetOutOfBounds => "a match reaches back before the start",
        _ => "the block is malformed",
    }
}

/// The checked pixels of one rectangle, row by row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Data<'a> {
    /// Two bytes a pixel, big-endian.
    Raw(&'a [u8]),
    /// Runs: a count less one, then the pixel, big-endian.
    Rle(&'a [u8]),
}

/// A checked rectangle of pixels, from [`Decoder::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pixels<'a> {
    area: Rectangle,
    data: Data<'a>,
}

impl<'a> Pixels<'a> {
    /// Where on the screen they go.
    pub fn area(&self) -> Rectangle {
        self.area
    }

    /// The pixels, row by row (exactly the area's count).
    pub fn colors(&self) -> Colors<'a> {
        match self.data {
            Data::Raw(bytes) => Colors(Runs::Raw(bytes.chunks_exact(2))),
            Data::Rle(bytes) => Colors(Runs::Rle { runs: bytes.chunks_exact(RUN_BYTES), color: Rgb565::default(), left: 0 }),
        }
    }

    /// Draws them with one `fill_contiguous` (one window write on a mipidsi panel).
    pub fn draw<D: DrawTarget<Color = Rgb565>>(&self, target: &mut D) -> Result<(), D::Error> {
        target.fill_contiguous(&self.area, self.colors())
    }
}

/// The pixels of a [`Pixels`], decoded as they are taken.
#[derive(Debug, Clone)]
pub struct Colors<'a>(Runs<'a>);

/// Where a [`Colors`] is in its payload.
#[derive(Debug, Clone)]
enum Runs<'a> {
    /// Pairs of raw565 bytes.
    Raw(ChunksExact<'a, u8>),
    /// rle565 runs not yet started, the pixel of the run under way and how many more of it.
    Rle { runs: ChunksExact<'a, u8>, color: Rgb565, left: usize },
}

/// The pixel of big-endian bytes `high`, `low`.
fn rgb565(high: u8, low: u8) -> Rgb565 {
    Rgb565::from(RawU16::new(u16::from_be_bytes([high, low])))
}

impl Iterator for Colors<'_> {
    type Item = Rgb565;

    fn next(&mut self) -> Option<Rgb565> {
        match &mut self.0 {
            Runs::Raw(pairs) => pairs.next().map(|pair| rgb565(pair[0], pair[1])),
            Runs::Rle { runs, color, left } => {
                if *left == 0 {
                    let run = runs.next()?;
                    *color = rgb565(run[1], run[2]);
                    *left = usize::from(run[0]) + 1;
                }
                *left -= 1;
                Some(*color)
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            Runs::Raw(pairs) => pairs.size_hint(),
            // Between one and 256 pixels a run: only the run under way is known exactly.
            Runs::Rle { runs, left, .. } => (*left + runs.len(), Some(*left + runs.len() * RUN_MAX)),
        }
    }
}

impl FusedIterator for Colors<'_> {}
