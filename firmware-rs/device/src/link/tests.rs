//! Host-link behaviour: the session from hello to live, frames in, errors out, and the backoff.

use alloc::vec::Vec;

use sysboy_protocol::{Chip, DeviceMessage, ErrorCode, Output, OutputKind, Press};

use super::fixtures::{refused, WELCOME};
use super::*;
use crate::button::Gesture;
use crate::meter::Reading;
use crate::ws::HandshakeError;

fn config() -> LinkConfig {
    let outputs = alloc::vec![Output { id: "vu".into(), kind: OutputKind::Pwm, bits: 10, width: None, height: None }];
    LinkConfig::new("aa:bb:cc:dd:ee:ff", "0.1.0", Chip::Esp32c3, outputs).unwrap().with_token(Some("tok_0123456789".into()))
}

fn live_link() -> HostLink {
    fixtures::live(config())
}

#[test]
fn hello_announces_token_and_capabilities() {
    let mut link = HostLink::new(config(), Vec::new());
    assert_eq!(link.state(), LinkState::Discovering);
    link.found_host();
    assert_eq!(link.state(), LinkState::Connecting);
    link.connected();
    assert_eq!(link.state(), LinkState::Handshaking);
    let actions = link.upgraded(0);
    let [Action::Send(DeviceMessage::Hello(hello))] = actions.as_slice() else { panic!("{actions:?}") };
    assert_eq!(hello.token.as_deref(), Some("tok_0123456789"));
    assert_eq!(hello.outputs[0].id, "vu");
    assert_eq!(hello.protocol, sysboy_protocol::PROTOCOL_VERSION);
    let encoded = sysboy_protocol::encode(&DeviceMessage::Hello(hello.clone())).unwrap();
    assert!(sysboy_protocol::decode_device_message(encoded.as_bytes()).is_ok());
}

#[test]
fn welcome_makes_the_session_live_and_applies_its_config() {
    let mut link = HostLink::new(config(), Vec::new());
    link.found_host();
    link.connected();
    link.upgraded(0);
    let actions = link.received_text(10, WELCOME.as_bytes());
    assert_eq!(link.state(), LinkState::Live);
    assert!(matches!(&actions[..], [Action::Apply(config), Action::ReportStatus] if config.stale_after_ms == 5000));
    assert_eq!(link.bindings()[0].metric, "vram");
}

#[test]
fn seed_frame_moves_the_bound_output() {
    let mut link = live_link();
    let actions = link.received_text(20, br#"{"type":"vram","value":60.5}"#);
    assert_eq!(actions, [Action::Show { output: "vu".into(), reading: Reading::Value(60.5) }]);
}

#[test]
fn unknown_fields_and_unbound_metrics_are_ignored() {
    let mut link = live_link();
    let actions = link.received_text(20, br#"{"type":"vram","value":10,"used":1,"future_field":[1,2]}"#);
    assert_eq!(actions, [Action::Show { output: "vu".into(), reading: Reading::Value(10.0) }]);
    assert_eq!(link.received_text(30, br#"{"type":"cpu","value":10}"#), []);
    assert_eq!(link.received_text(40, br#"{"type":"metric","name":"gpu_fan","value":10}"#), []);
    assert_eq!(link.state(), LinkState::Live);
}

#[test]
fn unknown_value_from_the_host_becomes_a_no_data_reading_with_its_reason() {
    let mut link = live_link();
    let actions = link.received_text(20, br#"{"type":"vram","value":null,"reason":"NVML not found"}"#);
    assert_eq!(actions, [Action::Show { output: "vu".into(), reading: Reading::Unknown("NVML not found".into()) }]);
}

#[test]
fn invalid_frames_get_an_error_frame_and_the_session_goes_on() {
    let mut link = live_link();
    assert_eq!(refused(&link.received_text(20, b"{not json")).0, ErrorCode::BadJson);
    assert_eq!(refused(&link.received_text(20, br#"{"type":"teleport"}"#)).0, ErrorCode::UnknownType);
    let (code, reason) = refused(&link.received_text(20, br#"{"type":"vram","value":250}"#));
    assert_eq!(code, ErrorCode::BadFrame);
    assert!(!reason.is_empty() && reason.chars().count() <= 200);
    let binary = link.received_binary(20, &[0, 1], |_, _| panic!("a device that takes no stream draws nothing"));
    assert_eq!(refused(&binary).0, ErrorCode::BinaryFrame);
    assert_eq!(link.state(), LinkState::Live);
    assert_eq!(link.received_text(30, br#"{"type":"vram","value":5}"#).len(), 1);
}

#[test]
fn config_frames_rebind_outputs() {
    let mut link = live_link();
    let config = br#"{"type":"config","bindings":[{"output":"vu","metric":"cpu"}],"interval_ms":1000,"stale_after_ms":3000,
        "ballistics":{"settle_ms":500,"overshoot_pct":0.5}}"#;
    let actions = link.received_text(20, config);
    assert!(matches!(&actions[..], [Action::Apply(c)] if c.ballistics.as_ref().map(|b| b.settle_ms) == Some(500)));
    assert_eq!(link.received_text(30, br#"{"type":"vram","value":5}"#), []);
    assert_eq!(link.received_text(30, br#"{"type":"cpu","value":5}"#).len(), 1);
}

fn config_with_curves(curves: &str) -> Vec<u8> {
    alloc::format!(r#"{{"type":"config","bindings":[{{"output":"vu","metric":"vram"}}],"interval_ms":1000,"stale_after_ms":3000,"calibration":[{curves}]}}"#)
        .into_bytes()
}

#[test]
fn a_curve_the_output_can_take_is_passed_on_to_apply() {
    let mut link = live_link();
    let actions = link.received_text(20, &config_with_curves(r#"{"output":"vu","points":[{"percent":0,"code":0},{"percent":50,"code":800},{"percent":100,"code":1023}]}"#));
    // The status names the curves stored on the board, so a new one is reported at once, after it is applied.
    let [Action::Apply(config), Action::ReportStatus] = actions.as_slice() else { panic!("{actions:?}") };
    assert_eq!(config.calibration.as_ref().map(Vec::len), Some(1));
}

#[test]
fn curves_the_device_refuses_get_a_bad_config_error_naming_the_output_and_are_not_applied() {
    let cases = [
        (r#"{"output":"vu","points":[{"percent":0,"code":0},{"percent":50,"code":600},{"percent":40,"code":700}]}"#, "calibration for 'vu' refused: calibration point 2 does not increase"),
        (r#"{"output":"vu","points":[{"percent":0,"code":500},{"percent":100,"code":400}]}"#, "calibration for 'vu' refused: calibration point 1 does not increase"),
        (r#"{"output":"vu","points":[{"percent":0,"code":0},{"percent":100,"code":4095}]}"#, "calibration for 'vu' refused: calibration code 4095 is above the output's largest code (1023)"),
        (r#"{"output":"aux","points":[{"percent":0,"code":0},{"percent":100,"code":100}]}"#, "calibration: unknown output 'aux'; this device has vu"),
    ];
    for (curve, reason) in cases {
        let mut link = live_link();
        let actions = link.received_text(20, &config_with_curves(curve));
        let [Action::Send(DeviceMessage::Error(report)), Action::Apply(config)] = actions.as_slice() else { panic!("{curve}: {actions:?}") };
        assert_eq!(report.code, ErrorCode::BadConfig);
        assert!(report.reason.starts_with(reason), "{curve}: {}", report.reason);
        assert_eq!(config.calibration, Some(Vec::new()), "the refused curve is kept from the meter");
        assert_eq!(config.bindings[0].metric, "vram", "the rest of the config still applies");
        assert_eq!(link.state(), LinkState::Live);
    }
}

#[test]
fn a_good_curve_beside_a_refused_one_still_applies() {
    let mut link = live_link();
    let curves = r#"{"output":"aux","points":[{"percent":0,"code":0},{"percent":100,"code":100}]},{"output":"vu","points":[{"percent":0,"code":5},{"percent":100,"code":1000}]}"#;
    let actions = link.received_text(20, &config_with_curves(curves));
    let [Action::Send(DeviceMessage::Error(_)), Action::Apply(config), Action::ReportStatus] = actions.as_slice() else { panic!("{actions:?}") };
    let kept = config.calibration.as_ref().unwrap();
    assert_eq!((kept.len(), kept[0].output.as_str()), (1, "vu"));
}

#[test]
fn a_welcome_s_refused_curve_is_answered_too_and_the_session_goes_live() {
    let mut link = HostLink::new(config(), Vec::new());
    link.found_host();
    link.connected();
    link.upgraded(0);
    let welcome = br#"{"type":"welcome","protocol":1,"host":"pc","version":"0.1.0","config":{"bindings":[{"output":"vu","metric":"vram"}],
        "interval_ms":500,"stale_after_ms":5000,"calibration":[{"output":"vu","points":[{"percent":0,"code":9},{"percent":100,"code":2}]}]}}"#;
    let actions = link.received_text(10, welcome);
    assert!(matches!(&actions[0], Action::Send(DeviceMessage::Error(report)) if report.code == ErrorCode::BadConfig), "{actions:?}");
    assert_eq!(link.state(), LinkState::Live);
}

#[test]
fn an_undo_for_an_announced_output_is_handed_to_the_board_once() {
    let mut link = live_link();
    assert_eq!(link.received_text(20, br#"{"type":"calibration_undo","output":"vu"}"#), []);
    assert_eq!(link.take_calibration_undo().as_deref(), Some("vu"));
    assert_eq!(link.take_calibration_undo(), None);
    let Action::Send(DeviceMessage::Error(report)) = link.undo_refused(30, "vu", crate::meter::UndoError::NothingToUndo) else { panic!() };
    assert_eq!(report.code, ErrorCode::BadConfig);
    assert_eq!(report.reason, "calibration_undo for 'vu' refused: nothing to undo: no earlier calibration is stored");
}

#[test]
fn an_undo_for_an_unknown_output_is_refused_by_the_link() {
    let mut link = live_link();
    let actions = link.received_text(20, br#"{"type":"calibration_undo","output":"aux"}"#);
    let (code, reason) = refused(&actions);
    assert_eq!((code, reason.as_str()), (ErrorCode::BadConfig, "calibration_undo: unknown output 'aux'; this device has vu"));
    assert_eq!(link.take_calibration_undo(), None);
    assert_eq!(link.state(), LinkState::Live);
}

#[test]
fn unauthorized_from_the_host_waits_long_without_hammering() {
    let mut link = live_link();
    let actions = link.received_text(1000, br#"{"type":"error","code":"unauthorized","reason":"bad token"}"#);
    assert_eq!(actions, [Action::Disconnect, Action::Forget]);
    assert_eq!(link.state(), LinkState::AuthFailed { until_ms: 301_000 });
    // The socket closing afterwards does not shorten the wait.
    link.connection_lost(1100, 0);
    assert_eq!(link.poll(200_000, 0), []);
    assert_eq!(link.state(), LinkState::AuthFailed { until_ms: 301_000 });
    link.poll(301_000, 0);
    assert_eq!(link.state(), LinkState::Discovering);
}

#[test]
fn a_401_on_upgrade_is_an_auth_failure_too() {
    let mut link = HostLink::new(config(), Vec::new());
    link.found_host();
    link.connected();
    link.upgrade_failed(0, HandshakeError::Status(401), 0);
    assert!(matches!(link.state(), LinkState::AuthFailed { .. }));
}

#[test]
fn reconnect_backoff_grows_to_a_cap_with_jitter() {
    let mut link = HostLink::new(config().with_backoff_ms(500, 8000), Vec::new());
    let mut now = 0;
    let mut delays = Vec::new();
    for attempt in 0..8u32 {
        link.found_host();
        link.connected();
        // Alternate the extremes of the random number to see both ends of the jitter.
        let random = if attempt % 2 == 0 { 0 } else { u32::MAX };
        link.upgrade_failed(now, HandshakeError::Malformed, random);
        let LinkState::Backoff { until_ms } = link.state() else { panic!("{:?}", link.state()) };
        delays.push(until_ms - now);
        now = until_ms;
        link.poll(now, 0);
        assert_eq!(link.state(), LinkState::Discovering);
    }
    let ceilings = [500u64, 1000, 2000, 4000, 8000, 8000, 8000, 8000];
    for (attempt, (delay, ceiling)) in delays.iter().zip(ceilings).enumerate() {
        assert!((ceiling / 2..=ceiling).contains(delay), "delay {delay} for ceiling {ceiling}");
        if attempt % 2 == 0 {
            assert_eq!(*delay, ceiling / 2, "the smallest random number gives the floor of the jitter");
        }
    }
}

#[test]
fn a_live_session_resets_the_backoff() {
    let mut link = live_link();
    link.connection_lost(100, 0);
    assert_eq!(link.state(), LinkState::Backoff { until_ms: 100 + 250 });
}

#[test]
fn idle_live_link_sends_heartbeats_and_drops_a_silent_host() {
    let mut link = live_link();
    assert_eq!(link.poll(5_000, 0), []);
    let beat = link.poll(10_010, 0);
    assert!(matches!(&beat[..], [Action::Send(DeviceMessage::Heartbeat(h))] if h.seq == Some(1)));
    assert_eq!(link.poll(10_020, 0), []);
    link.received_text(20_000, br#"{"type":"heartbeat"}"#);
    assert_eq!(link.poll(49_999, 0).iter().filter(|a| **a == Action::Disconnect).count(), 0);
    let dropped = link.poll(50_000, 0);
    assert_eq!(dropped.first(), Some(&Action::Disconnect));
    assert!(matches!(link.state(), LinkState::Backoff { .. }));
}

#[test]
fn a_silent_host_after_the_hello_times_out() {
    let mut link = HostLink::new(config(), Vec::new());
    link.found_host();
    link.connected();
    link.upgraded(0);
    assert_eq!(link.poll(4_900, 0), []);
    assert_eq!(link.poll(5_000, 0).first(), Some(&Action::Disconnect));
}

fn upgraded_link(bindings: Vec<sysboy_protocol::Binding>) -> HostLink {
    let mut link = HostLink::new(config(), bindings);
    link.found_host();
    link.connected();
    link.upgraded(0);
    link
}

#[test]
fn a_bare_server_streaming_only_the_seed_frame_moves_the_first_output() {
    let mut link = upgraded_link(Vec::new());
    let actions = link.received_text(100, br#"{"type":"vram","value":60.5}"#);
    assert_eq!(actions, [Action::Show { output: "vu".into(), reading: Reading::Value(60.5) }, Action::ReportStatus]);
    assert_eq!(link.state(), LinkState::Live);
    // Frames keep it alive without any welcome; only silence ends it.
    for t in (1_000..60_000).step_by(1_000) {
        assert_eq!(link.received_text(t, br#"{"type":"vram","value":61}"#).len(), 1);
        assert!(!link.poll(t + 10, 0).contains(&Action::Disconnect));
    }
    assert_eq!(link.state(), LinkState::Live);
}

#[test]
fn frames_before_a_welcome_go_to_the_saved_bindings() {
    let saved = alloc::vec![sysboy_protocol::Binding { output: "vu".into(), metric: "cpu".into() }];
    let mut link = upgraded_link(saved);
    // Any metric frame shows a streaming host, bound or not; the unbound one moves nothing.
    assert_eq!(link.received_text(100, br#"{"type":"vram","value":60.5}"#), [Action::ReportStatus]);
    assert_eq!(link.state(), LinkState::Live);
    let actions = link.received_text(200, br#"{"type":"cpu","value":12}"#);
    assert_eq!(actions, [Action::Show { output: "vu".into(), reading: Reading::Value(12.0) }]);
}

#[test]
fn a_welcome_after_frames_still_applies_its_config() {
    let mut link = upgraded_link(Vec::new());
    link.received_text(100, br#"{"type":"vram","value":60.5}"#);
    let actions = link.received_text(200, WELCOME.replace("vram", "cpu").as_bytes());
    assert!(matches!(&actions[..], [Action::Apply(c)] if c.bindings[0].metric == "cpu"));
    assert_eq!(link.received_text(300, br#"{"type":"cpu","value":5}"#).len(), 1);
}

#[test]
fn status_goes_out_after_the_welcome_and_then_every_period() {
    let mut link = HostLink::new(config().with_status_ms(20_000).with_heartbeat_ms(60_000).with_silence_ms(120_000), Vec::new());
    link.found_host();
    link.connected();
    link.upgraded(0);
    let actions = link.received_text(10, WELCOME.as_bytes());
    assert_eq!(actions.last(), Some(&Action::ReportStatus));
    assert_eq!(link.poll(19_000, 0), []);
    assert_eq!(link.poll(20_010, 0), [Action::ReportStatus]);
    assert_eq!(link.poll(20_020, 0), []);
    assert_eq!(link.poll(40_010, 0), [Action::ReportStatus]);
}

#[test]
fn a_zero_status_period_is_refused() {
    assert_eq!(config().with_status_ms(0).checked().unwrap_err(), LinkConfigError::BadTimer("status"));
}

#[test]
fn short_press_becomes_a_button_command_with_a_fresh_id() {
    let mut link = live_link();
    let first = link.gesture(100, "next", Gesture::NextMetric);
    let second = link.gesture(200, "next", Gesture::NextMetric);
    let ids: Vec<(u32, Press)> = [first, second]
        .iter()
        .map(|actions| match &actions[..] {
            [Action::Send(DeviceMessage::Button(event))] => (event.id, event.press),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, [(1, Press::Short), (2, Press::Short)]);
    let ack = link.received_text(300, br#"{"type":"ack","id":2,"ok":true,"metric":"cpu"}"#);
    assert!(matches!(&ack[..], [Action::Acked(a)] if a.id == 2));
}

#[test]
fn presses_while_offline_are_not_queued() {
    let mut link = HostLink::new(config(), Vec::new());
    assert_eq!(link.gesture(0, "next", Gesture::NextMetric), []);
}

#[test]
fn refuses_a_hello_the_host_would_refuse() {
    let outputs = alloc::vec![Output { id: "vu".into(), kind: OutputKind::Pwm, bits: 10, width: None, height: None }];
    assert_eq!(
        LinkConfig::new("bad id with spaces", "0.1.0", Chip::Sim, outputs.clone()),
        Err(LinkConfigError::BadHello("Hello.device"))
    );
    assert_eq!(LinkConfig::new("d", "0.1.0", Chip::Sim, Vec::new()), Err(LinkConfigError::BadHello("Hello.outputs")));
    let short_token = LinkConfig::new("d", "0.1.0", Chip::Sim, outputs).unwrap().with_token(Some("abc".into())).checked();
    assert_eq!(short_token, Err(LinkConfigError::BadHello("Hello.token")));
}

mod properties {
    extern crate std;

    use proptest::prelude::*;
    use sysboy_protocol::{decode_host_message, encode, HostMessage, MetricSample, NamedMetric};

    use super::*;

    /// The number of generated cases for each property; printed so a run shows how much was tried.
    const CASES: u32 = 10_000;

    fn sample(value: Option<f64>, seq: Option<u32>) -> MetricSample {
        MetricSample { value, reason: None, used: None, total: None, raw: None, unit: None, source: None, gpu: None, seq, ts: None }
    }

    /// Host messages the schema allows: metric frames of every built-in type and named ones.
    fn host_message() -> impl Strategy<Value = HostMessage> {
        let value = proptest::option::of(0.0f64..=100.0);
        let seq = proptest::option::of(any::<u32>());
        (0usize..9, value, seq, "[a-z0-9_]{1,32}").prop_map(|(kind, value, seq, name)| match kind {
            0 => HostMessage::Vram(sample(value, seq)),
            1 => HostMessage::GpuUtil(sample(value, seq)),
            2 => HostMessage::GpuTemp(sample(value, seq)),
            3 => HostMessage::Cpu(sample(value, seq)),
            4 => HostMessage::Ram(sample(value, seq)),
            5 => HostMessage::NetRx(sample(value, seq)),
            6 => HostMessage::NetTx(sample(value, seq)),
            7 => HostMessage::Disk(sample(value, seq)),
            _ => HostMessage::Metric(NamedMetric {
                name,
                value,
                reason: None,
                used: None,
                total: None,
                raw: None,
                unit: None,
                source: None,
                gpu: None,
                seq,
                ts: None,
            }),
        })
    }

    fn value_of(message: &HostMessage) -> Option<f64> {
        match message {
            HostMessage::Metric(named) => named.value,
            HostMessage::Vram(s) | HostMessage::GpuUtil(s) | HostMessage::GpuTemp(s) | HostMessage::Cpu(s) | HostMessage::Ram(s)
            | HostMessage::NetRx(s) | HostMessage::NetTx(s) | HostMessage::Disk(s) => s.value,
            _ => None,
        }
    }

    /// The message with its value replaced by whether it had one, for exact comparison of the rest.
    fn without_value(mut message: HostMessage) -> HostMessage {
        match &mut message {
            HostMessage::Metric(named) => named.value = named.value.map(|_| 0.0),
            HostMessage::Vram(s) | HostMessage::GpuUtil(s) | HostMessage::GpuTemp(s) | HostMessage::Cpu(s) | HostMessage::Ram(s)
            | HostMessage::NetRx(s) | HostMessage::NetTx(s) | HostMessage::Disk(s) => s.value = s.value.map(|_| 0.0),
            _ => {}
        }
        message
    }

    /// Text that looks like a host frame often enough to reach deep into the decoder.
    fn frame_like() -> impl Strategy<Value = std::string::String> {
        prop_oneof![
            "\\PC{0,120}",
            r#"\{"type":"(vram|metric|config|welcome|error|ack|heartbeat|hold|release|pair_pending|paired|x)"(,"[a-z_]{1,8}":(null|-?[0-9]{1,20}(\.[0-9]{1,5})?|"[^"]{0,10}"|\[\]|\{\}|true))*\}"#,
        ]
    }

    proptest! {
        #![proptest_config({ std::println!("proptest: {CASES} cases"); ProptestConfig::with_cases(CASES) })]

        #[test]
        fn message_decoder_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode_host_message(&bytes);
        }

        #[test]
        fn live_link_never_panics_and_answers_every_bad_frame(frame in frame_like()) {
            let mut link = live_link();
            let decoded = decode_host_message(frame.as_bytes());
            let actions = link.received_text(20, frame.as_bytes());
            if let Err(error) = decoded {
                let (code, reason) = refused(&actions);
                prop_assert_eq!(code, error.code());
                prop_assert!(!reason.is_empty() && reason.chars().count() <= 200);
            }
            let backing_off = matches!(link.state(), LinkState::Backoff { .. });
            prop_assert!(!backing_off, "a bad frame must not end the session");
        }

        #[test]
        fn host_messages_round_trip_through_encode_and_decode(message in host_message()) {
            let text = encode(&message).unwrap();
            let decoded = decode_host_message(text.as_bytes()).unwrap();
            // serde_json without `float_roundtrip` may read an f64 back one ulp off; the needle works in f32.
            let (sent, got) = (value_of(&message), value_of(&decoded));
            prop_assert!(sent.zip(got).is_none_or(|(a, b)| (a - b).abs() <= 1e-12 * a.abs().max(1.0)), "{:?} != {:?}", sent, got);
            prop_assert_eq!(without_value(decoded), without_value(message));
        }
    }
}

const NONE: [u32; 0] = [];

fn applied(actions: &[Action]) -> Vec<u32> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::Send(DeviceMessage::Applied(applied)) => Some(applied.seq),
            _ => None,
        })
        .collect()
}

fn vram_frame(seq: u32) -> Vec<u8> {
    alloc::format!(r#"{{"type":"vram","value":42,"seq":{seq}}}"#).into_bytes()
}

#[test]
fn the_hello_offers_flow_control() {
    let mut link = HostLink::new(config(), Vec::new());
    link.found_host();
    link.connected();
    let actions = link.upgraded(0);
    let [Action::Send(DeviceMessage::Hello(hello))] = actions.as_slice() else { panic!("{actions:?}") };
    assert_eq!(hello.flow_control, Some(true));
}

#[test]
fn at_ten_hertz_each_applied_frame_is_reported_at_once() {
    let mut link = live_link();
    for (i, t) in (100..3_000).step_by(100).enumerate() {
        let seq = 500 + i as u32;
        let actions = link.received_text(t, &vram_frame(seq));
        assert_eq!(actions[0], Action::Show { output: "vu".into(), reading: Reading::Value(42.0) });
        assert_eq!(applied(&actions), [seq], "frame {seq} at {t} ms");
        assert_eq!(applied(&link.poll(t + 50, 0)), NONE, "nothing left to report");
    }
}

#[test]
fn a_burst_is_reported_every_second_frame_and_the_rest_at_the_next_poll() {
    let mut link = live_link();
    assert_eq!(applied(&link.received_text(1_000, &vram_frame(1))), [1]);
    // Unbound metrics count too: the host's window holds every frame it sent.
    let burst: Vec<Vec<u32>> = (2..=6)
        .map(|seq| {
            let frame = alloc::format!(r#"{{"type":"cpu","value":1,"seq":{seq}}}"#);
            applied(&link.received_text(1_001, frame.as_bytes()))
        })
        .collect();
    assert_eq!(burst, [alloc::vec![], alloc::vec![3], Vec::new(), alloc::vec![5], Vec::new()]);
    assert_eq!(applied(&link.poll(1_051, 0)), [6]);
    assert_eq!(applied(&link.poll(1_101, 0)), NONE);
}

#[test]
fn a_report_stands_in_for_the_heartbeat() {
    let mut link = live_link();
    assert_eq!(applied(&link.received_text(4_000, &vram_frame(7))), [7]);
    assert_eq!(link.poll(13_000, 0), []);
    assert!(matches!(&link.poll(14_000, 0)[..], [Action::Send(DeviceMessage::Heartbeat(_))]));
}

#[test]
fn a_bare_server_and_frames_without_seq_are_never_told_what_was_applied() {
    let mut bare = upgraded_link(Vec::new());
    assert_eq!(applied(&bare.received_text(100, &vram_frame(1))), NONE);
    assert_eq!(applied(&bare.received_text(300, &vram_frame(2))), NONE);
    assert_eq!(applied(&bare.poll(400, 0)), NONE);
    let mut link = live_link();
    assert_eq!(applied(&link.received_text(100, br#"{"type":"vram","value":1}"#)), NONE);
    assert_eq!(applied(&link.poll(400, 0)), NONE);
}

#[test]
fn a_new_session_reports_only_its_own_frames() {
    let mut link = live_link();
    link.received_text(100, &vram_frame(1));
    link.received_text(120, &vram_frame(2));
    let _ = link.connection_lost(130, 0);
    assert_eq!(link.poll(100_000, 0), []);
    link.found_host();
    link.connected();
    link.upgraded(100_001);
    assert_eq!(applied(&link.poll(100_050, 0)), NONE);
    link.received_text(100_060, WELCOME.as_bytes());
    assert_eq!(applied(&link.received_text(100_070, &vram_frame(9))), [9]);
}

/// A device with a meter and a 128x64 OLED, live after a welcome whose config carries `screens` (JSON, or none).
fn live_screen_link(screens: Option<&str>) -> (HostLink, Vec<Action>) {
    let config = config().with_screens(&[crate::screen::ScreenSpec::oled("oled", 128, 64)]).checked().unwrap();
    let mut link = HostLink::new(config, Vec::new());
    link.found_host();
    link.connected();
    link.upgraded(0);
    let screens = screens.map(|screens| alloc::format!(r#","screens":{screens}"#)).unwrap_or_default();
    let welcome = alloc::format!(
        r#"{{"type":"welcome","protocol":1,"host":"pc","version":"0.1.0","time":1700000000000,"utc_offset_min":60,
        "config":{{"bindings":[{{"output":"vu","metric":"vram"}}],"interval_ms":500,"stale_after_ms":5000{screens}}}}}"#
    );
    let actions = link.received_text(10, welcome.as_bytes());
    assert_eq!(link.state(), LinkState::Live);
    (link, actions)
}

#[test]
fn a_device_with_a_screen_announces_it_in_the_hello() {
    let config = config().with_screens(&[crate::screen::ScreenSpec::oled("oled", 128, 64)]).checked().unwrap();
    let outputs = &config.hello().outputs;
    assert_eq!(outputs[1], Output { id: "oled".into(), kind: OutputKind::Oled, bits: 1, width: Some(128), height: Some(64) });
    let encoded = sysboy_protocol::encode(&DeviceMessage::Hello(config.hello().clone())).unwrap();
    assert!(sysboy_protocol::decode_device_message(encoded.as_bytes()).is_ok());
}

#[test]
fn a_welcome_s_screens_are_checked_and_handed_on_apart_from_the_rest_of_the_config() {
    let (_, actions) = live_screen_link(Some(r#"[{"output":"oled","scenes":[{"scene":"hub","metrics":["cpu","ram"]}],"carousel_ms":5000}]"#));
    let [Action::Apply(config), Action::ConfigureScreens(screens), Action::ReportStatus] = actions.as_slice() else { panic!("{actions:?}") };
    assert_eq!(config.screens, None, "the meters are not handed the screens");
    assert_eq!((screens.len(), screens[0].carousel_ms), (1, Some(5000)));
}

#[test]
fn a_config_without_screens_puts_each_screen_back_to_its_default() {
    let (mut link, actions) = live_screen_link(None);
    assert!(actions.contains(&Action::ConfigureScreens(Vec::new())), "{actions:?}");
    let actions = link.received_text(20, br#"{"type":"config","bindings":[{"output":"vu","metric":"cpu"}],"interval_ms":1000,"stale_after_ms":3000}"#);
    assert!(matches!(&actions[..], [Action::Apply(_), Action::ConfigureScreens(screens)] if screens.is_empty()), "{actions:?}");
}

#[test]
fn a_screens_config_the_device_cannot_show_is_answered_bad_config_naming_the_field_and_not_handed_on() {
    let cases = [
        (r#"[{"output":"oled","scenes":[{"scene":"hub","metrics":["cpu"]},{"scene":"clock","metrics":["cpu"]}]}]"#, r#"screens[0].scenes[1].scene: unknown scene "clock""#),
        (r#"[{"output":"oled","scenes":[{"scene":"hub","metrics":["a","b","c","d","e"]}]}]"#, "screens[0].scenes[0].metrics: the hub holds 1 to 4 figures, got 5"),
        (r#"[{"output":"oled","scenes":[{"scene":"hub","metrics":["cpu"]}],"width":320,"height":240}]"#, "screens[0].width: this screen is 128x64, not 320x240"),
        (r#"[{"output":"oled","scenes":[{"scene":"hub","metrics":["cpu"]}]},{"output":"tft","scenes":[{"scene":"hub","metrics":["cpu"]}]}]"#, r#"screens[1].output: no screen "tft"; this device has oled"#),
    ];
    for (screens, reason) in cases {
        let (mut link, _) = live_screen_link(None);
        let config = alloc::format!(r#"{{"type":"config","bindings":[{{"output":"vu","metric":"cpu"}}],"interval_ms":1000,"stale_after_ms":3000,"screens":{screens}}}"#);
        let actions = link.received_text(20, config.as_bytes());
        let [Action::Send(DeviceMessage::Error(report)), Action::Apply(applied)] = actions.as_slice() else { panic!("{reason}: {actions:?}") };
        assert_eq!(report.code, ErrorCode::BadConfig);
        assert!(report.reason.starts_with(reason), "{}", report.reason);
        assert_eq!(applied.bindings[0].metric, "cpu", "the meter's part still applies");
        assert_eq!(link.state(), LinkState::Live);
    }
}

#[test]
fn every_metric_frame_reaches_the_screens_with_its_amount_beside_the_bound_meter() {
    let (mut link, _) = live_screen_link(None);
    let actions = link.received_text(20, br#"{"type":"net_rx","value":12.5,"raw":1250000,"unit":"B/s"}"#);
    let [Action::Figure(frame)] = actions.as_slice() else { panic!("{actions:?}") };
    assert_eq!((frame.name.as_str(), frame.value, frame.raw, frame.unit.as_deref()), ("net_rx", Some(12.5), Some(1_250_000.0), Some("B/s")));
    let actions = link.received_text(30, br#"{"type":"vram","value":60.5,"used":8,"total":16}"#);
    let [Action::Show { output, .. }, Action::Figure(frame)] = actions.as_slice() else { panic!("{actions:?}") };
    assert_eq!((output.as_str(), frame.used, frame.total), ("vu", Some(8), Some(16)));
    let actions = link.received_text(40, br#"{"type":"metric","name":"queue_depth","value":null,"reason":"unreachable"}"#);
    assert!(matches!(&actions[..], [Action::Figure(frame)] if frame.name == "queue_depth" && frame.reason.as_deref() == Some("unreachable")));
}

#[test]
fn history_bursts_reach_the_screens() {
    let (mut link, _) = live_screen_link(None);
    let actions = link.received_text(20, br#"{"type":"history","name":"cpu","interval_ms":500,"values":[1,null,3]}"#);
    assert!(matches!(&actions[..], [Action::History(burst)] if burst.name == "cpu" && burst.values == [Some(1.0), None, Some(3.0)]), "{actions:?}");
}

#[test]
fn a_device_without_screens_keeps_its_meter_path() {
    let mut link = live_link();
    assert_eq!(link.received_text(20, br#"{"type":"history","name":"vram","interval_ms":500,"values":[1]}"#), []);
    assert_eq!(link.received_text(30, br#"{"type":"cpu","value":10}"#), []);
    assert_eq!(link.received_text(40, br#"{"type":"vram","value":10}"#), [Action::Show { output: "vu".into(), reading: Reading::Value(10.0) }]);
    let actions = link.received_text(50, br#"{"type":"config","bindings":[{"output":"vu","metric":"vram"}],"interval_ms":1000,"stale_after_ms":3000}"#);
    assert!(matches!(&actions[..], [Action::Apply(_)]), "{actions:?}");
    let screens = br#"{"type":"config","bindings":[{"output":"vu","metric":"vram"}],"interval_ms":1000,"stale_after_ms":3000,
        "screens":[{"output":"oled","scenes":[{"scene":"hub","metrics":["cpu"]}]}]}"#;
    let actions = link.received_text(60, screens);
    let [Action::Send(DeviceMessage::Error(report)), Action::Apply(_)] = actions.as_slice() else { panic!("{actions:?}") };
    assert_eq!(report.reason, r#"screens[0].output: no screen "oled"; this device has none"#);
    assert!(matches!(&link.gesture(70, "select", Gesture::NextMetric)[..], [Action::Send(DeviceMessage::Button(_))]));
}

#[test]
fn with_a_screen_a_short_press_steps_the_scenes_and_asks_the_host_nothing() {
    let (mut link, _) = live_screen_link(None);
    assert_eq!(link.gesture(100, "select", Gesture::NextMetric), [Action::NextScene]);
    let long = link.gesture(200, "select", Gesture::ResetSettings);
    assert!(matches!(&long[..], [Action::Send(DeviceMessage::Button(event))] if event.press == Press::Long), "the long press still goes to the host");
    let mut offline = HostLink::new(config().with_screens(&[crate::screen::ScreenSpec::oled("oled", 128, 64)]), Vec::new());
    assert_eq!(offline.gesture(0, "select", Gesture::NextMetric), []);
}

#[test]
fn a_change_of_what_a_screen_shows_sends_a_status_at_once_and_restarts_the_period() {
    let (mut link, _) = live_screen_link(None);
    assert_eq!(link.shown_changed(4_000), [Action::ReportStatus]);
    assert!(!link.poll(15_000, 0).contains(&Action::ReportStatus), "the period counts from the last status");
    assert!(link.poll(19_000, 0).contains(&Action::ReportStatus));
    let mut offline = HostLink::new(config(), Vec::new());
    assert_eq!(offline.shown_changed(0), []);
}
