//! Pairing by approval: a hello without a token, the host's `pair_pending`, the wait, and `paired`.

use alloc::string::String;
use alloc::vec::Vec;

use sysboy_protocol::{Chip, DeviceMessage, Hello, Output, OutputKind};

use super::fixtures::{refused, WELCOME};
use super::*;

const PENDING: &str = r#"{"type":"pair_pending","reason":"approve this board in the sysboy dashboard or with `sysboy pair aabbcc`"}"#;
const PAIRED: &str = r#"{"type":"paired","token":"Zm9vYmFyLWJvYXJkLWNyZWRlbnRpYWwtMDE"}"#;

/// A board set up without a token, its link timers at their defaults (heartbeat 10 s, welcome 5 s, silence 30 s).
fn tokenless() -> HostLink {
    let outputs = alloc::vec![Output { id: "vu".into(), kind: OutputKind::Pwm, bits: 10, width: None, height: None }];
    HostLink::new(LinkConfig::new("aabbcc", "0.1.0", Chip::Esp32c3, outputs).unwrap(), Vec::new())
}

/// Connects and upgrades at `now_ms`; gives back the hello sent.
fn hello(link: &mut HostLink, now_ms: u64) -> Hello {
    link.found_host();
    link.connected();
    let actions = link.upgraded(now_ms);
    let [Action::Send(DeviceMessage::Hello(hello))] = actions.as_slice() else { panic!("{actions:?}") };
    hello.clone()
}

/// A board whose hello asked to pair and that the host holds for approval.
fn pending() -> HostLink {
    let mut link = tokenless();
    assert_eq!(hello(&mut link, 0).token, None, "the hello asks to pair");
    let actions = link.received_text(100, PENDING.as_bytes());
    let [Action::PairPending(pending)] = actions.as_slice() else { panic!("{actions:?}") };
    assert!(pending.reason.contains("sysboy pair"));
    assert_eq!(link.state(), LinkState::AwaitingApproval);
    link
}

#[test]
fn a_board_held_for_approval_neither_times_out_nor_reconnects() {
    let mut link = pending();
    let mut beats = 0;
    // Ten minutes of an approval that has not come, the host silent throughout.
    for now in (200..600_000).step_by(50) {
        for action in link.poll(now, 7) {
            match action {
                Action::Send(DeviceMessage::Heartbeat(_)) => beats += 1,
                other => panic!("at {now} ms: {other:?}"),
            }
        }
        assert_eq!(link.state(), LinkState::AwaitingApproval, "at {now} ms");
    }
    assert!((59..=60).contains(&beats), "a heartbeat every 10 s, as on a live link: {beats}");
    assert!(link.gesture(600_000, "select", crate::button::Gesture::NextMetric).is_empty(), "no commands before the welcome");
}

#[test]
fn paired_stores_the_credential_and_the_welcome_follows_on_the_same_socket() {
    let mut link = pending();
    let actions = link.received_text(60_000, PAIRED.as_bytes());
    assert_eq!(actions, [Action::StoreToken(String::from("Zm9vYmFyLWJvYXJkLWNyZWRlbnRpYWwtMDE"))]);
    assert_eq!(link.token(), Some("Zm9vYmFyLWJvYXJkLWNyZWRlbnRpYWwtMDE"));
    assert_eq!(link.state(), LinkState::AwaitingWelcome, "the welcome's timeout runs again");
    let actions = link.received_text(60_050, WELCOME.as_bytes());
    assert!(matches!(actions.as_slice(), [Action::Apply(_), Action::ReportStatus]), "{actions:?}");
    assert_eq!(link.state(), LinkState::Live);
}

#[test]
fn the_paired_token_is_presented_in_the_next_hello() {
    let mut link = pending();
    link.received_text(60_000, PAIRED.as_bytes());
    link.received_text(60_050, WELCOME.as_bytes());
    link.connection_lost(90_000, 0);
    link.poll(200_000, 0);
    assert_eq!(link.state(), LinkState::Discovering);
    let again = hello(&mut link, 200_010);
    assert_eq!(again.token.as_deref(), Some("Zm9vYmFyLWJvYXJkLWNyZWRlbnRpYWwtMDE"));
}

#[test]
fn a_welcome_that_is_late_after_paired_ends_the_wait_as_before() {
    let mut link = pending();
    link.received_text(60_000, PAIRED.as_bytes());
    let actions = link.poll(65_000, 0);
    assert!(actions.contains(&Action::Disconnect) && actions.contains(&Action::Forget), "{actions:?}");
    assert!(matches!(link.state(), LinkState::Backoff { .. }));
}

#[test]
fn a_socket_the_host_closes_while_pending_backs_off_and_asks_again() {
    let mut link = pending();
    assert_eq!(link.connection_lost(120_000, 0), [Action::Forget]);
    assert!(matches!(link.state(), LinkState::Backoff { .. }));
    link.poll(200_000, 0);
    assert_eq!(hello(&mut link, 200_010).token, None, "still no token: it asks again");
}

#[test]
fn a_denied_request_is_a_refused_token() {
    let mut link = pending();
    let actions = link.received_text(30_000, br#"{"type":"error","code":"unauthorized","reason":"the user denied this board"}"#);
    assert_eq!(actions, [Action::Disconnect, Action::Forget]);
    assert!(matches!(link.state(), LinkState::AuthFailed { .. }));
}

#[test]
fn pair_pending_outside_the_welcome_wait_changes_nothing() {
    let mut link = tokenless();
    hello(&mut link, 0);
    link.received_text(10, WELCOME.as_bytes());
    assert_eq!(link.received_text(20, PENDING.as_bytes()), []);
    assert_eq!(link.state(), LinkState::Live);
}

#[test]
fn metric_frames_do_not_make_a_pending_board_live() {
    let mut link = pending();
    link.received_text(200, br#"{"type":"vram","value":50}"#);
    assert_eq!(link.state(), LinkState::AwaitingApproval);
}

/// A board set up with a token: its hello does not ask to pair.
fn tokened() -> HostLink {
    let outputs = alloc::vec![Output { id: "vu".into(), kind: OutputKind::Pwm, bits: 10, width: None, height: None }];
    let config = LinkConfig::new("aabbcc", "0.1.0", Chip::Esp32c3, outputs).unwrap();
    HostLink::new(config.with_token(Some(String::from("c2V0LXVwLXdpdGgtdGhpcy1pbnN0YWxsLXRva2Vu"))), Vec::new())
}

/// The `bad_frame` refusal `actions` should be, and nothing else.
fn assert_refused_paired(actions: &[Action]) {
    let (code, reason) = refused(actions);
    assert_eq!(code, sysboy_protocol::ErrorCode::BadFrame);
    assert!(reason.contains("not waiting for approval"), "{reason}");
}

#[test]
fn paired_while_live_is_refused_and_changes_nothing() {
    let mut link = tokenless();
    hello(&mut link, 0);
    link.received_text(10, WELCOME.as_bytes());
    assert_refused_paired(&link.received_text(20, PAIRED.as_bytes()));
    assert_eq!(link.token(), None, "no credential taken");
    assert_eq!(link.state(), LinkState::Live);
}

#[test]
fn paired_after_a_hello_with_a_token_is_refused_and_keeps_the_token() {
    let mut link = tokened();
    assert!(hello(&mut link, 0).token.is_some());
    assert_refused_paired(&link.received_text(20, PAIRED.as_bytes()));
    assert_eq!(link.token(), Some("c2V0LXVwLXdpdGgtdGhpcy1pbnN0YWxsLXRva2Vu"));
    assert_eq!(link.state(), LinkState::AwaitingWelcome);
    link.received_text(30, WELCOME.as_bytes());
    assert_refused_paired(&link.received_text(40, PAIRED.as_bytes()));
    assert_eq!(link.token(), Some("c2V0LXVwLXdpdGgtdGhpcy1pbnN0YWxsLXRva2Vu"));
    assert_eq!(link.state(), LinkState::Live);
}
