//! The calibration wizard's holds (with their leases on the link's clock) and configs the host wants confirmed.

use alloc::string::String;
use alloc::vec::Vec;

use sysboy_protocol::{Chip, Configured, DeviceMessage, ErrorCode, HeldOutput, Output, OutputKind};

use super::fixtures::refused;
use super::*;

/// A 10-bit meter `vu` and a 12-bit `dac`, with an OLED beside them.
fn live_link() -> HostLink {
    let outputs = alloc::vec![
        Output { id: "vu".into(), kind: OutputKind::Pwm, bits: 10, width: None, height: None },
        Output { id: "dac".into(), kind: OutputKind::I2cDac, bits: 12, width: None, height: None },
    ];
    let config = LinkConfig::new("aa:bb:cc:dd:ee:ff", "0.1.0", Chip::Esp32c3, outputs)
        .unwrap()
        .with_token(Some("tok_0123456789".into()))
        .with_screens(&[crate::board::oled()]);
    fixtures::live(config)
}

fn hold(output: &str, code: i64, for_ms: u32) -> String {
    alloc::format!(r#"{{"type":"hold","output":"{output}","code":{code},"for_ms":{for_ms}}}"#)
}

fn release(output: &str) -> String {
    alloc::format!(r#"{{"type":"release","output":"{output}"}}"#)
}

fn held(pairs: &[(&str, u16)]) -> Vec<HeldOutput> {
    pairs.iter().map(|&(output, code)| HeldOutput { output: output.into(), code }).collect()
}

#[test]
fn a_hold_drives_the_raw_code_and_the_host_hears_it_in_a_status() {
    let mut link = live_link();
    let actions = link.received_text(1_000, hold("vu", 512, 5_000).as_bytes());
    assert_eq!(actions, [Action::Hold { output: "vu".into(), code: 512 }, Action::ReportStatus]);
    assert_eq!(link.held(), held(&[("vu", 512)]));
    let actions = link.received_text(1_100, hold("dac", 4_095, 5_000).as_bytes());
    assert_eq!(actions, [Action::Hold { output: "dac".into(), code: 4_095 }, Action::ReportStatus], "a 12-bit output's largest code");
    assert_eq!(link.held(), held(&[("vu", 512), ("dac", 4_095)]));
}

#[test]
fn a_hold_of_an_output_the_device_lacks_is_refused_and_changes_nothing() {
    let mut link = live_link();
    link.received_text(1_000, hold("vu", 100, 5_000).as_bytes());
    let actions = link.received_text(1_100, hold("needle", 100, 5_000).as_bytes());
    let (code, reason) = refused(&actions);
    assert_eq!(code, ErrorCode::UnknownOutput);
    assert!(reason.contains("'needle'") && reason.contains("vu"), "{reason}");
    let (code, reason) = refused(&link.received_text(1_200, hold("oled", 1, 5_000).as_bytes()));
    assert_eq!(code, ErrorCode::UnknownOutput, "a screen is not an analog output: {reason}");
    assert_eq!(link.held(), held(&[("vu", 100)]));
    assert_eq!(link.state(), LinkState::Live);
}

#[test]
fn a_hold_past_the_outputs_largest_code_is_refused_and_changes_nothing() {
    let mut link = live_link();
    link.received_text(1_000, hold("vu", 100, 5_000).as_bytes());
    let (code, reason) = refused(&link.received_text(1_100, hold("vu", 1_024, 5_000).as_bytes()));
    assert_eq!(code, ErrorCode::BadConfig);
    assert!(reason.contains("1024") && reason.contains("1023"), "{reason}");
    assert_eq!(link.held(), held(&[("vu", 100)]), "the earlier hold stands, code and lease");
    assert_eq!(link.poll(5_999, 0), [], "its lease was not renewed by the refused hold");
    assert_eq!(link.poll(6_000, 0), [Action::Release { output: "vu".into() }, Action::ReportStatus]);
}

#[test]
fn a_lease_runs_out_on_the_links_clock_and_the_output_goes_back_to_live() {
    let mut link = live_link();
    link.received_text(1_000, hold("vu", 300, 2_000).as_bytes());
    assert!(link.poll(2_999, 0).iter().all(|action| !matches!(action, Action::Release { .. })));
    assert_eq!(link.held(), held(&[("vu", 300)]));
    assert_eq!(link.poll(3_000, 0), [Action::Release { output: "vu".into() }, Action::ReportStatus]);
    assert!(link.held().is_empty());
    assert_eq!(link.state(), LinkState::Live);
    assert!(link.poll(3_100, 0).iter().all(|action| !matches!(action, Action::Release { .. })), "released once");
}

#[test]
fn a_renewed_lease_does_not_run_out_and_an_unchanged_code_needs_no_status() {
    let mut link = live_link();
    link.received_text(1_000, hold("vu", 300, 2_000).as_bytes());
    let renewed = link.received_text(2_500, hold("vu", 300, 2_000).as_bytes());
    assert_eq!(renewed, [Action::Hold { output: "vu".into(), code: 300 }], "the same code: no status");
    assert_eq!(link.poll(3_000, 0), [], "the first lease's end passes");
    assert_eq!(link.held(), held(&[("vu", 300)]));
    let moved = link.received_text(4_000, hold("vu", 310, 2_000).as_bytes());
    assert_eq!(moved, [Action::Hold { output: "vu".into(), code: 310 }, Action::ReportStatus], "a new code is news");
    assert_eq!(link.poll(5_999, 0), []);
    assert_eq!(link.poll(6_000, 0), [Action::Release { output: "vu".into() }, Action::ReportStatus]);
}

#[test]
fn a_release_ends_the_hold_and_a_release_of_an_output_not_held_does_nothing() {
    let mut link = live_link();
    link.received_text(1_000, hold("vu", 300, 5_000).as_bytes());
    assert_eq!(link.received_text(1_100, release("dac").as_bytes()), []);
    assert_eq!(link.received_text(1_200, release("vu").as_bytes()), [Action::Release { output: "vu".into() }, Action::ReportStatus]);
    assert!(link.held().is_empty());
    assert_eq!(link.received_text(1_300, release("vu").as_bytes()), []);
    assert_eq!(link.poll(6_000, 0), [], "no lease left to run out");
}

#[test]
fn the_end_of_the_session_releases_every_hold() {
    let mut link = live_link();
    link.received_text(1_000, hold("vu", 300, 5_000).as_bytes());
    link.received_text(1_000, hold("dac", 3_000, 5_000).as_bytes());
    assert_eq!(link.connection_lost(1_500, 0), [Action::Forget], "the board's meters release on Forget");
    assert!(link.held().is_empty());
    assert!(link.poll(7_000, 0).iter().all(|action| !matches!(action, Action::Release { .. })), "no stale release later");

    let mut refused = live_link();
    refused.received_text(1_000, hold("vu", 300, 5_000).as_bytes());
    refused.received_text(1_100, br#"{"type":"error","code":"unauthorized","reason":"revoked"}"#);
    assert!(refused.held().is_empty(), "a refused token ends the session and its holds");
}

/// A config binding `vu` to `cpu`, with `id` when there is one, and `calibration` (the field with its leading comma,
/// or nothing) after the rest.
fn config_frame(id: Option<u32>, calibration: &str) -> String {
    let id = id.map(|id| alloc::format!(r#""id":{id},"#)).unwrap_or_default();
    alloc::format!(
        r#"{{"type":"config",{id}"bindings":[{{"output":"vu","metric":"cpu"}}],"interval_ms":500,"stale_after_ms":5000{calibration}}}"#
    )
}

#[test]
fn a_config_with_an_id_is_confirmed_after_it_is_applied() {
    let mut link = live_link();
    let actions = link.received_text(1_000, config_frame(Some(7), "").as_bytes());
    // Applied first (the screens laid out too), then confirmed.
    let [Action::Apply(config), Action::ConfigureScreens(_), Action::Send(DeviceMessage::Configured(configured))] = actions.as_slice() else {
        panic!("{actions:?}")
    };
    assert_eq!(config.id, Some(7));
    assert_eq!(configured, &Configured { id: 7, ok: true });
    assert_eq!(link.bindings()[0].metric, "cpu");
}

#[test]
fn a_config_partly_refused_sends_errors_with_its_id_then_configured_not_ok() {
    let mut link = live_link();
    let curves = r#","calibration":[{"output":"vu","points":[{"percent":0,"code":0},{"percent":100,"code":2000}]},
        {"output":"dac","points":[{"percent":0,"code":5},{"percent":100,"code":4000}]}]"#;
    let actions = link.received_text(1_000, config_frame(Some(7), curves).as_bytes());
    let [Action::Send(DeviceMessage::Error(error)), Action::Apply(config), Action::ConfigureScreens(_), Action::Send(DeviceMessage::Configured(configured)), Action::ReportStatus] =
        actions.as_slice()
    else {
        panic!("{actions:?}")
    };
    assert_eq!((error.code, error.id), (ErrorCode::BadConfig, Some(7)));
    assert!(error.reason.contains("'vu'"), "{}", error.reason);
    assert_eq!(config.calibration.as_ref().map(|curves| curves[0].output.as_str()), Some("dac"), "the good curve is applied");
    assert_eq!(configured, &Configured { id: 7, ok: false });
}

#[test]
fn a_config_without_an_id_is_not_confirmed_and_its_errors_name_no_id() {
    let mut link = live_link();
    let curves = r#","calibration":[{"output":"nope","points":[{"percent":0,"code":0},{"percent":100,"code":2}]}]"#;
    let actions = link.received_text(1_000, config_frame(None, curves).as_bytes());
    let [Action::Send(DeviceMessage::Error(error)), Action::Apply(_), Action::ConfigureScreens(_)] = actions.as_slice() else { panic!("{actions:?}") };
    assert_eq!(error.id, None);
    assert!(!actions.iter().any(|action| matches!(action, Action::Send(DeviceMessage::Configured(_)))));
}

#[test]
fn a_new_curve_from_the_host_is_reported_in_a_status_at_once() {
    let mut link = live_link();
    let curves = r#","calibration":[{"output":"vu","points":[{"percent":0,"code":0},{"percent":100,"code":900}]}]"#;
    let actions = link.received_text(1_000, config_frame(None, curves).as_bytes());
    assert!(matches!(actions.as_slice(), [Action::Apply(_), Action::ConfigureScreens(_), Action::ReportStatus]), "{actions:?}");
    let plain = link.received_text(1_100, config_frame(None, "").as_bytes());
    assert!(matches!(plain.as_slice(), [Action::Apply(_), Action::ConfigureScreens(_)]), "no curve, no status: {plain:?}");
}

mod properties {
    extern crate std;

    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Whatever holds, releases and polls come in, an output is held exactly while its newest accepted lease
        /// runs, and every hold and release the board is told of matches that.
        #[test]
        fn a_hold_lasts_exactly_its_newest_lease(steps in proptest::collection::vec((0u8..3, 0u64..3_000, 0u16..1_100, 500u32..4_000), 1..40)) {
            let mut link = live_link();
            let mut now = 10u64;
            // What the board's meter would be doing, from the actions alone.
            let mut board: Option<u16> = None;
            let mut lease: Option<(u16, u64)> = None;
            for (kind, wait, code, for_ms) in steps {
                now += wait;
                let actions = match kind {
                    0 => link.received_text(now, hold("vu", i64::from(code), for_ms).as_bytes()),
                    1 => link.received_text(now, release("vu").as_bytes()),
                    _ => link.poll(now, 0),
                };
                match kind {
                    0 if code <= 1023 => lease = Some((code, now + u64::from(for_ms))),
                    0 => {}
                    1 => lease = None,
                    // Only a poll looks at the clock.
                    _ => lease = lease.filter(|&(_, until)| until > now),
                }
                // A long quiet spell drops the session, and its holds with it.
                if actions.contains(&Action::Forget) {
                    lease = None;
                }
                for action in &actions {
                    match action {
                        Action::Hold { code, .. } => board = Some(*code),
                        Action::Release { .. } | Action::Forget => board = None,
                        _ => {}
                    }
                }
                let expected = lease.map(|(code, _)| code);
                prop_assert_eq!(board, expected);
                prop_assert_eq!(link.held().first().map(|held| held.code), expected);
            }
        }
    }
}
