//! How fast the board's stream path takes a 320x240 frame: each chunk's payload checked by `stream::Decoder` and
//! drawn with one `fill_contiguous` into a panel's memory (row by row, as the simulator's TFT and a mipidsi window
//! write take it), beside a plain copy of the same pixels into that memory (the baseline: nothing cheaper draws a
//! frame). Chunks are cut as a host must: whole rows, each payload at most the board's 8 KiB stream buffer (and,
//! for lz4_565, its pixels too). One JSON line a case; `npm run bench` may print them.
//!
//! - `graph`: a dark grid with a 3-pixel curve across it (what a dashboard stream mostly is);
//! - `noise`: every pixel different (the worst case for the compressed encodings).

use std::hint::black_box;
use std::time::Instant;

use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::{DrawTarget, OriginDimensions, Pixel, RawData, Size};
use embedded_graphics::primitives::Rectangle;
use sysboy_device::board::STREAM_BUFFER;
use sysboy_device::stream::Decoder;
use sysboy_protocol::{StreamEncoding, StreamRect};

const WIDTH: usize = 320;
const HEIGHT: usize = 240;
/// Frames decoded a case.
const FRAMES: u32 = 200;

/// A panel's memory, filled a row at a time.
struct Panel(Vec<Rgb565>);

impl OriginDimensions for Panel {
    fn size(&self) -> Size {
        Size::new(WIDTH as u32, HEIGHT as u32)
    }
}

impl DrawTarget for Panel {
    type Color = Rgb565;
    type Error = core::convert::Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<Rgb565>>>(&mut self, pixels: I) -> Result<(), Self::Error> {
        for Pixel(point, color) in pixels {
            self.0[point.y as usize * WIDTH + point.x as usize] = color;
        }
        Ok(())
    }

    fn fill_contiguous<I: IntoIterator<Item = Rgb565>>(&mut self, area: &Rectangle, colors: I) -> Result<(), Self::Error> {
        let (left, top, span) = (area.top_left.x as usize, area.top_left.y as usize, area.size.width as usize);
        let mut colors = colors.into_iter();
        for row in top..top + area.size.height as usize {
            for (pixel, color) in self.0[row * WIDTH + left..][..span].iter_mut().zip(&mut colors) {
                *pixel = color;
            }
        }
        Ok(())
    }
}

/// The host's rle565: runs of up to 256 equal pixels, each its count less one, then the pixel big-endian.
fn rle565(pixels: &[u16]) -> Vec<u8> {
    let mut runs = Vec::new();
    let mut rest = pixels;
    while let Some(&first) = rest.first() {
        let count = rest.iter().take(256).take_while(|&&pixel| pixel == first).count();
        runs.push((count - 1) as u8);
        runs.extend_from_slice(&first.to_be_bytes());
        rest = &rest[count..];
    }
    runs
}

fn raw565(pixels: &[u16]) -> Vec<u8> {
    pixels.iter().flat_map(|pixel| pixel.to_be_bytes()).collect()
}

/// The payload of `rows` rows from `top` in `encoding`.
fn payload(encoding: StreamEncoding, picture: &[u16], top: usize, rows: usize) -> Vec<u8> {
    let pixels = &picture[top * WIDTH..(top + rows) * WIDTH];
    match encoding {
        StreamEncoding::Raw565 => raw565(pixels),
        StreamEncoding::Rle565 => rle565(pixels),
        StreamEncoding::Lz4565 => lz4_flex::block::compress(&raw565(pixels)),
    }
}

/// The frame cut into chunks of whole rows that fit the stream buffer: the most rows whose raw pixels fit, fewer
/// when an rle565 payload of them would not.
fn chunks(encoding: StreamEncoding, picture: &[u16]) -> Vec<(StreamRect, Vec<u8>)> {
    let mut chunks = Vec::new();
    let mut top = 0;
    while top < HEIGHT {
        let mut rows = (STREAM_BUFFER / (WIDTH * 2)).min(HEIGHT - top);
        let mut bytes = payload(encoding, picture, top, rows);
        while bytes.len() > STREAM_BUFFER {
            rows /= 2;
            bytes = payload(encoding, picture, top, rows);
        }
        let rect = StreamRect { stream: "tft".into(), seq: 1, x: 0, y: top as u16, width: WIDTH as u16, height: rows as u16, encoding, length: bytes.len() as u32, last: top + rows == HEIGHT };
        chunks.push((rect, bytes));
        top += rows;
    }
    chunks
}

fn picture(content: &str) -> Vec<u16> {
    match content {
        "graph" => (0..HEIGHT * WIDTH)
            .map(|i| {
                let (x, y) = ((i % WIDTH) as f32, (i / WIDTH) as f32);
                let curve = 120.0 + 80.0 * (x / 25.0).sin();
                if (y - curve).abs() <= 1.5 {
                    0x07e0
                } else if (i % WIDTH).is_multiple_of(40) || (i / WIDTH).is_multiple_of(40) {
                    0x2104
                } else {
                    0x0000
                }
            })
            .collect(),
        _ => {
            let mut state = 0x2545_f491_u32;
            (0..HEIGHT * WIDTH)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    state as u16
                })
                .collect()
        }
    }
}

fn main() {
    let mut unpacked = vec![0u8; STREAM_BUFFER];
    let mut decoder = Decoder::new(&mut unpacked);
    let mut panel = Panel(vec![Rgb565::default(); WIDTH * HEIGHT]);
    for content in ["graph", "noise"] {
        let picture = picture(content);
        let raw = raw565(&picture);
        let mut memory = vec![0u8; raw.len()];
        let start = Instant::now();
        for _ in 0..FRAMES {
            memory.copy_from_slice(black_box(&raw));
            black_box(&memory);
        }
        let copy_us = start.elapsed().as_secs_f64() * 1e6 / f64::from(FRAMES);
        for encoding in [StreamEncoding::Raw565, StreamEncoding::Rle565, StreamEncoding::Lz4565] {
            let chunks = chunks(encoding, &picture);
            let start = Instant::now();
            for _ in 0..FRAMES {
                for (rect, bytes) in &chunks {
                    let pixels = decoder.check(rect, black_box(bytes)).expect("the host's own chunks are good");
                    let _ = pixels.draw(&mut panel);
                }
            }
            let frame_us = start.elapsed().as_secs_f64() * 1e6 / f64::from(FRAMES);
            let drawn: Vec<u16> = panel.0.iter().map(|&pixel| embedded_graphics::pixelcolor::raw::RawU16::from(pixel).into_inner()).collect();
            assert!(drawn == picture, "{content} {}: the panel holds the picture", encoding.as_str());
            let bytes: usize = chunks.iter().map(|(_, bytes)| bytes.len()).sum();
            println!(
                "{{\"content\":\"{content}\",\"encoding\":\"{}\",\"bytes_per_frame\":{bytes},\"chunks\":{},\"us_per_frame\":{frame_us:.1},\"mpixels_per_s\":{:.1},\"copy_us_per_frame\":{copy_us:.1},\"vs_copy\":{:.1}}}",
                encoding.as_str(),
                chunks.len(),
                (WIDTH * HEIGHT) as f64 / frame_us,
                frame_us / copy_us
            );
        }
    }
}
