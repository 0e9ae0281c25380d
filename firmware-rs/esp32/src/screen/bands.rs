//! A colour picture drawn a band of rows at a time, for a panel too large to hold in RAM (a 320×240 frame is
//! 150 KiB): each band is drawn into a small buffer by drawing the whole scene clipped to it, and sent only when
//! it differs from what the panel shows, which a 64-bit fingerprint per band remembers.
//!
//! # Overview
//! [`Bands::band`] lends the caller's buffer to band `i` as a [`Band`]: a [`DrawTarget`] the size of the whole
//! picture (so a scene lays itself out by its `bounding_box()` as on any screen) that keeps only that band's
//! pixels, as big-endian RGB565 bytes. [`Bands::take_changed`] says whether the band differs from the one last
//! taken at its place (and notes it as shown); the caller then writes [`Band::area`] with [`Band::colors`].
//! [`Bands::invalidate`] forgets what the panel shows (at power-up, after a turn, after a stream drew over it), so
//! every band goes out again. Nothing is kept in the buffer between bands, so it may serve others in between.
//!
//! Drawing the scene once per band costs CPU (a 320×240 scene is drawn 20 times, in bands of 12 rows), which the
//! caller spreads over the bands with the executor free between them; a scene whose figures did not change sends
//! nothing, and one whose figure changed sends the bands that figure covers.

use core::convert::Infallible;

use embedded_graphics::{
    Pixel,
    pixelcolor::{Rgb565, raw::RawU16},
    prelude::{DrawTarget, OriginDimensions, Point, RawData, Size},
    primitives::Rectangle,
};

/// The most bands a picture has: 240 rows of 320 pixels take 20 bands of 12 rows in 8 KiB.
pub const MAX_BANDS: usize = 24;
/// Bytes a pixel takes.
const PIXEL_BYTES: u32 = 2;

/// What the panel shows of a picture, band by band.
pub struct Bands {
    size: Size,
    rows: u32,
    shown: [Option<u64>; MAX_BANDS],
}

impl Bands {
    /// The bands of a `size` picture as tall as a buffer of `buffer` bytes holds whole rows of it; `None` when it
    /// holds no row or the picture takes more than [`MAX_BANDS`] bands.
    pub fn new(size: Size, buffer: usize) -> Option<Self> {
        let rows = u32::try_from(buffer).ok()? / (size.width.max(1) * PIXEL_BYTES);
        let bands = size.height.checked_div(rows)? + u32::from(size.height % rows != 0);
        (bands as usize <= MAX_BANDS).then_some(Self { size, rows, shown: [None; MAX_BANDS] })
    }

    /// How many bands the picture has.
    pub fn count(&self) -> usize {
        self.size.height.div_ceil(self.rows) as usize
    }

    /// Band `index` (from the top), drawn into `buffer` (at least the length given to [`new`](Self::new)); its
    /// pixels are whatever the buffer holds until drawn.
    pub fn band<'b>(&self, index: usize, buffer: &'b mut [u8]) -> Band<'b> {
        let top = index as u32 * self.rows;
        let rows = self.rows.min(self.size.height.saturating_sub(top));
        let bytes = (self.size.width * rows * PIXEL_BYTES) as usize;
        Band { buffer: &mut buffer[..bytes], size: self.size, top, rows, index }
    }

    /// Whether `band` differs from the one last taken at its place (always, after
    /// [`invalidate`](Self::invalidate)); it counts as shown from now on, so call it when about to send it.
    pub fn take_changed(&mut self, band: &Band<'_>) -> bool {
        let fingerprint = fingerprint(band.buffer);
        let changed = self.shown[band.index] != Some(fingerprint);
        self.shown[band.index] = Some(fingerprint);
        changed
    }

    /// Forgets what the panel shows: every band counts as changed next time.
    pub fn invalidate(&mut self) {
        self.shown = [None; MAX_BANDS];
    }
}

/// 64-bit FNV-1a: a changed band goes unnoticed only on a 64-bit collision.
fn fingerprint(bytes: &[u8]) -> u64 {
    const PRIME: u64 = 0x0100_0000_01b3;
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(PRIME))
}

/// One band of the picture, from [`Bands::band`].
pub struct Band<'b> {
    buffer: &'b mut [u8],
    size: Size,
    top: u32,
    rows: u32,
    index: usize,
}

impl Band<'_> {
    /// The band's place on the picture.
    pub fn area(&self) -> Rectangle {
        Rectangle::new(Point::new(0, self.top as i32), Size::new(self.size.width, self.rows))
    }

    /// The band's pixels, row by row.
    pub fn colors(&self) -> impl Iterator<Item = Rgb565> + '_ {
        self.buffer.chunks_exact(2).map(|pair| Rgb565::from(RawU16::new(u16::from_be_bytes([pair[0], pair[1]]))))
    }

    /// The band's rows on the picture.
    fn rows(&self) -> core::ops::Range<i32> {
        self.top as i32..(self.top + self.rows) as i32
    }

    /// The index of `point`'s first byte, or `None` outside the band.
    fn offset(&self, point: Point) -> Option<usize> {
        let inside = point.x >= 0 && (point.x as u32) < self.size.width && self.rows().contains(&point.y);
        inside.then(|| (((point.y as u32 - self.top) * self.size.width + point.x as u32) * PIXEL_BYTES) as usize)
    }

    /// Sets the pixel at byte `offset`.
    fn put(&mut self, offset: usize, [high, low]: [u8; 2]) {
        self.buffer[offset] = high;
        self.buffer[offset + 1] = low;
    }

    /// Sets every pixel of `bytes` to `pixel`.
    fn fill(bytes: &mut [u8], pixel: [u8; 2]) {
        if pixel[0] == pixel[1] {
            bytes.fill(pixel[0]);
        } else {
            for pair in bytes.chunks_exact_mut(2) {
                pair[0] = pixel[0];
                pair[1] = pixel[1];
            }
        }
    }
}

fn bytes(color: Rgb565) -> [u8; 2] {
    RawU16::from(color).into_inner().to_be_bytes()
}

impl OriginDimensions for Band<'_> {
    fn size(&self) -> Size {
        self.size
    }
}

impl DrawTarget for Band<'_> {
    type Color = Rgb565;
    type Error = Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<Rgb565>>>(&mut self, pixels: I) -> Result<(), Infallible> {
        for Pixel(point, color) in pixels {
            if let Some(offset) = self.offset(point) {
                self.put(offset, bytes(color));
            }
        }
        Ok(())
    }

    fn fill_contiguous<I: IntoIterator<Item = Rgb565>>(&mut self, area: &Rectangle, colors: I) -> Result<(), Infallible> {
        // Only the rows inside the band are kept: an area that misses it costs nothing, and the colours of the
        // rows above it are skipped, not drawn.
        let rows = self.rows();
        let width = area.size.width as usize;
        let first = area.top_left.y.max(rows.start);
        let last = (area.top_left.y + area.size.height as i32).min(rows.end);
        if first >= last || width == 0 {
            return Ok(());
        }
        let mut colors = colors.into_iter().skip((first - area.top_left.y) as usize * width);
        for y in first..last {
            for (x, color) in (area.top_left.x..).zip(colors.by_ref().take(width)) {
                if let Some(offset) = self.offset(Point::new(x, y)) {
                    self.put(offset, bytes(color));
                }
            }
        }
        Ok(())
    }

    fn fill_solid(&mut self, area: &Rectangle, color: Rgb565) -> Result<(), Infallible> {
        // Most of a scene's rectangles (a magnified glyph's pixels among them) miss the band: cheaply.
        let rows = self.rows();
        if area.top_left.y >= rows.end || area.top_left.y + area.size.height as i32 <= rows.start {
            return Ok(());
        }
        let area = area.intersection(&self.area());
        let Some(start) = self.offset(area.top_left).filter(|_| !area.is_zero_sized()) else { return Ok(()) };
        let (row, run) = ((self.size.width * PIXEL_BYTES) as usize, (area.size.width * PIXEL_BYTES) as usize);
        for line in 0..area.size.height as usize {
            let from = start + line * row;
            Self::fill(&mut self.buffer[from..from + run], bytes(color));
        }
        Ok(())
    }

    fn clear(&mut self, color: Rgb565) -> Result<(), Infallible> {
        Self::fill(self.buffer, bytes(color));
        Ok(())
    }
}
