//! A screen in memory: pixels as bytes, row-major from the top left, in the layout the WebAssembly module hands
//! the host (one byte a pixel for [`BinaryColor`], two little-endian bytes of RGB565 for [`Rgb565`]).

use core::{convert::Infallible, marker::PhantomData};

use embedded_graphics::{
    pixelcolor::{raw::RawU16, BinaryColor, PixelColor, Rgb565},
    prelude::*,
    primitives::Rectangle,
};

/// A colour as it is stored in a [`Framebuffer`].
pub trait StoredColor: PixelColor {
    /// Bytes a pixel.
    const BYTES: usize;
    /// Writes the colour into `bytes` (exactly [`StoredColor::BYTES`] long).
    fn store(self, bytes: &mut [u8]);
    /// Reads a colour back from `bytes` (exactly [`StoredColor::BYTES`] long).
    fn load(bytes: &[u8]) -> Self;
}

impl StoredColor for BinaryColor {
    const BYTES: usize = 1;

    fn store(self, bytes: &mut [u8]) {
        bytes[0] = u8::from(self.is_on());
    }

    fn load(bytes: &[u8]) -> Self {
        BinaryColor::from(bytes[0] != 0)
    }
}

impl StoredColor for Rgb565 {
    const BYTES: usize = 2;

    fn store(self, bytes: &mut [u8]) {
        bytes.copy_from_slice(&RawU16::from(self).into_inner().to_le_bytes());
    }

    fn load(bytes: &[u8]) -> Self {
        RawU16::new(u16::from_le_bytes([bytes[0], bytes[1]])).into()
    }
}

/// A [`DrawTarget`] over borrowed bytes; drawing outside it is clipped.
pub struct Framebuffer<'a, C> {
    bytes: &'a mut [u8],
    size: Size,
    color: PhantomData<C>,
}

impl<'a, C: StoredColor> Framebuffer<'a, C> {
    /// A framebuffer of `size` pixels over the start of `bytes`, or `None` when `bytes` is too short.
    pub fn new(bytes: &'a mut [u8], size: Size) -> Option<Self> {
        let len = Self::len(size)?;
        let bytes = bytes.get_mut(..len)?;
        Some(Self { bytes, size, color: PhantomData })
    }

    /// The bytes a framebuffer of `size` takes, or `None` when that overflows.
    pub fn len(size: Size) -> Option<usize> {
        (size.width as usize).checked_mul(size.height as usize)?.checked_mul(C::BYTES)
    }

    /// The colour at `point`, or `None` outside.
    pub fn pixel(&self, point: Point) -> Option<C> {
        self.offset(point).map(|at| C::load(&self.bytes[at..at + C::BYTES]))
    }

    /// Its bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
    }

    fn offset(&self, point: Point) -> Option<usize> {
        let (x, y) = (u32::try_from(point.x).ok()?, u32::try_from(point.y).ok()?);
        (x < self.size.width && y < self.size.height)
            .then(|| (y as usize * self.size.width as usize + x as usize) * C::BYTES)
    }
}

impl<C> OriginDimensions for Framebuffer<'_, C> {
    fn size(&self) -> Size {
        self.size
    }
}

impl<C: StoredColor> DrawTarget for Framebuffer<'_, C> {
    type Color = C;
    type Error = Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<C>>>(&mut self, pixels: I) -> Result<(), Infallible> {
        for Pixel(point, color) in pixels {
            if let Some(at) = self.offset(point) {
                color.store(&mut self.bytes[at..at + C::BYTES]);
            }
        }
        Ok(())
    }

    fn fill_solid(&mut self, area: &Rectangle, color: C) -> Result<(), Infallible> {
        let area = area.intersection(&self.bounding_box());
        let Some(bottom_right) = area.bottom_right() else { return Ok(()) };
        let mut stored = [0u8; 4];
        color.store(&mut stored[..C::BYTES]);
        let row_bytes = self.size.width as usize * C::BYTES;
        for y in area.top_left.y..=bottom_right.y {
            let row = &mut self.bytes[y as usize * row_bytes..][..row_bytes];
            let span = &mut row[area.top_left.x as usize * C::BYTES..=bottom_right.x as usize * C::BYTES + C::BYTES - 1];
            for pixel in span.chunks_exact_mut(C::BYTES) {
                pixel.copy_from_slice(&stored[..C::BYTES]);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_pixels_row_major_in_the_abi_layout() {
        let mut bytes = [0xaa; 3 * 2 * 2 + 1];
        let mut screen = Framebuffer::<Rgb565>::new(&mut bytes, Size::new(3, 2)).unwrap();
        screen.clear(Rgb565::BLACK).unwrap();
        Pixel(Point::new(2, 1), Rgb565::new(31, 0, 0)).draw(&mut screen).unwrap();
        Pixel(Point::new(3, 1), Rgb565::WHITE).draw(&mut screen).unwrap();
        Pixel(Point::new(-1, 0), Rgb565::WHITE).draw(&mut screen).unwrap();
        assert_eq!(screen.pixel(Point::new(2, 1)), Some(Rgb565::new(31, 0, 0)));
        assert_eq!(screen.pixel(Point::new(3, 1)), None);
        assert_eq!(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0xf8, 0xaa]);
    }

    #[test]
    fn fills_only_the_part_inside() {
        let mut bytes = [0; 4 * 3];
        let mut screen = Framebuffer::<BinaryColor>::new(&mut bytes, Size::new(4, 3)).unwrap();
        screen.fill_solid(&Rectangle::new(Point::new(2, 1), Size::new(5, 5)), BinaryColor::On).unwrap();
        assert_eq!(bytes, [0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
    }

    #[test]
    fn refuses_bytes_too_short_for_the_size() {
        let mut bytes = [0; 7];
        assert!(Framebuffer::<Rgb565>::new(&mut bytes, Size::new(2, 2)).is_none());
    }
}
