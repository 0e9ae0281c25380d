//! The stream's behaviour: each header checked against its screen, each payload checked whole and drawn where its
//! rectangle says, every refusal named; round trips and random bytes under proptest.

use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;

use embedded_graphics::draw_target::DrawTarget;
use embedded_graphics::pixelcolor::raw::RawU16;
use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::{OriginDimensions, Pixel, Size};
use proptest::prelude::*;
use sysboy_protocol::{Chip, Hello, SceneSpec, ScreenConfig, StreamEncoding, StreamRect};

use super::*;
use crate::link::LinkConfig;
use crate::screen::ScreenSpec;

/// A screen in memory that records every pixel drawn, row by row.
struct Canvas {
    size: Size,
    pixels: Vec<Rgb565>,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Self {
        Self { size: Size::new(width, height), pixels: vec![Rgb565::new(0, 0, 0); (width * height) as usize] }
    }

    fn at(&self, x: u32, y: u32) -> Rgb565 {
        self.pixels[(y * self.size.width + x) as usize]
    }
}

impl OriginDimensions for Canvas {
    fn size(&self) -> Size {
        self.size
    }
}

impl DrawTarget for Canvas {
    type Color = Rgb565;
    type Error = core::convert::Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<Rgb565>>>(&mut self, pixels: I) -> Result<(), Self::Error> {
        for Pixel(point, color) in pixels {
            assert!(point.x >= 0 && point.y >= 0 && (point.x as u32) < self.size.width && (point.y as u32) < self.size.height, "{point:?} is off the canvas");
            self.pixels[(point.y as u32 * self.size.width + point.x as u32) as usize] = color;
        }
        Ok(())
    }
}

fn rect(encoding: StreamEncoding, (x, y, width, height): (u16, u16, u16, u16), length: usize) -> StreamRect {
    StreamRect { stream: "tft".into(), seq: 7, x, y, width, height, encoding, length: length as u32, last: true }
}

fn color(value: u16) -> Rgb565 {
    Rgb565::from(RawU16::new(value))
}

fn raw565(pixels: &[u16]) -> Vec<u8> {
    pixels.iter().flat_map(|pixel| pixel.to_be_bytes()).collect()
}

/// The host's rle565 encoder, for the tests: runs of up to 256 equal pixels, each its count less one then the
/// pixel big-endian.
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

/// `pixels` (`width` wide) drawn through the decoder at `x`, `y` on a 32x24 canvas.
fn drawn(encoding: StreamEncoding, (x, y, width): (u16, u16, u16), pixels: &[u16], payload: &[u8]) -> Result<Canvas, StreamError> {
    let height = (pixels.len() / usize::from(width)) as u16;
    let mut buffer = [0u8; 1024];
    let mut decoder = Decoder::new(&mut buffer);
    let pixels = decoder.check(&rect(encoding, (x, y, width, height), payload.len()), payload)?;
    let mut canvas = Canvas::new(32, 24);
    pixels.draw(&mut canvas).unwrap();
    Ok(canvas)
}

/// A picture with runs in it: rows of a few colours.
fn picture(width: u16, height: u16) -> Vec<u16> {
    (0..height).flat_map(|y| (0..width).map(move |x| if x < width / 2 { 0xf800 } else { 0x07e0 ^ y })).collect()
}

#[test]
fn each_encoding_draws_the_same_pixels_exactly_where_the_rectangle_says() {
    let pixels = picture(10, 4);
    let raw = raw565(&pixels);
    let lz4 = lz4_flex::block::compress(&raw);
    for (encoding, payload) in [(StreamEncoding::Raw565, raw.clone()), (StreamEncoding::Rle565, rle565(&pixels)), (StreamEncoding::Lz4565, lz4)] {
        let canvas = drawn(encoding, (5, 3, 10), &pixels, &payload).unwrap();
        for y in 0..24 {
            for x in 0..32 {
                let inside = (5..15).contains(&x) && (3..7).contains(&y);
                let expected = if inside { color(pixels[((y - 3) * 10 + x - 5) as usize]) } else { Rgb565::new(0, 0, 0) };
                assert_eq!(canvas.at(x, y), expected, "{} at {x},{y}", encoding.as_str());
            }
        }
    }
}

#[test]
fn a_run_covers_one_to_256_pixels_and_a_pixel_is_big_endian() {
    let canvas = drawn(StreamEncoding::Rle565, (0, 0, 32), &[0; 32 * 9], &[255, 0x12, 0x34, 31, 0xab, 0xcd]).unwrap();
    assert_eq!((canvas.at(0, 0), canvas.at(31, 7), canvas.at(0, 8), canvas.at(31, 8)), (color(0x1234), color(0x1234), color(0xabcd), color(0xabcd)));
    assert_eq!(color(0x1234), Rgb565::new(0x02, 0x11, 0x14), "0x12 0x34 is red 2, green 17, blue 20");
}

#[test]
fn payloads_that_cannot_be_the_rectangle_are_refused_and_draw_nothing() {
    let pixels = picture(4, 2);
    let raw = raw565(&pixels);
    let unpacked_short = lz4_flex::block::compress(&raw[..14]);
    let unpacked_long = lz4_flex::block::compress(&[raw.as_slice(), &[0, 0]].concat());
    let cases: Vec<(StreamEncoding, Vec<u8>, StreamError, &str)> = vec![
        (StreamEncoding::Raw565, raw[..15].to_vec(), StreamError::RawLength { expected: 16 }, "a raw565 payload of this rectangle is exactly 16 bytes"),
        (StreamEncoding::Rle565, vec![7, 0, 0, 0], StreamError::RunLength { min: 3, max: 24 }, "rle565 runs of this rectangle are whole 3-byte runs, 3 to 24 bytes"),
        (StreamEncoding::Rle565, vec![6, 0xf8, 0], StreamError::RunsCover { covered: 7, expected: 8 }, "the rle565 runs cover 7 pixels, not 8"),
        (StreamEncoding::Rle565, vec![6, 0xf8, 0, 1, 0, 0], StreamError::RunsCover { covered: 9, expected: 8 }, "the rle565 runs cover 9 pixels, not 8"),
        (StreamEncoding::Lz4565, unpacked_short, StreamError::Lz4Size { got: Some(14), expected: 16 }, "the LZ4 block unpacks to 14 bytes, not 16"),
        (StreamEncoding::Lz4565, unpacked_long, StreamError::Lz4Size { got: None, expected: 16 }, "the LZ4 block unpacks to more than 16 bytes"),
        (StreamEncoding::Lz4565, vec![0xf0], StreamError::Lz4Block("the block ends inside a sequence"), "the payload is not an LZ4 block: the block ends inside a sequence"),
        (StreamEncoding::Lz4565, vec![0x10, b'a', 9, 0], StreamError::Lz4Block("a match reaches back before the start"), "the payload is not an LZ4 block: a match reaches back before the start"),
    ];
    for (encoding, payload, error, text) in cases {
        let refused = drawn(encoding, (0, 0, 4), &pixels, &payload).err();
        assert_eq!(refused, Some(error.clone()), "{text}");
        assert_eq!(error.to_string(), text);
    }
}

#[test]
fn an_lz4_rectangle_unpacks_into_the_decoder_s_buffer_and_no_further() {
    let pixels = vec![0x1234u16; 32 * 16];
    let payload = lz4_flex::block::compress(&raw565(&pixels));
    let mut buffer = [0u8; 1024];
    let mut decoder = Decoder::new(&mut buffer);
    assert_eq!(decoder.buffer(), 1024);
    let checked = decoder.check(&rect(StreamEncoding::Lz4565, (0, 0, 32, 16), payload.len()), &payload).map(|pixels| pixels.colors().count());
    assert_eq!(checked, Ok(512), "exactly the buffer");
    let over = decoder.check(&rect(StreamEncoding::Lz4565, (0, 0, 32, 17), payload.len()), &payload).err();
    assert_eq!(over, Some(StreamError::Unpacked { bytes: 1088, buffer: 1024 }));
}

/// A hello with a 320x240 TFT taking streams of `buffer` bytes in `encodings`, and a 128x64 OLED.
fn hello(buffer: usize, encodings: &[StreamEncoding]) -> Hello {
    let outputs = vec![ScreenSpec::tft("tft", 320, 240).output(), ScreenSpec::oled("oled", 128, 64).output()];
    let mut hello = LinkConfig::new("sim-1", "0.1.0", Chip::Sim, outputs).unwrap().with_stream_buffer(buffer).hello().clone();
    hello.encodings = Some(encodings.to_vec());
    hello
}

fn streaming(output: &str) -> ScreenConfig {
    let scenes = vec![SceneSpec { scene: "stream".into(), metrics: Vec::new() }];
    ScreenConfig { output: output.into(), scenes, carousel_ms: None, alerts: None, brightness: None, rotation: None, width: None, height: None }
}

fn receiver() -> StreamReceiver {
    let mut receiver = StreamReceiver::from_hello(&hello(8192, &[StreamEncoding::Raw565, StreamEncoding::Rle565])).unwrap();
    receiver.configure(&[streaming("tft")]);
    receiver
}

#[test]
fn only_a_hello_with_encodings_and_a_buffer_takes_streams() {
    let mut without = hello(8192, &[]);
    assert_eq!(StreamReceiver::from_hello(&without), None);
    without.encodings = None;
    assert_eq!(StreamReceiver::from_hello(&without), None);
    assert_eq!(StreamReceiver::from_hello(&hello(4096, &ENCODINGS)).map(|receiver| receiver.buffer()), Some(4096));
}

#[test]
fn a_header_the_screen_can_take_waits_for_its_payload_of_exactly_its_length() {
    let mut receiver = receiver();
    let header = rect(StreamEncoding::Raw565, (300, 220, 20, 20), 800);
    assert_eq!(receiver.header(&header), Ok(()));
    assert_eq!(receiver.payload(800), Ok(header.clone()));
    receiver.header(&header).unwrap();
    let refused = receiver.payload(799).unwrap_err();
    assert_eq!(refused.error, StreamError::PayloadLength { expected: 800 });
    assert_eq!(refused.to_string(), "stream 'tft' seq 7 rect 300,220 20x20 raw565 length 800: the payload is not the header's 800 bytes");
    let orphan = receiver.payload(800).unwrap_err();
    assert_eq!((&orphan.rect, &orphan.error), (&None, &StreamError::NoHeader));
    assert_eq!(orphan.to_string(), "stream: a binary frame came without its header");
}

#[test]
fn every_header_the_screen_cannot_take_is_refused_naming_what_was_wrong() {
    let rle = |length| rect(StreamEncoding::Rle565, (0, 0, 16, 16), length);
    let cases: Vec<(StreamRect, &str)> = vec![
        (StreamRect { stream: "oled".into(), ..rle(3) }, "no screen of this device takes this stream; screens that take streams: tft"),
        (rect(StreamEncoding::Raw565, (0, 0, 321, 1), 642), "the rectangle lies outside the 320x240 screen"),
        (rect(StreamEncoding::Raw565, (300, 0, 21, 1), 42), "the rectangle lies outside the 320x240 screen"),
        (rect(StreamEncoding::Raw565, (0, 239, 1, 2), 4), "the rectangle lies outside the 320x240 screen"),
        (rect(StreamEncoding::Raw565, (0, 0, 0, 2), 4), "the rectangle lies outside the 320x240 screen"),
        (rect(StreamEncoding::Lz4565, (0, 0, 4, 4), 20), "encoding lz4_565 was not announced in the hello"),
        (rect(StreamEncoding::Raw565, (0, 0, 80, 80), 12_800), "length is over the stream buffer of 8192 bytes"),
        (rect(StreamEncoding::Raw565, (0, 0, 4, 4), 31), "a raw565 payload of this rectangle is exactly 32 bytes"),
        (rle(4), "rle565 runs of this rectangle are whole 3-byte runs, 3 to 768 bytes"),
        (rect(StreamEncoding::Rle565, (0, 0, 32, 32), 9), "rle565 runs of this rectangle are whole 3-byte runs, 12 to 3072 bytes"),
        (rle(771), "rle565 runs of this rectangle are whole 3-byte runs, 3 to 768 bytes"),
        // 320x13 pixels take 8320 bytes: over the buffer even as 32 runs of 96 bytes, so no one write holds the board long.
        (rect(StreamEncoding::Rle565, (0, 0, 320, 13), 96), "its pixels take 8320 bytes, over the stream buffer of 8192 bytes"),
    ];
    for (header, reason) in cases {
        let mut receiver = receiver();
        let refused = receiver.header(&header).unwrap_err();
        assert_eq!(refused.error.to_string(), reason);
        assert!(refused.to_string().starts_with("stream '"), "{refused}");
        assert_eq!(receiver.payload(header.length as usize).unwrap_err().error, StreamError::NoHeader, "a refused header awaits nothing: {reason}");
    }
    let fits = [rect(StreamEncoding::Raw565, (0, 0, 320, 1), 640), rect(StreamEncoding::Raw565, (319, 239, 1, 1), 2), rle(3), rle(768)];
    for header in fits {
        let mut receiver = receiver();
        assert_eq!(receiver.header(&header), Ok(()), "{header:?}");
    }
}

#[test]
fn a_screen_takes_rectangles_only_while_its_scenes_include_the_stream() {
    let mut receiver = StreamReceiver::from_hello(&hello(8192, &ENCODINGS)).unwrap();
    let header = rect(StreamEncoding::Raw565, (0, 0, 1, 1), 2);
    assert_eq!(receiver.header(&header).unwrap_err().error, StreamError::NotStreaming, "the default layout is a hub");
    assert_eq!(StreamError::NotStreaming.to_string(), "the screen's scenes do not include stream");
    receiver.configure(&[streaming("tft")]);
    assert_eq!(receiver.header(&header), Ok(()));
    receiver.reset();
    receiver.configure(&[]);
    assert_eq!(receiver.header(&header).unwrap_err().error, StreamError::NotStreaming);
}

#[test]
fn a_header_while_a_payload_is_awaited_drops_both_and_the_stream_goes_on() {
    let mut receiver = receiver();
    let first = rect(StreamEncoding::Raw565, (0, 0, 1, 1), 2);
    let second = StreamRect { seq: 8, ..first.clone() };
    receiver.header(&first).unwrap();
    let refused = receiver.header(&second).unwrap_err();
    assert_eq!(refused.error, StreamError::PayloadAwaited { seq: 7 });
    assert_eq!(refused.to_string(), "stream 'tft' seq 8 rect 0,0 1x1 raw565 length 2: a header came while the payload of a rectangle of seq 7 was awaited; both are dropped");
    assert_eq!(receiver.payload(2).unwrap_err().error, StreamError::NoHeader);
    receiver.header(&second).unwrap();
    assert_eq!(receiver.payload(2), Ok(second));
}

#[test]
fn a_new_session_awaits_no_payload() {
    let mut receiver = receiver();
    receiver.header(&rect(StreamEncoding::Raw565, (0, 0, 1, 1), 2)).unwrap();
    receiver.reset();
    assert_eq!(receiver.payload(2).unwrap_err().error, StreamError::NoHeader);
}

/// A rectangle of `width` x `height` and random pixels drawn from a few colours, so runs form.
fn pixels_strategy() -> impl Strategy<Value = (u16, Vec<u16>)> {
    (1u16..=40, 1u16..=24).prop_flat_map(|(width, height)| {
        let count = usize::from(width) * usize::from(height);
        (Just(width), prop::collection::vec(prop_oneof![Just(0u16), Just(0xffff), Just(0xf800), any::<u16>()], count))
    })
}

proptest! {
    #[test]
    fn rle_and_lz4_round_trip_to_the_raw_pixels((width, pixels) in pixels_strategy()) {
        let height = (pixels.len() / usize::from(width)) as u16;
        let expected: Vec<Rgb565> = pixels.iter().map(|&pixel| color(pixel)).collect();
        let mut buffer = [0u8; 4096];
        let mut decoder = Decoder::new(&mut buffer);
        let raw = raw565(&pixels);
        for (encoding, payload) in [(StreamEncoding::Raw565, raw.clone()), (StreamEncoding::Rle565, rle565(&pixels)), (StreamEncoding::Lz4565, lz4_flex::block::compress(&raw))] {
            let header = rect(encoding, (0, 0, width, height), payload.len());
            let decoded: Vec<Rgb565> = decoder.check(&header, &payload).map_err(|error| TestCaseError::fail(error.to_string()))?.colors().collect();
            prop_assert_eq!(&decoded, &expected, "{}", encoding.as_str());
        }
    }

    #[test]
    fn random_payloads_never_panic_and_what_passes_fills_the_rectangle_exactly(
        width in 1u16..=64,
        height in 1u16..=64,
        encoding in prop_oneof![Just(StreamEncoding::Raw565), Just(StreamEncoding::Rle565), Just(StreamEncoding::Lz4565)],
        payload in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let mut buffer = [0u8; 8192];
        let mut decoder = Decoder::new(&mut buffer);
        let header = rect(encoding, (0, 0, width, height), payload.len());
        if let Ok(pixels) = decoder.check(&header, &payload) {
            prop_assert_eq!(pixels.colors().count(), usize::from(width) * usize::from(height));
            let mut canvas = Canvas::new(64, 64);
            pixels.draw(&mut canvas).unwrap();
        }
    }

    #[test]
    fn random_headers_never_panic(x in any::<u16>(), y in any::<u16>(), width in any::<u16>(), height in any::<u16>(), length in any::<u32>(), stream in "[a-z]{1,4}") {
        let mut receiver = receiver();
        let header = StreamRect { stream, seq: 1, x, y, width, height, encoding: StreamEncoding::Rle565, length, last: false };
        if receiver.header(&header).is_ok() {
            prop_assert!(u32::from(x) + u32::from(width) <= 320 && u32::from(y) + u32::from(height) <= 240 && length % 3 == 0);
        }
    }
}
