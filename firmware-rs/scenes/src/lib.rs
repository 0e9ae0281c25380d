//! Sysboy's screen scenes: the one drawing code that the board, the Linux simulator and the host (as a
//! WebAssembly module, firmware-rs/wasm, over [`Renderer`]) all run, so every screen shows the same pixels for the
//! same figures.
//!
//! A scene ([`Scene`]) is drawn from a plain [`View`] onto any embedded-graphics [`DrawTarget`] whose colour is
//! a [`SceneColor`]: a 1-bit OLED ([`BinaryColor`]) or a colour TFT ([`Rgb565`]). Drawing allocates nothing and
//! reads no clock.
//!
//! # Example
//!
//! ```
//! use embedded_graphics::{pixelcolor::BinaryColor, prelude::*};
//! use sysboy_scenes::{draw, Amount, Figure, Framebuffer, History, Reading, Scene, View};
//!
//! let history = History::new();
//! let cpu = Figure { metric: "cpu", reading: Reading::Live { percent: 37.0, amount: Amount::Percent }, history: &history };
//! let view = View { figures: &[cpu], link: None, alert: None };
//! let mut pixels = [0u8; 128 * 64];
//! let mut screen = Framebuffer::<BinaryColor>::new(&mut pixels, Size::new(128, 64)).unwrap();
//! draw(Scene::Hub, &view, &mut screen).unwrap();
//! ```
//!
//! [`DrawTarget`]: embedded_graphics::draw_target::DrawTarget
//! [`BinaryColor`]: embedded_graphics::pixelcolor::BinaryColor
//! [`Rgb565`]: embedded_graphics::pixelcolor::Rgb565
#![cfg_attr(not(test), no_std)]
#![warn(missing_docs)]

pub mod abi;
pub mod format;
pub mod framebuffer;
pub mod palette;
pub mod renderer;
mod scenes;
pub mod state;
mod typeface;
mod widgets;

pub use framebuffer::{Framebuffer, StoredColor};
pub use palette::SceneColor;
pub use renderer::Renderer;
pub use scenes::draw;
pub use state::{Alert, Amount, Figure, History, LinkState, Missing, Reading, Scene, View, HISTORY_LEN, HUB_FIGURES};
