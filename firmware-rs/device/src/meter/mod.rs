//! Meter: calibration from percent to output code, VU-like ballistics, the boot sweep, no-data parking and the
//! portal's slow sweep.
//!
//! # Overview
//! A [`Meter`] holds one needle. The host link hands it [`Reading`]s as frames arrive; a timer calls
//! [`Meter::tick`] at a fixed period and drives the returned code to the analog output. The needle eases
//! towards each target through [`Ballistics`], so a frame every few seconds still moves smoothly, and after
//! `stale_after_ms` without a frame, or on an unknown value, it parks and [`Meter::state`] says why.
//!
//! # Configuration
//! [`MeterConfig::new`] takes the output's largest code; `with_ballistics`, `with_park_percent` and
//! `with_stale_after_ms` change the rest. A [`Calibration`] is 2 to 16 points rising in both percent and code;
//! [`CalibrationHistory`] keeps the previous curve for one undo.
//!
//! # Example
//! ```
//! use sysboy_device::meter::{Meter, MeterConfig, Reading};
//! let mut meter = Meter::new(MeterConfig::new(1023).unwrap()).unwrap();
//! meter.show(0, Reading::Value(50.0));
//! let mut code = 0;
//! for tick in 1..=200 {
//!     code = meter.tick(tick * 10);
//! }
//! assert_eq!(code, 512);
//! ```

mod ballistics;
mod calibration;
mod needle;

pub use ballistics::{Ballistics, BallisticsConfig, BallisticsError};
pub use calibration::{max_code_for_bits, Calibration, CalibrationError, CalibrationHistory, UndoError, MAX_POINTS, MIN_POINTS};
pub use needle::{Meter, MeterConfig, MeterConfigError, NeedleState, NoData, Reading, PORTAL_SWEEP_MS, PORTAL_SWEEP_PERCENT};

/// The period every wiring calls [`Meter::tick`] at; the default ballistics are tuned for it.
pub const TICK_MS: u64 = 10;
