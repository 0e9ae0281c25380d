//! The stream on the link: a header, then its payload drawn by the board, then `applied` for the frame's last
//! rectangle; every bad input gets a `bad_frame` error and the stream goes on.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use sysboy_protocol::{Applied, Chip, DeviceMessage, ErrorCode, Output, OutputKind, StreamRect};

use super::*;
use crate::screen::ScreenSpec;
use crate::stream::{StreamError, ENCODINGS};

/// A device with a meter, a 128x64 OLED and a 320x240 TFT; with `stream_buffer`, the TFT takes streams.
fn config(stream_buffer: Option<usize>) -> LinkConfig {
    let outputs = alloc::vec![Output { id: "vu".into(), kind: OutputKind::Pwm, bits: 10, width: None, height: None }];
    let config = LinkConfig::new("aa:bb:cc:dd:ee:ff", "0.1.0", Chip::Esp32c3, outputs)
        .unwrap()
        .with_screens(&[ScreenSpec::oled("oled", 128, 64), ScreenSpec::tft("tft", 320, 240)]);
    match stream_buffer {
        Some(buffer) => config.with_stream_buffer(buffer),
        None => config,
    }
    .checked()
    .unwrap()
}

/// The link live after a welcome whose config lays the TFT out as `scenes` (JSON).
fn live(config: LinkConfig, scenes: &str) -> HostLink {
    let mut link = HostLink::new(config, Vec::new());
    link.found_host();
    link.connected();
    link.upgraded(0);
    let welcome = alloc::format!(
        r#"{{"type":"welcome","protocol":1,"host":"pc","version":"0.1.0","config":{{"bindings":[{{"output":"vu","metric":"vram"}}],
        "interval_ms":500,"stale_after_ms":5000,"screens":[{{"output":"tft","scenes":{scenes}}}]}}}}"#
    );
    let actions = link.received_text(10, welcome.as_bytes());
    assert!(!actions.iter().any(|action| matches!(action, Action::Send(DeviceMessage::Error(_)))), "{actions:?}");
    link
}

fn streaming() -> HostLink {
    live(config(Some(8192)), r#"[{"scene":"stream","metrics":[]}]"#)
}

fn header(seq: u32, encoding: &str, (x, y, width, height): (u16, u16, u16, u16), length: usize, last: bool) -> String {
    alloc::format!(
        r#"{{"type":"stream","stream":"tft","seq":{seq},"x":{x},"y":{y},"width":{width},"height":{height},"encoding":"{encoding}","length":{length},"last":{last}}}"#
    )
}

/// What the board's draw was handed.
type Drawn = RefCell<Vec<(StreamRect, Vec<u8>)>>;

/// Hands `payload` to the link with a board that draws everything, recording it in `drawn`.
fn payload(link: &mut HostLink, now_ms: u64, payload: &[u8], drawn: &Drawn) -> Vec<Action> {
    link.received_binary(now_ms, payload, |rect, payload| {
        drawn.borrow_mut().push((rect.clone(), payload.to_vec()));
        Ok(())
    })
}

/// The `bad_frame` reason of a refusal, checked to come with the board's copy.
fn refusal(actions: &[Action]) -> String {
    match actions {
        [Action::Send(DeviceMessage::Error(report)), Action::StreamRefused(refused)] => {
            assert_eq!(report.code, ErrorCode::BadFrame);
            assert_eq!(report.reason, alloc::format!("{refused}"));
            report.reason.clone()
        }
        other => panic!("expected a bad_frame error, got {other:?}"),
    }
}

#[test]
fn a_hello_with_a_stream_buffer_announces_it_and_every_encoding() {
    let hello = config(Some(8192)).hello().clone();
    assert_eq!((hello.stream_buffer, hello.encodings.as_deref()), (Some(8192), Some(ENCODINGS.as_slice())));
    assert_eq!(config(None).hello().encodings, None);
    assert_eq!((HostLink::new(config(Some(8192)), Vec::new()).stream_buffer(), HostLink::new(config(None), Vec::new()).stream_buffer()), (Some(8192), None));
    assert!(matches!(config(None).with_stream_buffer(512).checked(), Err(LinkConfigError::BadHello("Hello.stream_buffer"))));
}

#[test]
fn a_header_then_its_payload_is_drawn_and_the_frame_s_last_rectangle_is_applied_at_once() {
    let mut link = streaming();
    let drawn = Drawn::default();
    assert_eq!(link.received_text(20, header(7, "raw565", (0, 0, 2, 1), 4, false).as_bytes()), []);
    assert_eq!(payload(&mut link, 21, &[0xf8, 0, 0, 0x1f], &drawn), [], "not the frame's last rectangle");
    assert_eq!(link.received_text(22, header(7, "rle565", (2, 0, 300, 2), 9, true).as_bytes()), []);
    let applied = payload(&mut link, 23, &[255, 0, 0, 255, 0, 0, 87, 0, 0], &drawn);
    assert_eq!(applied, [Action::Send(DeviceMessage::Applied(Applied { seq: 7, stream: Some("tft".into()) }))]);
    let drawn = drawn.into_inner();
    assert_eq!(drawn.iter().map(|(rect, payload)| (rect.x, rect.width, payload.len())).collect::<Vec<_>>(), [(0, 2, 4), (2, 300, 9)]);
    assert_eq!(link.state(), LinkState::Live);
}

#[test]
fn every_bad_input_gets_a_bad_frame_error_naming_it_and_the_stream_goes_on() {
    let mut link = streaming();
    let drawn = Drawn::default();
    let good = |link: &mut HostLink, seq: u32| {
        assert_eq!(link.received_text(100, header(seq, "raw565", (0, 0, 1, 1), 2, true).as_bytes()), []);
        let applied = payload(link, 101, &[0, 0], &Drawn::default());
        assert_eq!(applied, [Action::Send(DeviceMessage::Applied(Applied { seq, stream: Some("tft".into()) }))], "the stream goes on");
    };
    let headers = [
        (header(1, "raw565", (300, 0, 21, 1), 42, true), "stream 'tft' seq 1 rect 300,0 21x1 raw565 length 42: the rectangle lies outside the 320x240 screen"),
        (header(1, "raw565", (0, 0, 4, 4), 30, true), "stream 'tft' seq 1 rect 0,0 4x4 raw565 length 30: a raw565 payload of this rectangle is exactly 32 bytes"),
        (header(1, "rle565", (0, 0, 4, 4), 4, true), "stream 'tft' seq 1 rect 0,0 4x4 rle565 length 4: rle565 runs of this rectangle are whole 3-byte runs, 3 to 48 bytes"),
        (header(1, "raw565", (0, 0, 80, 80), 12_800, true), "stream 'tft' seq 1 rect 0,0 80x80 raw565 length 12800: length is over the stream buffer of 8192 bytes"),
        (header(1, "lz4_565", (0, 0, 80, 80), 100, true), "stream 'tft' seq 1 rect 0,0 80x80 lz4_565 length 100: its pixels take 12800 bytes, over the stream buffer of 8192 bytes"),
        (header(1, "raw565", (0, 0, 1, 1), 2, true).replace(r#""tft""#, r#""oled""#), "stream 'oled' seq 1 rect 0,0 1x1 raw565 length 2: no screen of this device takes this stream; screens that take streams: tft"),
    ];
    for (text, reason) in headers {
        assert_eq!(refusal(&link.received_text(50, text.as_bytes())), reason);
        assert_eq!(refusal(&payload(&mut link, 51, &[0, 0], &drawn)), "stream: a binary frame came without its header", "its payload has no header: {reason}");
        good(&mut link, 2);
    }

    assert_eq!(refusal(&payload(&mut link, 60, &[1, 2, 3], &drawn)), "stream: a binary frame came without its header");
    good(&mut link, 3);

    link.received_text(70, header(4, "raw565", (0, 0, 1, 1), 2, true).as_bytes());
    assert_eq!(
        refusal(&link.received_text(71, header(5, "raw565", (0, 0, 1, 1), 2, true).as_bytes())),
        "stream 'tft' seq 5 rect 0,0 1x1 raw565 length 2: a header came while the payload of a rectangle of seq 4 was awaited; both are dropped"
    );
    good(&mut link, 6);

    link.received_text(80, header(7, "raw565", (0, 0, 1, 1), 2, true).as_bytes());
    assert_eq!(refusal(&payload(&mut link, 81, &[0, 0, 0], &drawn)), "stream 'tft' seq 7 rect 0,0 1x1 raw565 length 2: the payload is not the header's 2 bytes");
    good(&mut link, 8);

    link.received_text(90, header(9, "rle565", (0, 0, 2, 2), 3, true).as_bytes());
    let refused = link.received_binary(91, &[2, 0, 0], |_, _| Err(StreamError::RunsCover { covered: 3, expected: 4 }));
    assert_eq!(refusal(&refused), "stream 'tft' seq 9 rect 0,0 2x2 rle565 length 3: the rle565 runs cover 3 pixels, not 4", "the board's refusal, and no applied");
    good(&mut link, 10);

    assert!(drawn.borrow().is_empty(), "nothing refused was drawn");
    assert!(link.received_text(95, br#"{"type":"stream","stream":"tft","seq":1,"x":0,"y":0,"width":1,"height":1,"encoding":"png","length":2,"last":true}"#)
        .iter()
        .any(|action| matches!(action, Action::Send(DeviceMessage::Error(_)))), "an encoding the protocol does not know is a bad message");
    assert_eq!(link.state(), LinkState::Live);
}

#[test]
fn an_encoding_the_hello_did_not_announce_is_refused() {
    let mut config = config(Some(4096));
    config.hello.encodings = Some(alloc::vec![sysboy_protocol::StreamEncoding::Rle565]);
    let mut link = live(config, r#"[{"scene":"stream","metrics":[]}]"#);
    let refused = refusal(&link.received_text(20, header(1, "raw565", (0, 0, 1, 1), 2, true).as_bytes()));
    assert_eq!(refused, "stream 'tft' seq 1 rect 0,0 1x1 raw565 length 2: encoding raw565 was not announced in the hello");
}

#[test]
fn a_tft_takes_rectangles_only_while_the_config_gives_it_the_stream_scene() {
    let mut link = live(config(Some(8192)), r#"[{"scene":"hub","metrics":["cpu"]}]"#);
    let refused = refusal(&link.received_text(20, header(1, "raw565", (0, 0, 1, 1), 2, true).as_bytes()));
    assert_eq!(refused, "stream 'tft' seq 1 rect 0,0 1x1 raw565 length 2: the screen's scenes do not include stream");
    let config = br#"{"type":"config","bindings":[{"output":"vu","metric":"vram"}],"interval_ms":500,"stale_after_ms":5000,
        "screens":[{"output":"tft","scenes":[{"scene":"hub","metrics":["cpu"]},{"scene":"stream","metrics":[]}]}]}"#;
    assert!(matches!(&link.received_text(30, config)[..], [Action::Apply(_), Action::ConfigureScreens(_)]));
    assert_eq!(link.received_text(40, header(1, "raw565", (0, 0, 1, 1), 2, true).as_bytes()), []);
}

#[test]
fn the_stream_scene_on_the_oled_is_refused_naming_the_field() {
    let mut link = live(config(Some(8192)), r#"[{"scene":"stream","metrics":[]}]"#);
    let config = br#"{"type":"config","bindings":[{"output":"vu","metric":"vram"}],"interval_ms":500,"stale_after_ms":5000,
        "screens":[{"output":"oled","scenes":[{"scene":"stream","metrics":[]}]}]}"#;
    let actions = link.received_text(30, config);
    let [Action::Send(DeviceMessage::Error(report)), Action::Apply(_)] = actions.as_slice() else { panic!("{actions:?}") };
    assert_eq!((report.code, report.reason.as_str()), (ErrorCode::BadConfig, r#"screens[0].scenes[0].scene: "stream" needs a colour TFT; "oled" is a monochrome OLED"#));
    assert_eq!(link.received_text(40, header(1, "raw565", (0, 0, 1, 1), 2, true).as_bytes()), [], "the TFT keeps its stream");
}

#[test]
fn a_device_that_takes_no_stream_refuses_headers_and_binary_frames() {
    let mut link = live(config(None), r#"[{"scene":"hub","metrics":["cpu"]}]"#);
    let actions = link.received_text(20, header(1, "raw565", (0, 0, 1, 1), 2, true).as_bytes());
    let [Action::Send(DeviceMessage::Error(report))] = actions.as_slice() else { panic!("{actions:?}") };
    assert_eq!((report.code, report.reason.as_str()), (ErrorCode::BadFrame, "stream: this device takes no stream (its hello announced no encodings)"));
    let actions = link.received_binary(30, &[0, 0], |_, _| panic!("nothing is drawn"));
    let [Action::Send(DeviceMessage::Error(report))] = actions.as_slice() else { panic!("{actions:?}") };
    assert_eq!((report.code, report.reason.as_str()), (ErrorCode::BinaryFrame, "frames are JSON text"));
}

#[test]
fn a_new_session_forgets_a_header_whose_payload_never_came() {
    let mut link = streaming();
    link.received_text(20, header(1, "raw565", (0, 0, 1, 1), 2, true).as_bytes());
    link.connection_lost(30, 0);
    link.poll(100_000, 0);
    link.found_host();
    link.connected();
    link.upgraded(100_010);
    let refused = refusal(&link.received_binary(100_020, &[0, 0], |_, _| panic!("no header in this session")));
    assert_eq!(refused, "stream: a binary frame came without its header");
}
