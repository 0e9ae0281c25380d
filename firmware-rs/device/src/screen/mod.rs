//! Screens: everything a board's OLED (or TFT) shows, sans-IO, and the OLED's page framebuffer.
//!
//! # Overview
//! [`Screens`] owns what the screens show: each screen's layout (its scenes in order, carousel, alert limits,
//! brightness, rotation), each shown metric's last reading and history, the link's state and what each screen
//! shows now. The caller passes the clock in (`now_ms`) and hands it what happens:
//! - the link's [`Action`](crate::link::Action)s through [`Screens::act`] (a screens config, history bursts, metric
//!   frames, a short press, the link going down);
//! - the board's state as the status light derives it through [`Screens::board_state`], and the portal's and the
//!   join's names through [`Screens::portal_named`] and [`Screens::joining_named`] (with the `embassy-net` feature,
//!   `Screens::hear_provisioning` takes them from the provisioning driver's events), and the board's own id through
//!   [`Screens::device_named`];
//! - [`Screens::tick`] from the display loop, which ages the readings, steps carousels, judges the alerts and says
//!   which screens to draw again; [`Screens::draw`] draws one with `sysboy-scenes` on any `DrawTarget`.
//!
//! What a screen shows, most urgent first: off a live session, the state scene with the board's state (portal
//! open, joining, no host, token refused, or awaiting approval with the board's id for `sysboy pair`); on one with no fresh figure at all, the state scene's "no data";
//! while an alert is on (its figure above `above`, until it falls below `clear_below`), the alert scene; else
//! the configured scene at its index. A figure without a frame for the session's `stale_after_ms` is "no data",
//! never its last value, as the meter parks its needle. [`Screens::shown`] says what each shows for the status,
//! and [`Screens::take_shown_changed`] lets the session send that status as soon as it changes.
//!
//! A TFT that takes streams ([`ScreenSpec::stream`]) may also show the `stream` scene: the host's pixels, drawn
//! through [`Screens::show_stream`] while the screen shows that scene (nothing else draws over them). A stream
//! with no rectangle for the stale timeout is "no data", and alerts and the state scenes take the screen over as
//! on any other. Once anything has drawn over the streamed picture, the screen shows the stream again only after
//! [`Screens::take_shown_changed`] has reported the cover, so the host always hears that the picture was lost
//! (and sends the whole frame again when the status says `stream` once more).
//!
//! With a screen, a short press steps the screens' scenes instead of asking the host for the meter's next
//! metric: the link turns it into [`Action::NextScene`](crate::link::Action::NextScene) and sends no button
//! command, and the meter keeps showing its own binding beside the screen.
//!
//! [`Pages`] is the SSD1306 page-layout framebuffer a board draws into, which sends only the pages that changed;
//! [`contrast`] turns a brightness into the SSD1306's contrast byte.
//!
//! # Configuration
//! A board lists its screens as [`ScreenSpec`]s (its hello announces them through
//! [`LinkConfig::with_screens`](crate::link::LinkConfig::with_screens)). Before the host's config, each screen
//! shows a hub of the first four metrics that arrive. A config is checked whole by [`check`] (the link checks it
//! too, to answer the host): a screen the board lacks, another size, a quarter turn, an unknown scene, a wrong
//! number of figures, the stream scene on a screen that takes no stream or an alert that could never end is refused with a [`ScreenConfigError`] naming the field,
//! and nothing changes.
//!
//! Memory: a figure is its 128-byte history and a few dozen bytes more, at most [`MAX_METRICS`] of them
//! configured; [`Pages`] for a 128x64 OLED is 2 KiB of the caller's (static) memory. Drawing allocates nothing.
//!
//! # Example
//! ```
//! use embedded_graphics::prelude::Size;
//! use sysboy_device::screen::{Pages, ScreenSpec, Screens};
//! use sysboy_device::status_light::BoardState;
//! use sysboy_protocol::NamedMetric;
//!
//! let mut screens = Screens::new(vec![ScreenSpec::oled("oled", 128, 64)]);
//! screens.board_state(BoardState::Live);
//! let frame = NamedMetric { name: "cpu".into(), value: Some(42.0), reason: None, used: None, total: None,
//!     raw: None, unit: None, source: None, gpu: None, seq: None, ts: None };
//! screens.frame(&frame, 1_000);
//! assert_eq!(screens.shown()[0].scene, "hub");
//!
//! let mut memory = [0u8; 2048];
//! let mut pages = Pages::new(&mut memory, Size::new(128, 64)).unwrap();
//! for screen in screens.tick(1_010).screens() {
//!     screens.draw(screen, &mut pages).unwrap();
//! }
//! assert!(pages.dirty_bytes() > 0);
//! ```

mod check;
mod contrast;
mod figure;
mod pages;
mod screens;
mod spec;
#[cfg(test)]
mod stream_tests;
#[cfg(test)]
mod tests;

pub use check::{check, ScreenConfigError, MAX_METRICS, MAX_SCENES, MAX_SCREENS, STREAM_SCENE};
pub use contrast::{contrast, DEFAULT_BRIGHTNESS};
pub use pages::{DirtyPage, Pages, MAX_PAGES};
pub use screens::{Redraw, Screens};
pub use spec::ScreenSpec;
