//! What the link's tests share: the host's welcome, a link it brought live, and the error frame a refusal sends.

use alloc::string::String;
use alloc::vec::Vec;

use sysboy_protocol::{DeviceMessage, ErrorCode};

use super::{Action, HostLink, LinkConfig, LinkState};

/// A welcome binding `vu` to `vram`.
pub(super) const WELCOME: &str = r#"{"type":"welcome","protocol":1,"host":"desk-pc","version":"0.1.0",
    "config":{"bindings":[{"output":"vu","metric":"vram"}],"interval_ms":500,"stale_after_ms":5000}}"#;

/// A link on `config`, upgraded at 0 ms and made live by [`WELCOME`] at 10 ms.
pub(super) fn live(config: LinkConfig) -> HostLink {
    let mut link = HostLink::new(config, Vec::new());
    link.found_host();
    link.connected();
    link.upgraded(0);
    link.received_text(10, WELCOME.as_bytes());
    assert_eq!(link.state(), LinkState::Live);
    link
}

/// The code and reason of the one error frame `actions` should be.
pub(super) fn refused(actions: &[Action]) -> (ErrorCode, String) {
    match actions {
        [Action::Send(DeviceMessage::Error(report))] => (report.code, report.reason.clone()),
        other => panic!("expected one error frame, got {other:?}"),
    }
}
