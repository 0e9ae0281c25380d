//! One whole session over an in-memory socket whose far end is a scripted host.

extern crate std;

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use embassy_futures::block_on;
use embedded_io_async::{ErrorKind, ErrorType, Read, Write};
use sysboy_protocol::{Chip, Link, Output, OutputKind, ResetReason, ScreenShown, Status, StreamRect};

use super::*;
use crate::link::{LinkConfig, LinkState};
use crate::meter::{Meter, MeterConfig, Reading};
use crate::screen::{ScreenSpec, Screens};
use crate::status_light::BoardState;

/// The host's side: answers the upgrade with the right accept value, then sends `frames`, then nothing.
struct ScriptedHost {
    written: Vec<u8>,
    to_send: Vec<Vec<u8>>,
    upgraded: bool,
}

impl ErrorType for ScriptedHost {
    type Error = ErrorKind;
}

impl Read for ScriptedHost {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        if !self.upgraded {
            let request = core::str::from_utf8(&self.written).unwrap();
            let key = request.lines().find_map(|l| l.strip_prefix("Sec-WebSocket-Key: ")).unwrap().trim();
            let mut random = [0u8; 16];
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.decode_slice(key, &mut random).unwrap();
            let accept = crate::ws::Handshake::new(random).expected_accept().to_string();
            let head = std::format!("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n");
            self.upgraded = true;
            buf[..head.len()].copy_from_slice(head.as_bytes());
            return Ok(head.len());
        }
        if self.to_send.is_empty() {
            return Ok(0);
        }
        let frame = self.to_send.remove(0);
        buf[..frame.len()].copy_from_slice(&frame);
        Ok(frame.len())
    }
}

impl Write for ScriptedHost {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        self.written.extend_from_slice(buf);
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

/// A board whose clock only moves when it sleeps; with a meter, configs and undos go to it.
#[derive(Default)]
struct TestBoard {
    now: u64,
    acted: Vec<Action>,
    states: Vec<LinkState>,
    meter: Option<Meter>,
    screens: Option<Screens>,
    /// The stream rectangles handed to the board, with their payloads' lengths.
    streamed: Vec<(StreamRect, usize)>,
}

impl Board for TestBoard {
    fn now_ms(&self) -> u64 {
        self.now
    }
    fn random(&mut self) -> u32 {
        0x1234_5678
    }
    async fn sleep_until(&mut self, deadline_ms: u64) {
        self.now = deadline_ms;
    }
    fn take_gesture(&mut self) -> Option<(String, Gesture)> {
        None
    }
    fn act(&mut self, action: Action) {
        if let (Action::Apply(config), Some(meter)) = (&action, self.meter.as_mut()) {
            crate::net::session_config::apply(meter, "vu", config);
        }
        if let Some(screens) = self.screens.as_mut() {
            screens.act(&action, self.now).unwrap();
        }
        self.acted.push(action);
    }
    fn undo_calibration(&mut self, output: &str) -> Result<(), UndoError> {
        assert_eq!(output, "vu", "the link passes on only outputs it announced");
        self.meter.as_mut().map_or(Err(UndoError::Unsupported), Meter::undo_calibration)
    }
    fn status(&mut self) -> Status {
        Status { link: Link::Sim, rssi: None, heap_free: 90_000, heap_min: Some(80_000), uptime_ms: self.now, host: Some("127.0.0.1:7777".into()), ip: None, reset_reason: Some(ResetReason::PowerOn), missing: None, screens: None, light: Some(self.light()), calibration: None, held: None, update: None }
    }
    fn link_changed(&mut self, state: LinkState) {
        self.states.push(state);
        if let Some(screens) = self.screens.as_mut() {
            screens.board_state(if state == LinkState::Live { BoardState::Live } else { BoardState::NoHost });
        }
    }
    fn screens_shown(&mut self) -> Option<Vec<ScreenShown>> {
        self.screens.as_ref().map(Screens::shown)
    }
    fn take_screens_changed(&mut self) -> bool {
        self.screens.as_mut().is_some_and(Screens::take_shown_changed)
    }
    fn draw_stream(&mut self, rect: &StreamRect, payload: &[u8]) -> Result<(), crate::stream::StreamError> {
        self.streamed.push((rect.clone(), payload.len()));
        Ok(())
    }
}

impl TestBoard {
    /// What a status light shows for the link state the board last heard of, as a real board's does.
    fn light(&self) -> sysboy_protocol::Light {
        let state = if self.states.last() == Some(&LinkState::Live) { BoardState::Live } else { BoardState::NoHost };
        state.light()
    }
}

/// A host that accepts the TCP connection and then never says a word.
struct MuteHost;

impl ErrorType for MuteHost {
    type Error = ErrorKind;
}

impl Read for MuteHost {
    async fn read(&mut self, _buf: &mut [u8]) -> Result<usize, ErrorKind> {
        core::future::pending().await
    }
}

impl Write for MuteHost {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

fn link() -> HostLink {
    let outputs = alloc::vec![Output { id: "vu".into(), kind: OutputKind::Pwm, bits: 10, width: None, height: None }];
    let mut link = HostLink::new(LinkConfig::new("sim-1", "0.1.0", Chip::Sim, outputs).unwrap(), Vec::new());
    link.found_host();
    link
}

/// The masked text frames the device wrote after the upgrade head, unmasked.
fn sent_texts(written: &[u8]) -> Vec<String> {
    let mut rest = &written[written.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4..];
    let mut texts = Vec::new();
    while rest.len() >= 6 {
        let (opcode, short) = (rest[0] & 0x0f, usize::from(rest[1] & 0x7f));
        let (len, at) = if short == 126 { (usize::from(u16::from_be_bytes([rest[2], rest[3]])), 4) } else { (short, 2) };
        let mask = [rest[at], rest[at + 1], rest[at + 2], rest[at + 3]];
        let payload: Vec<u8> = rest[at + 4..at + 4 + len].iter().enumerate().map(|(i, b)| b ^ mask[i % 4]).collect();
        if opcode == 1 {
            texts.push(String::from_utf8(payload).unwrap());
        }
        rest = &rest[at + 4 + len..];
    }
    texts
}

fn text_frame(text: &str) -> Vec<u8> {
    let mut frame = alloc::vec![0x81];
    if text.len() < 126 {
        frame.push(text.len() as u8);
    } else {
        frame.push(126);
        frame.extend_from_slice(&(text.len() as u16).to_be_bytes());
    }
    frame.extend_from_slice(text.as_bytes());
    frame
}

fn binary_frame(payload: &[u8]) -> Vec<u8> {
    let mut frame = alloc::vec![0x82, 126];
    frame.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    frame.extend_from_slice(payload);
    frame
}

#[test]
fn a_stream_s_header_and_its_binary_frame_of_the_whole_buffer_reach_the_board_and_are_applied() {
    let welcome = r#"{"type":"welcome","protocol":1,"host":"pc","version":"0.1.0","config":{"bindings":[{"output":"vu","metric":"vram"}],"interval_ms":500,"stale_after_ms":5000,
        "screens":[{"output":"tft","scenes":[{"scene":"stream","metrics":[]}]}]}}"#;
    let header = r#"{"type":"stream","stream":"tft","seq":3,"x":0,"y":0,"width":64,"height":64,"encoding":"raw565","length":8192,"last":true}"#;
    let mut host = ScriptedHost { written: Vec::new(), to_send: alloc::vec![text_frame(welcome), text_frame(header), binary_frame(&[0x5a; 8192])], upgraded: false };
    let outputs = alloc::vec![Output { id: "vu".into(), kind: OutputKind::Pwm, bits: 10, width: None, height: None }];
    let config = LinkConfig::new("sim-1", "0.1.0", Chip::Sim, outputs).unwrap().with_screens(&[ScreenSpec::tft("tft", 320, 240)]).with_stream_buffer(8192).checked().unwrap();
    let mut link = HostLink::new(config, Vec::new());
    link.found_host();
    let mut board = TestBoard::default();
    let (mut rx, mut tx, mut message) = ([0u8; 8192 + crate::ws::MAX_HEADER], [0u8; 1024], [0u8; 8192]);
    let target = Target { host: "10.0.0.1:8077", path: "/ws", token: None };
    let buffers = Buffers { rx: &mut rx, tx: &mut tx, message: &mut message, fetch: &mut [] };
    let end = block_on(run_session(&mut host, &mut link, &mut board, &target, buffers));

    assert_eq!(end, SessionEnd::Io, "the host hung up after the frame");
    assert_eq!(board.streamed.iter().map(|(rect, length)| (rect.seq, *length)).collect::<Vec<_>>(), [(3, 8192)]);
    let sent = sent_texts(&host.written);
    assert!(sent.contains(&r#"{"type":"applied","seq":3,"stream":"tft"}"#.to_string()), "{sent:?}");
}

#[test]
fn a_session_upgrades_says_hello_shows_frames_and_ends_on_close() {
    let welcome = r#"{"type":"welcome","protocol":1,"host":"pc","version":"0.1.0","config":{"bindings":[{"output":"vu","metric":"vram"}],"interval_ms":500,"stale_after_ms":5000}}"#;
    let mut host = ScriptedHost {
        written: Vec::new(),
        to_send: alloc::vec![text_frame(welcome), text_frame(r#"{"type":"vram","value":60.5}"#), alloc::vec![0x88, 0x02, 0x03, 0xe9]],
        upgraded: false,
    };
    let outputs = alloc::vec![Output { id: "vu".into(), kind: OutputKind::Pwm, bits: 10, width: None, height: None }];
    let mut link = HostLink::new(LinkConfig::new("sim-1", "0.1.0", Chip::Sim, outputs).unwrap(), Vec::new());
    link.found_host();
    let mut board = TestBoard::default();
    let (mut rx, mut tx, mut message) = ([0u8; 1024], [0u8; 1024], [0u8; 1024]);
    let target = Target { host: "127.0.0.1:7777", path: "/ws", token: Some("tok_0123456789") };
    let buffers = Buffers { rx: &mut rx, tx: &mut tx, message: &mut message, fetch: &mut [] };
    let end = block_on(run_session(&mut host, &mut link, &mut board, &target, buffers));

    assert_eq!(end, SessionEnd::Closed(Some(1001)));
    assert!(matches!(link.state(), LinkState::Backoff { .. }));
    assert!(board.acted.contains(&Action::Show { output: "vu".into(), reading: Reading::Value(60.5) }));
    assert_eq!(board.acted.last(), Some(&Action::Forget));
    let written = core::str::from_utf8(&host.written[..host.written.windows(4).position(|w| w == b"\r\n\r\n").unwrap()]).unwrap();
    assert!(written.contains("Authorization: Bearer tok_0123456789"));
    // After the head: the masked hello, then the echoed close.
    let after_head = &host.written[written.len() + 4..];
    assert_eq!(after_head[0], 0x81);
    assert_eq!(&after_head[after_head.len() - 8..after_head.len() - 6], &[0x88, 0x82]);
}

#[test]
fn a_bare_server_that_only_streams_the_seed_frame_moves_the_needle_and_hears_the_status() {
    let mut host = ScriptedHost { written: Vec::new(), to_send: alloc::vec![text_frame(r#"{"type":"vram","value":60.5}"#)], upgraded: false };
    let mut link = link();
    let mut board = TestBoard::default();
    let (mut rx, mut tx, mut message) = ([0u8; 1024], [0u8; 1024], [0u8; 1024]);
    let target = Target { host: "10.0.0.1:8077", path: "/ws", token: None };
    let buffers = Buffers { rx: &mut rx, tx: &mut tx, message: &mut message, fetch: &mut [] };
    let end = block_on(run_session(&mut host, &mut link, &mut board, &target, buffers));

    assert_eq!(end, SessionEnd::Io);
    assert!(board.acted.contains(&Action::Show { output: "vu".into(), reading: Reading::Value(60.5) }));
    assert!(board.states.contains(&LinkState::Live));
    let sent = sent_texts(&host.written);
    assert!(sent[0].starts_with(r#"{"type":"hello""#), "{sent:?}");
    let status: serde_json::Value = serde_json::from_str(&sent[1]).unwrap();
    assert_eq!(status["type"], "status");
    assert_eq!((status["link"].as_str(), status["heap_free"].as_u64(), status["heap_min"].as_u64()), (Some("sim"), Some(90_000), Some(80_000)));
    assert!(sysboy_protocol::decode_device_message(sent[1].as_bytes()).is_ok());
}

#[test]
fn a_host_that_never_answers_the_upgrade_ends_the_session_and_backs_off() {
    let mut link = link();
    let mut board = TestBoard::default();
    let (mut rx, mut tx, mut message) = ([0u8; 1024], [0u8; 1024], [0u8; 1024]);
    let target = Target { host: "10.0.0.1:8077", path: "/ws", token: None };
    let buffers = Buffers { rx: &mut rx, tx: &mut tx, message: &mut message, fetch: &mut [] };
    let end = block_on(run_session(&mut MuteHost, &mut link, &mut board, &target, buffers));

    assert_eq!(end, SessionEnd::UpgradeTimeout);
    assert_eq!(board.now, UPGRADE_TIMEOUT_MS);
    assert!(matches!(link.state(), LinkState::Backoff { .. }));
    assert!(end.to_string().contains("upgrade"));
}

#[test]
fn calibration_refusals_and_undos_are_answered_on_the_socket_and_the_session_goes_on() {
    let welcome = r#"{"type":"welcome","protocol":1,"host":"pc","version":"0.1.0","config":{"bindings":[{"output":"vu","metric":"vram"}],"interval_ms":500,"stale_after_ms":5000,"calibration":[{"output":"vu","points":[{"percent":0,"code":0},{"percent":50,"code":800},{"percent":100,"code":1023}]}]}}"#;
    let falling = r#"{"type":"config","bindings":[{"output":"vu","metric":"vram"}],"interval_ms":500,"stale_after_ms":5000,"calibration":[{"output":"vu","points":[{"percent":0,"code":500},{"percent":100,"code":100}]}]}"#;
    let undo = r#"{"type":"calibration_undo","output":"vu"}"#;
    let mut host = ScriptedHost {
        written: Vec::new(),
        to_send: alloc::vec![text_frame(welcome), text_frame(falling), text_frame(undo), text_frame(undo), text_frame(r#"{"type":"vram","value":50}"#)],
        upgraded: false,
    };
    let mut link = link();
    let mut board = TestBoard { meter: Some(Meter::new(MeterConfig::new(1023).unwrap()).unwrap()), ..TestBoard::default() };
    let (mut rx, mut tx, mut message) = ([0u8; 1024], [0u8; 1024], [0u8; 1024]);
    let target = Target { host: "10.0.0.1:8077", path: "/ws", token: None };
    let buffers = Buffers { rx: &mut rx, tx: &mut tx, message: &mut message, fetch: &mut [] };
    let end = block_on(run_session(&mut host, &mut link, &mut board, &target, buffers));

    assert_eq!(end, SessionEnd::Io, "the refusals did not end the session");
    assert!(board.acted.contains(&Action::Show { output: "vu".into(), reading: Reading::Value(50.0) }), "frames after the refusals still arrive");
    let errors: Vec<serde_json::Value> = sent_texts(&host.written)
        .iter()
        .map(|text| serde_json::from_str::<serde_json::Value>(text).unwrap())
        .filter(|message| message["type"] == "error")
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0]["code"], "bad_config");
    assert!(errors[0]["reason"].as_str().unwrap().contains("calibration for 'vu' refused"), "{errors:?}");
    assert_eq!(errors[1]["code"], "bad_config");
    assert!(errors[1]["reason"].as_str().unwrap().contains("nothing to undo"), "{errors:?}");
    // The falling curve was never taken, so the one undo went from the welcome's curve back to the linear one.
    let meter = board.meter.as_ref().unwrap();
    assert_eq!(meter.calibration().current().code_for(50.0), 512);
}

#[test]
fn a_board_without_a_calibration_history_refuses_an_undo() {
    let undo = r#"{"type":"calibration_undo","output":"vu"}"#;
    let mut host = ScriptedHost { written: Vec::new(), to_send: alloc::vec![text_frame(undo)], upgraded: false };
    let mut link = link();
    let mut board = TestBoard::default();
    let (mut rx, mut tx, mut message) = ([0u8; 1024], [0u8; 1024], [0u8; 1024]);
    let target = Target { host: "10.0.0.1:8077", path: "/ws", token: None };
    let buffers = Buffers { rx: &mut rx, tx: &mut tx, message: &mut message, fetch: &mut [] };
    block_on(run_session(&mut host, &mut link, &mut board, &target, buffers));
    let sent = sent_texts(&host.written);
    let refusal = sent.iter().find(|text| text.contains(r#""type":"error""#)).expect("an error frame");
    assert!(refusal.contains("bad_config") && refusal.contains("cannot undo"), "{refusal}");
}

#[test]
fn the_status_says_what_the_screens_show_and_goes_out_again_as_soon_as_that_changes() {
    let welcome = r#"{"type":"welcome","protocol":1,"host":"pc","version":"0.1.0","config":{"bindings":[{"output":"vu","metric":"vram"}],"interval_ms":500,"stale_after_ms":5000,
        "screens":[{"output":"oled","scenes":[{"scene":"metric","metrics":["cpu"]}]}]}}"#;
    let mut host = ScriptedHost { written: Vec::new(), to_send: alloc::vec![text_frame(welcome), text_frame(r#"{"type":"cpu","value":42}"#)], upgraded: false };
    let oled = ScreenSpec::oled("oled", 128, 64);
    let outputs = alloc::vec![Output { id: "vu".into(), kind: OutputKind::Pwm, bits: 10, width: None, height: None }];
    let config = LinkConfig::new("sim-1", "0.1.0", Chip::Sim, outputs).unwrap().with_screens(core::slice::from_ref(&oled)).checked().unwrap();
    let mut link = HostLink::new(config, Vec::new());
    link.found_host();
    let mut board = TestBoard { screens: Some(Screens::new(alloc::vec![oled])), ..TestBoard::default() };
    let (mut rx, mut tx, mut message) = ([0u8; 1024], [0u8; 1024], [0u8; 1024]);
    let target = Target { host: "10.0.0.1:8077", path: "/ws", token: None };
    let buffers = Buffers { rx: &mut rx, tx: &mut tx, message: &mut message, fetch: &mut [] };
    block_on(run_session(&mut host, &mut link, &mut board, &target, buffers));

    let statuses: Vec<serde_json::Value> = sent_texts(&host.written)
        .iter()
        .filter(|text| text.contains(r#""type":"status""#))
        .map(|text| serde_json::from_str(text).unwrap())
        .collect();
    let shown: Vec<&serde_json::Value> = statuses.iter().map(|status| &status["screens"][0]).collect();
    assert_eq!(shown.len(), 2, "{statuses:?}");
    assert_eq!((shown[0]["output"].as_str(), shown[0]["scene"].as_str()), (Some("oled"), Some("state")), "live, no figure yet");
    assert_eq!((shown[1]["scene"].as_str(), shown[1]["index"].as_u64()), (Some("metric"), Some(0)), "the first frame brought the scene");
}

#[test]
fn a_hold_is_reported_in_the_status_as_it_starts_and_ends_and_a_confirmed_config_follows_its_apply() {
    let welcome = r#"{"type":"welcome","protocol":1,"host":"pc","version":"0.1.0","config":{"bindings":[{"output":"vu","metric":"vram"}],"interval_ms":500,"stale_after_ms":5000}}"#;
    let config = r#"{"type":"config","id":9,"bindings":[{"output":"vu","metric":"cpu"}],"interval_ms":500,"stale_after_ms":5000}"#;
    let mut host = ScriptedHost {
        written: Vec::new(),
        to_send: alloc::vec![
            text_frame(welcome),
            text_frame(r#"{"type":"hold","output":"vu","code":640,"for_ms":5000}"#),
            text_frame(r#"{"type":"release","output":"vu"}"#),
            text_frame(config),
        ],
        upgraded: false,
    };
    let mut link = link();
    let mut board = TestBoard::default();
    let (mut rx, mut tx, mut message) = ([0u8; 1024], [0u8; 1024], [0u8; 1024]);
    let target = Target { host: "127.0.0.1:7777", path: "/ws", token: None };
    let buffers = Buffers { rx: &mut rx, tx: &mut tx, message: &mut message, fetch: &mut [] };
    block_on(run_session(&mut host, &mut link, &mut board, &target, buffers));

    let sent = sent_texts(&host.written);
    let statuses: Vec<&String> = sent.iter().filter(|text| text.starts_with(r#"{"type":"status""#)).collect();
    assert_eq!(statuses.len(), 3, "live, hold, release: {sent:?}");
    assert!(statuses[0].contains(r#""held":[]"#), "{}", statuses[0]);
    // The welcome's status names the light the board shows once live, not the state it was in before.
    assert!(statuses[0].contains(r#""light":"live""#), "{}", statuses[0]);
    assert!(statuses[1].contains(r#""held":[{"output":"vu","code":640}]"#), "{}", statuses[1]);
    assert!(statuses[2].contains(r#""held":[]"#), "{}", statuses[2]);
    assert!(board.acted.contains(&Action::Hold { output: "vu".into(), code: 640 }));
    assert!(board.acted.contains(&Action::Release { output: "vu".into() }));
    assert_eq!(sent.last().map(String::as_str), Some(r#"{"type":"configured","id":9,"ok":true}"#));
    let applied = board.acted.iter().position(|action| matches!(action, Action::Apply(config) if config.id == Some(9)));
    assert!(applied.is_some(), "the board applied the config before it was confirmed");
}
