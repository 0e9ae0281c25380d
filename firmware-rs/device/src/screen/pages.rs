//! A 1-bit framebuffer in the SSD1306's memory layout, which knows what the panel already shows, so a flush sends
//! only what changed.
//!
//! The SSD1306 (and the SH1106) keep a screen `width` pixels wide as `height / 8` pages: page `p` is one byte per
//! column, each byte eight pixels down from row `8 p`, least significant bit on top. [`Pages`] keeps that frame
//! and a copy of what was last sent; [`Pages::dirty_pages`] gives, for each page that differs, the run of columns
//! from its first changed byte to its last, ready for a column-and-page address window and one data write.
//!
//! A half turn (the picture upside down, rotation 2) is done here by drawing mirrored, so it works the same on
//! every controller; a board may instead set the SSD1306's segment remap and COM scan direction and leave it off.
//! Quarter turns are not offered: they would stand the screen on its side, and [`check`](super::check) refuses
//! them.

use core::convert::Infallible;

use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::{DrawTarget, OriginDimensions, Pixel, Size};
use embedded_graphics::primitives::Rectangle;

/// The most pages a [`Pages`] keeps track of: 32, so 256 rows.
pub const MAX_PAGES: usize = 32;

/// The changed part of one page: write `bytes` from column `column` of page `page`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirtyPage<'a> {
    /// The page, 0 at the top.
    pub page: usize,
    /// The first column written.
    pub column: usize,
    /// The bytes, one a column, from `column` on.
    pub bytes: &'a [u8],
}

/// A monochrome screen's frame in page layout over caller-provided bytes, with what the panel shows beside it.
#[derive(Debug)]
pub struct Pages<'a> {
    width: usize,
    pages: usize,
    frame: &'a mut [u8],
    sent: &'a mut [u8],
    /// Pages whose content on the panel is not known (at start, after [`Pages::invalidate`]).
    unknown: u32,
    half_turn: bool,
}

impl<'a> Pages<'a> {
    /// The bytes a screen of `size` takes: the frame and the copy of what was sent. `None` when its height is no
    /// whole number of pages, or it is empty or taller than [`MAX_PAGES`] pages.
    pub const fn len(size: Size) -> Option<usize> {
        let (width, height) = (size.width as usize, size.height as usize);
        if width == 0 || height == 0 || height % 8 != 0 || height / 8 > MAX_PAGES {
            return None;
        }
        Some(2 * width * (height / 8))
    }

    /// A frame of `size` over the start of `buffer` (at least [`Pages::len`] bytes), all dark, the panel's
    /// content unknown so the first flush sends every page. `None` when the size or the buffer will not do.
    pub fn new(buffer: &'a mut [u8], size: Size) -> Option<Self> {
        let len = Self::len(size)?;
        let (frame, sent) = buffer.get_mut(..len)?.split_at_mut(len / 2);
        frame.fill(0);
        let pages = size.height as usize / 8;
        Some(Self { width: size.width as usize, pages, frame, sent, unknown: all(pages), half_turn: false })
    }

    /// Draws the picture turned by half a turn (rotation 2) or upright; what is drawn already stays as it is.
    pub fn set_half_turn(&mut self, half_turn: bool) {
        self.half_turn = half_turn;
    }

    /// The frame in page layout: the bytes a full-screen write would send.
    pub fn as_bytes(&self) -> &[u8] {
        self.frame
    }

    /// The pixel at `x`, `y` of the frame as the panel shows it (before any turn); `None` outside.
    pub fn pixel(&self, x: usize, y: usize) -> Option<BinaryColor> {
        (x < self.width && y < 8 * self.pages).then(|| BinaryColor::from(self.frame[(y / 8) * self.width + x] & (1 << (y % 8)) != 0))
    }

    /// The changed part of each page that differs from what was sent, top page first.
    pub fn dirty_pages(&self) -> impl Iterator<Item = DirtyPage<'_>> {
        (0..self.pages).filter_map(move |page| {
            let span = page * self.width..(page + 1) * self.width;
            let (frame, sent) = (&self.frame[span.clone()], &self.sent[span]);
            let (first, last) = if self.unknown & (1 << page) != 0 {
                (0, self.width - 1)
            } else {
                let first = frame.iter().zip(sent).position(|(now, then)| now != then)?;
                let last = frame.iter().zip(sent).rposition(|(now, then)| now != then)?;
                (first, last)
            };
            Some(DirtyPage { page, column: first, bytes: &frame[first..=last] })
        })
    }

    /// How many bytes [`Pages::dirty_pages`] would send (data only, not the address commands).
    pub fn dirty_bytes(&self) -> usize {
        self.dirty_pages().map(|dirty| dirty.bytes.len()).sum()
    }

    /// Everything the dirty pages hold has reached the panel.
    pub fn flushed(&mut self) {
        self.sent.copy_from_slice(self.frame);
        self.unknown = 0;
    }

    /// The panel's content is unknown again (it was reset or powered up): the next flush sends every page.
    pub fn invalidate(&mut self) {
        self.unknown = all(self.pages);
    }

    fn set(&mut self, x: usize, y: usize, on: bool) {
        let (x, y) = if self.half_turn { (self.width - 1 - x, 8 * self.pages - 1 - y) } else { (x, y) };
        let byte = &mut self.frame[(y / 8) * self.width + x];
        let bit = 1 << (y % 8);
        if on {
            *byte |= bit;
        } else {
            *byte &= !bit;
        }
    }
}

/// The mask of `pages` pages.
const fn all(pages: usize) -> u32 {
    if pages >= 32 { u32::MAX } else { (1 << pages) - 1 }
}

impl OriginDimensions for Pages<'_> {
    fn size(&self) -> Size {
        Size::new(self.width as u32, 8 * self.pages as u32)
    }
}

impl DrawTarget for Pages<'_> {
    type Color = BinaryColor;
    type Error = Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<BinaryColor>>>(&mut self, pixels: I) -> Result<(), Infallible> {
        let (width, height) = (self.width as i32, 8 * self.pages as i32);
        for Pixel(point, color) in pixels {
            if (0..width).contains(&point.x) && (0..height).contains(&point.y) {
                self.set(point.x as usize, point.y as usize, color.is_on());
            }
        }
        Ok(())
    }

    fn clear(&mut self, color: BinaryColor) -> Result<(), Infallible> {
        self.frame.fill(if color.is_on() { 0xff } else { 0 });
        Ok(())
    }

    fn fill_solid(&mut self, area: &Rectangle, color: BinaryColor) -> Result<(), Infallible> {
        let area = area.intersection(&Rectangle::new(embedded_graphics::prelude::Point::zero(), self.size()));
        let Some(bottom_right) = area.bottom_right() else { return Ok(()) };
        for y in area.top_left.y..=bottom_right.y {
            for x in area.top_left.x..=bottom_right.x {
                self.set(x as usize, y as usize, color.is_on());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use embedded_graphics::prelude::*;
    use embedded_graphics::primitives::{PrimitiveStyle, Rectangle};

    use super::*;

    fn buffer(size: Size) -> Vec<u8> {
        vec![0xa5; Pages::len(size).unwrap()]
    }

    #[test]
    fn pixels_land_in_the_ssd1306_page_layout_least_significant_bit_on_top() {
        let mut bytes = buffer(Size::new(128, 64));
        let mut pages = Pages::new(&mut bytes, Size::new(128, 64)).unwrap();
        Pixel(Point::new(3, 0), BinaryColor::On).draw(&mut pages).unwrap();
        Pixel(Point::new(3, 7), BinaryColor::On).draw(&mut pages).unwrap();
        Pixel(Point::new(127, 63), BinaryColor::On).draw(&mut pages).unwrap();
        Pixel(Point::new(128, 0), BinaryColor::On).draw(&mut pages).unwrap();
        Pixel(Point::new(0, -1), BinaryColor::On).draw(&mut pages).unwrap();
        assert_eq!(pages.as_bytes()[3], 0b1000_0001);
        assert_eq!(pages.as_bytes()[7 * 128 + 127], 0b1000_0000);
        assert_eq!(pages.as_bytes().iter().map(|b| b.count_ones()).sum::<u32>(), 3, "nothing drawn outside");
        assert_eq!(pages.pixel(3, 7), Some(BinaryColor::On));
        assert_eq!(pages.pixel(3, 6), Some(BinaryColor::Off));
        assert_eq!(pages.size(), Size::new(128, 64));
    }

    #[test]
    fn the_first_flush_sends_every_page_and_a_steady_redraw_sends_nothing() {
        let size = Size::new(128, 64);
        let mut bytes = buffer(size);
        let mut pages = Pages::new(&mut bytes, size).unwrap();
        let draw = |pages: &mut Pages<'_>| {
            pages.clear(BinaryColor::Off).unwrap();
            Rectangle::new(Point::new(10, 10), Size::new(50, 20)).into_styled(PrimitiveStyle::with_stroke(BinaryColor::On, 1)).draw(pages).unwrap();
        };
        draw(&mut pages);
        assert_eq!(pages.dirty_pages().count(), 8);
        assert_eq!(pages.dirty_bytes(), 1024, "a full frame");
        pages.flushed();
        draw(&mut pages);
        assert_eq!(pages.dirty_pages().count(), 0);
        assert_eq!(pages.dirty_bytes(), 0);
    }

    #[test]
    fn one_changed_pixel_is_one_page_and_one_byte() {
        let size = Size::new(128, 64);
        let mut bytes = buffer(size);
        let mut pages = Pages::new(&mut bytes, size).unwrap();
        pages.flushed();
        Pixel(Point::new(40, 20), BinaryColor::On).draw(&mut pages).unwrap();
        let dirty: Vec<DirtyPage<'_>> = pages.dirty_pages().collect();
        assert_eq!(dirty, [DirtyPage { page: 2, column: 40, bytes: &[0b0001_0000] }]);
        Pixel(Point::new(90, 22), BinaryColor::On).draw(&mut pages).unwrap();
        let dirty: Vec<DirtyPage<'_>> = pages.dirty_pages().collect();
        assert_eq!((dirty.len(), dirty[0].column, dirty[0].bytes.len()), (1, 40, 51), "the run from the first change to the last");
        pages.flushed();
        assert_eq!(pages.dirty_bytes(), 0);
        pages.invalidate();
        assert_eq!(pages.dirty_bytes(), 1024, "a reset panel is sent whole");
    }

    #[test]
    fn a_half_turn_draws_the_picture_upside_down() {
        let size = Size::new(128, 32);
        let mut bytes = buffer(size);
        let mut pages = Pages::new(&mut bytes, size).unwrap();
        pages.set_half_turn(true);
        Pixel(Point::new(0, 0), BinaryColor::On).draw(&mut pages).unwrap();
        Rectangle::new(Point::new(0, 0), Size::new(2, 9)).into_styled(PrimitiveStyle::with_fill(BinaryColor::On)).draw(&mut pages).unwrap();
        assert_eq!(pages.pixel(127, 31), Some(BinaryColor::On));
        assert_eq!(pages.pixel(126, 23), Some(BinaryColor::On));
        assert_eq!(pages.pixel(126, 22), Some(BinaryColor::Off));
        assert_eq!(pages.pixel(0, 0), Some(BinaryColor::Off));
    }

    #[test]
    fn sizes_that_are_no_whole_pages_or_buffers_too_short_are_refused() {
        assert_eq!(Pages::len(Size::new(128, 64)), Some(2048));
        assert_eq!(Pages::len(Size::new(128, 60)), None);
        assert_eq!(Pages::len(Size::new(0, 64)), None);
        assert_eq!(Pages::len(Size::new(8, 8 * 33)), None);
        let mut short = [0u8; 100];
        assert!(Pages::new(&mut short, Size::new(128, 64)).is_none());
    }
}
