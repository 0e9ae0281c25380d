//! The host link: the session state machine between the device and the `sysboy` host, sans-IO.
//!
//! # Overview
//! [`HostLink`] goes Discovering → Connecting → Handshaking → AwaitingWelcome → Live, and to Backoff (capped
//! exponential, with jitter) when anything fails, or to AuthFailed (a long wait) when the host refuses the token.
//! A hello without a token asks to pair: the host answers `pair_pending` and the link waits in AwaitingApproval
//! (no timeout, heartbeats going out) until `paired` hands it the board's own credential
//! ([`Action::StoreToken`]; every later hello presents it) and the welcome follows. The calibration wizard's
//! `hold` drives an output at a raw code ([`Action::Hold`]) under a lease the link keeps on the caller's clock:
//! `release`, the lease running out ([`HostLink::poll`]) or the end of the session ([`Action::Forget`]) ends it,
//! and the status the host is sent whenever a hold starts or ends names the held outputs ([`HostLink::held`]).
//! A `config` with an `id` is answered with `configured` once applied.
//! The caller reports what the sockets did (`found_host`, `connected`, `upgraded`, `received_text`,
//! `connection_lost`), calls [`HostLink::poll`] for the timers, and carries out the returned [`Action`]s.
//! Time and randomness come in as arguments; the link never reads a clock. Metric frames count from the upgrade
//! on, welcome or not, so a bare server that only streams `{"type":"vram","value":60.5}` moves the needle; until a
//! config arrives they go to the saved bindings, or the first output shows [`DEFAULT_METRIC`]. On a device whose
//! hello announces screens ([`LinkConfig::with_screens`]), the link also checks the host's screens config (a
//! refusal is a `bad_config` error naming the field) and hands the [`screen`](crate::screen) state its layout,
//! the history bursts, every metric frame and the short press; [`HostLink::shown_changed`] sends a status as
//! soon as what a screen shows changes. On a device whose hello announces stream encodings
//! ([`LinkConfig::with_stream_buffer`]) the link takes a TFT's stream (see [`crate::stream`]): each `stream` header,
//! then the next binary frame as its payload, which the board draws ([`HostLink::received_binary`]); the last
//! rectangle of a frame is answered with `applied` at once, and every bad rectangle with a `bad_frame` error.
//!
//! # Configuration
//! [`LinkConfig::new`] takes what the hello announces; `with_*` setters change the token, buttons, heartbeat,
//! status period, timeouts and backoff.
//!
//! # Example
//! ```
//! use sysboy_device::link::{Action, HostLink, LinkConfig, LinkState};
//! use sysboy_protocol::{Chip, Output, OutputKind};
//! let outputs = vec![Output { id: "vu".into(), kind: OutputKind::Pwm, bits: 10, width: None, height: None }];
//! let mut link = HostLink::new(LinkConfig::new("sim-1", "0.1.0", Chip::Sim, outputs).unwrap(), vec![]);
//! link.found_host();
//! link.connected();
//! let actions = link.upgraded(0);
//! assert!(matches!(actions[0], Action::Send(_)));
//! assert_eq!(link.state(), LinkState::AwaitingWelcome);
//! ```

mod config;
#[cfg(test)]
mod fixtures;
mod session;
#[cfg(test)]
mod stream_tests;
#[cfg(test)]
mod pairing_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod wizard_tests;

pub use config::{LinkConfig, LinkConfigError};
pub use session::{Action, HostLink, LinkState, DEFAULT_METRIC};
