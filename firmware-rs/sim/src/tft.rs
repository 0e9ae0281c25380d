//! The simulated TFT: an RGB565 framebuffer standing in for the panel's own memory, held in static memory (the
//! board draws straight into the panel, so none of it is on the device-logic heap). The device logic's
//! [`Screens`] draw their colour scenes into it, and the host's stream rectangles are checked by the device
//! logic's [`Decoder`] and drawn through [`Screens::show_stream`], as the board does through mipidsi. The picture is
//! hashed for the status line and written as an RGB PNG of exactly the screen's size on a `screen tft PATH`
//! command, upright (a half turn is the panel's own, set by the board through mipidsi's orientation).

use std::path::Path;

use embedded_graphics::pixelcolor::raw::{RawData, RawU16};
use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::{Dimensions, DrawTarget, OriginDimensions, Pixel, Point, PointsIter, RgbColor, Size};
use embedded_graphics::primitives::Rectangle;
use embedded_graphics_simulator::{OutputSettings, SimulatorDisplay};
use static_cell::StaticCell;
use sysboy_device::board::STREAM_BUFFER;
use sysboy_device::screen::Screens;
use sysboy_device::stream::{Decoder, StreamError};
use sysboy_protocol::{ScreenShown, StreamRect};

use crate::fnv::Fnv1a;
use crate::report::TftStatus;

/// The TFT sizes the simulator gives a device: those the scenes are laid out for.
pub const SIZES: [(u16, u16); 3] = [(240, 240), (320, 240), (240, 320)];
/// Pixels of the largest.
const MAX_PIXELS: usize = 320 * 240;

/// The panel's memory: pixels row by row.
pub struct Framebuffer {
    pixels: &'static mut [Rgb565],
    size: Size,
}

impl Framebuffer {
    /// The pixels, row by row.
    pub fn pixels(&self) -> &[Rgb565] {
        &self.pixels[..(self.size.width * self.size.height) as usize]
    }
}

impl OriginDimensions for Framebuffer {
    fn size(&self) -> Size {
        self.size
    }
}

impl DrawTarget for Framebuffer {
    type Color = Rgb565;
    type Error = core::convert::Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<Rgb565>>>(&mut self, pixels: I) -> Result<(), Self::Error> {
        let (width, height) = (self.size.width as i32, self.size.height as i32);
        for Pixel(point, color) in pixels {
            if (0..width).contains(&point.x) && (0..height).contains(&point.y) {
                self.pixels[(point.y * width + point.x) as usize] = color;
            }
        }
        Ok(())
    }

    /// Row by row into memory, as a panel takes a window write.
    fn fill_contiguous<I: IntoIterator<Item = Rgb565>>(&mut self, area: &Rectangle, colors: I) -> Result<(), Self::Error> {
        if area.intersection(&self.bounding_box()) != *area {
            // Partly off the screen: the pixels off it are skipped one by one.
            return self.draw_iter(area.points().zip(colors).map(|(point, color)| Pixel(point, color)));
        }
        let width = self.size.width as usize;
        let (left, top) = (area.top_left.x as usize, area.top_left.y as usize);
        let span = area.size.width as usize;
        let mut colors = colors.into_iter();
        for row in top..top + area.size.height as usize {
            let start = row * width + left;
            for (pixel, color) in self.pixels[start..start + span].iter_mut().zip(&mut colors) {
                *pixel = color;
            }
        }
        Ok(())
    }
}

/// The TFT, its stream figures and the picture's hash.
pub struct SimTft {
    frame: Framebuffer,
    decoder: Decoder<'static>,
    /// The screen's index in the screens.
    screen: usize,
    /// The hash of the picture, recomputed when something was drawn.
    hash: Option<u32>,
    /// What the picture shows, as of the last update.
    shown: Option<ScreenShown>,
    /// Times the screens drew it (each time what it shows changed).
    updates: u64,
    /// Stream frames shown: rectangles with `last` taken.
    frames: u64,
    /// Stream rectangles taken.
    rects: u64,
    /// Payload bytes of the rectangles taken.
    bytes: u64,
    /// Stream rectangles refused, by the link or by the decoder.
    errors: u64,
}

impl SimTft {
    /// The TFT of `width` by `height` (one of [`SIZES`]), black, as screen `screen` of the screens, in static
    /// memory. There is one: a second call panics.
    pub fn new(width: u16, height: u16, screen: usize) -> Self {
        static PIXELS: StaticCell<[Rgb565; MAX_PIXELS]> = StaticCell::new();
        static UNPACKED: StaticCell<[u8; STREAM_BUFFER]> = StaticCell::new();
        Self::in_memory(width, height, screen, PIXELS.init([Rgb565::BLACK; MAX_PIXELS]), UNPACKED.init([0; STREAM_BUFFER]))
    }

    /// The TFT in the caller's memory: `pixels` for the panel (at least `width * height`, black) and `unpacked`
    /// for the LZ4 decoder (the stream buffer).
    fn in_memory(width: u16, height: u16, screen: usize, pixels: &'static mut [Rgb565], unpacked: &'static mut [u8]) -> Self {
        let frame = Framebuffer { pixels, size: Size::new(width.into(), height.into()) };
        let decoder = Decoder::new(unpacked);
        Self { frame, decoder, screen, hash: None, shown: None, updates: 0, frames: 0, rects: 0, bytes: 0, errors: 0 }
    }

    /// A TFT for a test, in leaked memory (each test its own), off the heap count as the static memory is.
    #[cfg(test)]
    pub fn for_test(width: u16, height: u16, screen: usize) -> Self {
        let (pixels, unpacked) = crate::heap::uncounted(|| (vec![Rgb565::BLACK; usize::from(width) * usize::from(height)].leak(), vec![0; STREAM_BUFFER].leak()));
        Self::in_memory(width, height, screen, pixels, unpacked)
    }

    /// The TFT's index in the screens.
    pub fn screen(&self) -> usize {
        self.screen
    }

    /// Draws the TFT's screen of `screens` as it is now (the stream scene draws nothing over the stream's pixels).
    pub fn update(&mut self, screens: &Screens) {
        // Drawing on memory cannot fail.
        let _ = screens.draw(self.screen, &mut self.frame);
        self.hash = None;
        self.updates += 1;
        self.shown = screens.shown().into_iter().nth(self.screen);
    }

    /// A stream rectangle's payload, its header checked by the link: checked whole, then drawn while the screen
    /// shows the stream scene.
    pub fn stream(&mut self, screens: &mut Screens, rect: &StreamRect, payload: &[u8], now_ms: u64) -> Result<(), StreamError> {
        let pixels = self.decoder.check(rect, payload)?;
        let output = screens.specs()[self.screen].output.clone();
        // Drawing on memory cannot fail.
        if screens.show_stream(&output, &pixels, now_ms, &mut self.frame).unwrap_or(false) {
            self.hash = None;
        }
        self.rects += 1;
        self.bytes += payload.len() as u64;
        self.frames += u64::from(rect.last);
        Ok(())
    }

    /// Counts a refused rectangle.
    pub fn refused(&mut self) {
        self.errors += 1;
    }

    /// The TFT on the status line; `None` before the first update.
    pub fn status(&mut self) -> Option<TftStatus> {
        Some(TftStatus {
            shown: self.shown.clone()?,
            hash: self.hash(),
            frames: self.frames,
            rects: self.rects,
            bytes: self.bytes,
            errors: self.errors,
            updates: self.updates,
        })
    }

    /// FNV-1a (32 bits, hex) of the picture as raw565: big-endian RGB565, row by row.
    pub fn hash(&mut self) -> String {
        let hash = *self.hash.get_or_insert_with(|| fnv1a_raw565(self.frame.pixels()));
        format!("{hash:08x}")
    }

    /// Writes the picture to `path` as an RGB PNG of exactly the screen's size (each channel scaled to 8 bits,
    /// rounded: `round(v * 255 / 31)` for red and blue, `round(v * 255 / 63)` for green).
    pub fn save_png(&self, path: &Path) -> Result<(), String> {
        crate::heap::uncounted(|| {
            let mut display = SimulatorDisplay::<Rgb565>::with_default_color(self.frame.size, Rgb565::BLACK);
            let area = Rectangle::new(Point::zero(), self.frame.size);
            // Drawing on the simulator's display cannot fail.
            let _ = display.fill_contiguous(&area, self.frame.pixels().iter().copied());
            display.to_rgb_output_image(&OutputSettings::default()).save_png(path).map_err(|error| error.to_string())
        })
    }
}

/// FNV-1a (32 bits) of `pixels` as raw565 bytes (big-endian RGB565, row by row).
fn fnv1a_raw565(pixels: &[Rgb565]) -> u32 {
    let mut hash = Fnv1a::new();
    for &pixel in pixels {
        hash.write(&RawU16::from(pixel).into_inner().to_be_bytes());
    }
    hash.finish()
}

#[cfg(test)]
mod tests {
    use embedded_graphics::pixelcolor::Rgb888;
    use sysboy_device::screen::ScreenSpec;
    use sysboy_device::status_light::BoardState;
    use sysboy_protocol::{SceneSpec, ScreenConfig, StreamEncoding};

    use super::*;

    fn rect(x: u16, y: u16, width: u16, height: u16, encoding: StreamEncoding, length: usize) -> StreamRect {
        StreamRect { stream: "tft".into(), seq: 1, x, y, width, height, encoding, length: length as u32, last: true }
    }

    #[test]
    fn the_stream_lands_in_the_framebuffer_and_the_png_is_it_pixel_for_pixel() {
        // The test's pictures are the test's own, not the device logic's: off the heap count the heap tests read.
        crate::heap::uncounted(|| {
            let mut screens = Screens::new(vec![ScreenSpec { stream: true, ..ScreenSpec::tft("tft", 320, 240) }]);
            screens.board_state(BoardState::Live);
            let layout = ScreenConfig {
                output: "tft".into(),
                scenes: vec![SceneSpec { scene: "stream".into(), metrics: Vec::new() }],
                carousel_ms: None,
                alerts: None,
                brightness: None,
                rotation: None,
                width: None,
                height: None,
            };
            screens.configure(&[layout], 0).unwrap();
            let mut tft = SimTft::for_test(320, 240, 0);
            tft.update(&screens);
            let black = tft.hash();
            assert_eq!(tft.status().unwrap().shown.scene, "state");

            // A gradient over the left half, then a red run over the right.
            let raw: Vec<u8> = (0..160u32 * 24).flat_map(|i| ((i * 37) as u16).to_be_bytes()).collect();
            for band in 0..10u16 {
                let chunk = &raw[..];
                tft.stream(&mut screens, &rect(0, band * 24, 160, 24, StreamEncoding::Raw565, chunk.len()), chunk, 10).unwrap();
            }
            // In bands too: a rectangle's pixels fit the 8 KiB stream buffer whatever its encoding.
            let runs: Vec<u8> = [[255u8, 0xf8, 0x00]; 15].concat();
            for band in 0..10u16 {
                tft.stream(&mut screens, &rect(160, band * 24, 160, 24, StreamEncoding::Rle565, runs.len()), &runs, 11).unwrap();
            }
            assert_eq!(tft.stream(&mut screens, &rect(0, 0, 2, 2, StreamEncoding::Rle565, 3), &[2, 0, 0], 12), Err(StreamError::RunsCover { covered: 3, expected: 4 }));
            tft.update(&screens);
            let status = tft.status().unwrap();
            assert_eq!((status.shown.scene.as_str(), status.frames, status.rects, status.bytes), ("stream", 20, 20, 10 * 7680 + 10 * 45));
            assert_ne!(status.hash, black);

            let path = std::env::temp_dir().join(format!("sysboy-sim-tft-{}.png", std::process::id()));
            tft.save_png(&path).unwrap();
            let png = SimulatorDisplay::<Rgb888>::load_png(&path).unwrap();
            std::fs::remove_file(&path).unwrap();
            assert_eq!(png.size(), Size::new(320, 240));
            for y in 0..240u32 {
                for x in 0..320u32 {
                    let expected = if x < 160 { Rgb565::from(embedded_graphics::pixelcolor::raw::RawU16::new(((y % 24 * 160 + x) * 37) as u16)) } else { Rgb565::RED };
                    assert_eq!(png.get_pixel(Point::new(x as i32, y as i32)), Rgb888::from(expected), "at {x},{y}");
                }
            }
            // The hash is FNV-1a of the picture's raw565 bytes.
            let bytes: Vec<u8> = (0..240u32).flat_map(|y| (0..320u32).map(move |x| (x, y))).flat_map(|(x, y)| {
                if x < 160 { (((y % 24 * 160 + x) * 37) as u16).to_be_bytes() } else { 0xf800u16.to_be_bytes() }
            }).collect();
            let fnv = bytes.iter().fold(0x811c_9dc5u32, |hash, &byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193));
            assert_eq!(tft.hash(), format!("{fnv:08x}"));
    
        });
    }

    #[test]
    fn a_rectangle_partly_off_the_screen_draws_only_what_is_on_it() {
        let mut frame = Framebuffer { pixels: Box::leak(vec![Rgb565::BLACK; 16].into_boxed_slice()), size: Size::new(4, 4) };
        frame.fill_contiguous(&Rectangle::new(Point::new(2, 2), Size::new(3, 3)), std::iter::repeat(Rgb565::WHITE)).unwrap();
        let lit: Vec<usize> = frame.pixels().iter().enumerate().filter(|(_, &p)| p == Rgb565::WHITE).map(|(i, _)| i).collect();
        assert_eq!(lit, [10, 11, 14, 15]);
    }
}
