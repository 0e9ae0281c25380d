//! Sysboy's WebAssembly module: the board's own screen scenes ([`sysboy_scenes`]) and meter maths
//! ([`sysboy_device::meter`]) for the host and the dashboard, so a picture or a needle drawn on the PC is the board's
//! to the pixel and to the output code.
//!
//! # Overview
//! Built for `wasm32-unknown-unknown` (by `scripts/scenes-wasm.sh`) the crate exports plain functions over numbers
//! and two scratch buffers, without wasm-bindgen and without imports: the scene calls of [`sysboy_scenes::abi`], the
//! `meter_*` calls of [`abi`] over [`abi::SLOTS`] meter slots, and the `calibration_*` calls of [`curves`] (a curve's
//! codes, positions and refusal, without a meter). Natively it is the same meter slots as a Rust API, [`MeterSlots`],
//! and the same curve maths, which the examples and the tests drive.
//!
//! # Example
//! ```
//! use sysboy_device::meter::{NeedleState, Reading, TICK_MS};
//! use sysboy_wasm::MeterSlots;
//!
//! let mut meters = MeterSlots::new();
//! meters.create(0, 10, 5_000).unwrap();
//! meters.show(0, 0, Reading::Value(50.0)).unwrap();
//! let mut needle = meters.needle(0).unwrap();
//! for tick in 1..=200 {
//!     needle = meters.tick(0, tick * TICK_MS).unwrap();
//! }
//! assert_eq!((needle.code, needle.state), (512, NeedleState::Live));
//! ```
#![cfg_attr(not(test), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod abi;
pub mod curves;
mod meters;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use abi::MeterAbiError;
pub use meters::{MeterSlots, Needle, MAX_CATCH_UP_TICKS};
