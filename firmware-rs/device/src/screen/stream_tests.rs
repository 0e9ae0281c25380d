//! A TFT's stream scene: who may configure it, when the host's pixels are drawn, when the stream is "no data", and
//! that a streamed picture drawn over is always reported before the stream shows again.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::Size;
use sysboy_protocol::{AlertLimit, NamedMetric, SceneSpec, ScreenConfig, StreamEncoding, StreamRect};
use sysboy_scenes::Framebuffer;

use super::*;
use crate::status_light::BoardState;
use crate::stream::Decoder;

const WIDTH: u32 = 240;
const HEIGHT: u32 = 240;

fn tft() -> ScreenSpec {
    ScreenSpec { stream: true, ..ScreenSpec::tft("tft", 240, 240) }
}

fn scene(name: &str, metrics: &[&str]) -> SceneSpec {
    SceneSpec { scene: name.into(), metrics: metrics.iter().map(|m| String::from(*m)).collect() }
}

fn config(output: &str, scenes: Vec<SceneSpec>) -> ScreenConfig {
    ScreenConfig { output: output.into(), scenes, carousel_ms: None, alerts: None, brightness: None, rotation: None, width: None, height: None }
}

fn cpu(value: f64) -> NamedMetric {
    NamedMetric { name: "cpu".into(), value: Some(value), reason: None, used: None, total: None, raw: None, unit: None, source: None, gpu: None, seq: None, ts: None }
}

/// A live TFT laid out as `scenes` (with `alerts`), with the status of the layout taken.
fn live_tft(scenes: Vec<SceneSpec>, alerts: Option<Vec<AlertLimit>>) -> Screens {
    let mut screens = Screens::new(vec![tft()]);
    screens.board_state(BoardState::Live);
    screens.set_stale_after_ms(2_000);
    screens.configure(&[ScreenConfig { alerts, ..config("tft", scenes) }], 0).unwrap();
    screens.take_shown_changed();
    screens
}

/// The TFT's memory, two bytes a pixel.
struct Memory(Vec<u8>);

impl Memory {
    fn new() -> Self {
        Self(vec![0; (WIDTH * HEIGHT * 2) as usize])
    }

    fn target(&mut self) -> Framebuffer<'_, Rgb565> {
        Framebuffer::new(&mut self.0, Size::new(WIDTH, HEIGHT)).unwrap()
    }
}

/// Sends a 2x2 white rectangle at 10,10 to `screens` at `now_ms`; says whether it was drawn.
fn stream_white(screens: &mut Screens, memory: &mut Memory, now_ms: u64) -> bool {
    let rect = StreamRect { stream: "tft".into(), seq: 1, x: 10, y: 10, width: 2, height: 2, encoding: StreamEncoding::Rle565, length: 3, last: true };
    let mut buffer = [0u8; 1024];
    let mut decoder = Decoder::new(&mut buffer);
    let pixels = decoder.check(&rect, &[3, 0xff, 0xff]).unwrap();
    screens.show_stream("tft", &pixels, now_ms, &mut memory.target()).unwrap()
}

/// Whether the pixel at 10,10 is white (all ones, whichever byte order the framebuffer keeps).
fn white_at_10_10(memory: &Memory) -> bool {
    let at = ((10 * WIDTH + 10) * 2) as usize;
    memory.0[at..at + 2] == [0xff, 0xff]
}

fn scene_of(screens: &Screens) -> (String, Option<u8>) {
    let shown = screens.shown().remove(0);
    (shown.scene, shown.index)
}

fn showing(scene: &str, index: Option<u8>) -> (String, Option<u8>) {
    (scene.into(), index)
}

#[test]
fn the_stream_scene_is_for_a_tft_that_takes_streams_and_shows_no_figures() {
    let oled = ScreenSpec::oled("oled", 128, 64);
    let silent_tft = ScreenSpec::tft("tft", 240, 240);
    assert_eq!(check(&[tft()], &[config("tft", vec![scene("stream", &[]), scene("hub", &["cpu"])])]), Ok(()));
    let cases = [
        (vec![oled.clone()], config("oled", vec![scene("hub", &["cpu"]), scene("stream", &[])]), r#"screens[0].scenes[1].scene: "stream" needs a colour TFT; "oled" is a monochrome OLED"#),
        (vec![silent_tft], config("tft", vec![scene("stream", &[])]), r#"screens[0].scenes[0].scene: "stream" needs a TFT that takes streams; "tft" takes none (no encodings in the hello)"#),
        (vec![tft()], config("tft", vec![scene("stream", &["cpu"])]), "screens[0].scenes[0].metrics: the stream scene shows no figures, got 1"),
    ];
    for (specs, layout, reason) in cases {
        let refused = check(&specs, &[layout]).unwrap_err();
        assert_eq!(alloc::format!("{refused}"), reason);
    }
}

#[test]
fn the_host_s_pixels_are_drawn_while_the_stream_shows_and_the_screens_never_draw_over_them() {
    let mut screens = live_tft(vec![scene("stream", &[])], None);
    assert_eq!(scene_of(&screens), showing("state", None), "no rectangle yet: no data");
    let mut memory = Memory::new();
    assert!(stream_white(&mut screens, &mut memory, 100));
    assert_eq!(scene_of(&screens), showing("stream", Some(0)));
    assert!(screens.shows_stream(0) && !screens.shows_stream(1));
    assert!(white_at_10_10(&memory));
    let before = memory.0.clone();
    for screen in screens.tick(200).screens() {
        screens.draw(screen, &mut memory.target()).unwrap();
    }
    screens.draw(0, &mut memory.target()).unwrap();
    assert_eq!(memory.0, before, "the stream scene draws nothing over the host's pixels");
    assert!(screens.take_shown_changed(), "the status says stream");
    screens.configure(&[config("tft", vec![scene("stream", &[])])], 300).unwrap();
    assert_eq!(scene_of(&screens), showing("stream", Some(0)), "the same layout again keeps the stream");
    assert!(!screens.take_shown_changed(), "and nothing to report");
    assert!(!stream_white(&mut Screens::new(vec![tft()]), &mut memory, 0), "off a live session nothing is drawn");
}

#[test]
fn a_stream_with_no_rectangle_for_the_stale_timeout_is_no_data_and_comes_back_once_that_was_reported() {
    let mut screens = live_tft(vec![scene("stream", &[])], None);
    let mut memory = Memory::new();
    stream_white(&mut screens, &mut memory, 1_000);
    screens.tick(2_999);
    assert_eq!(scene_of(&screens), showing("stream", Some(0)));
    screens.tick(3_000);
    assert_eq!(scene_of(&screens), showing("state", None), "stale after 2 s");
    screens.draw(0, &mut memory.target()).unwrap();
    assert!(!white_at_10_10(&memory), "no data is drawn over the streamed picture");
    assert!(!stream_white(&mut screens, &mut memory, 3_100), "not drawn before the host has heard the picture was lost");
    assert_eq!(scene_of(&screens), showing("state", None));
    assert!(screens.take_shown_changed(), "the status says state");
    assert!(stream_white(&mut screens, &mut memory, 3_200));
    assert_eq!(scene_of(&screens), showing("stream", Some(0)));
    assert!(screens.take_shown_changed(), "the status says stream: the host sends the whole frame");
    screens.forget();
    assert_eq!(scene_of(&screens), showing("state", None), "the link went down");
}

#[test]
fn an_alert_takes_a_streaming_screen_over_and_the_stream_returns_only_after_the_status() {
    let limit = AlertLimit { metric: "cpu".into(), above: 90.0, clear_below: 80.0 };
    let mut screens = live_tft(vec![scene("stream", &[])], Some(vec![limit]));
    let mut memory = Memory::new();
    screens.frame(&cpu(50.0), 0);
    assert!(stream_white(&mut screens, &mut memory, 0));
    screens.frame(&cpu(95.0), 10);
    assert_eq!(screens.shown()[0].scene, "alert");
    assert!(!stream_white(&mut screens, &mut memory, 20), "the alert's picture stays");
    screens.frame(&cpu(10.0), 30);
    assert_eq!(screens.shown()[0].scene, "alert", "the cover is not reported yet: the alert's picture stays");
    assert!(screens.take_shown_changed());
    screens.tick(40);
    assert_eq!(scene_of(&screens), showing("stream", Some(0)));
}

#[test]
fn stepping_away_from_the_stream_and_back_within_one_status_waits_for_that_status() {
    let mut screens = live_tft(vec![scene("stream", &[]), scene("hub", &["cpu"])], None);
    let mut memory = Memory::new();
    screens.frame(&cpu(50.0), 0);
    stream_white(&mut screens, &mut memory, 0);
    assert_eq!(scene_of(&screens), showing("stream", Some(0)));
    screens.press(10);
    assert_eq!(scene_of(&screens), showing("hub", Some(1)));
    screens.press(20);
    assert_eq!(scene_of(&screens), showing("hub", Some(1)), "the hub's picture is there until the host has heard of it");
    assert!(screens.take_shown_changed());
    screens.tick(30);
    assert_eq!(scene_of(&screens), showing("stream", Some(0)));
    assert!(screens.take_shown_changed());
}

#[test]
fn a_layout_without_the_stream_covers_its_picture() {
    let mut screens = live_tft(vec![scene("stream", &[])], None);
    let mut memory = Memory::new();
    screens.frame(&cpu(50.0), 0);
    stream_white(&mut screens, &mut memory, 0);
    screens.configure(&[config("tft", vec![scene("hub", &["cpu"])])], 10).unwrap();
    screens.configure(&[config("tft", vec![scene("stream", &[])])], 20).unwrap();
    assert_eq!(scene_of(&screens), showing("state", None), "held until the status goes out");
    assert!(screens.take_shown_changed());
    screens.tick(30);
    assert_eq!(scene_of(&screens), showing("stream", Some(0)));
}
