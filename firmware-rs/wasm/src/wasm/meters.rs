//! The meter exports (`meter_*`): a thin edge over one [`MeterSlots`] in static memory, so the dashboard's virtual
//! meters move with the board's own ballistics and calibration; and the curve exports (`calibration_*`, over
//! [`crate::curves`]), so its calibration wizard proposes, checks and reads back curves with the board's own maths.
//! Every call but the read-backs returns 0 or a [`MeterAbiError`] code, and a curve's read-back minus that code when
//! refused (its values are never negative); `meter_reason` then writes why into the scratch buffer. Numbers are in
//! [`crate::abi`].

use sysboy_device::meter::{NeedleState, NoData, Reading};

use super::Static;
use crate::abi::{self, MeterAbiError};
use crate::curves;
use crate::meters::MeterSlots;

static METERS: Static<MeterSlots> = Static::new(MeterSlots::new());
static REFUSAL: Static<Option<MeterAbiError>> = Static::new(None);

fn meters() -> &'static mut MeterSlots {
    // SAFETY: each export calls this once and drops it before returning.
    unsafe { METERS.get() }
}

fn refusal() -> &'static mut Option<MeterAbiError> {
    // SAFETY: as for `meters`.
    unsafe { REFUSAL.get() }
}

fn status(result: Result<(), MeterAbiError>) -> u32 {
    match result {
        Ok(()) => abi::OK,
        Err(error) => {
            *refusal() = Some(error);
            error.code()
        }
    }
}

/// The value of a curve's read-back, never negative, or minus the refusal's code (kept for `meter_reason`).
fn value<T: From<u16>>(result: Result<T, MeterAbiError>, negate: fn(T) -> T) -> T {
    result.unwrap_or_else(|error| {
        *refusal() = Some(error);
        // Result codes are small (1 to 10), so a u16 holds them.
        negate(T::from(error.code() as u16))
    })
}

/// The scratch buffer ([`abi::SCRATCH_LEN`] bytes): calibration points and reasons in, reasons out.
#[no_mangle]
pub extern "C" fn meter_scratch() -> *mut u8 {
    meters().scratch().as_mut_ptr()
}

/// Writes why the last refused meter call was refused (UTF-8) into the scratch buffer; returns its bytes, 0 if none
/// was.
#[no_mangle]
pub extern "C" fn meter_reason() -> u32 {
    match *refusal() {
        Some(error) => abi::write_text(meters().scratch(), &error),
        None => 0,
    }
}

/// Puts a new meter in `slot` for an output of `bits` (1 to 16) with `stale_after_ms` as its stale timeout: parked,
/// the device's default ballistics, a linear calibration. See [`MeterSlots::create`].
#[no_mangle]
pub extern "C" fn meter_create(slot: u32, bits: u32, stale_after_ms: u32) -> u32 {
    status(meters().create(slot, bits, stale_after_ms))
}

/// Empties `slot`, if it holds a meter.
#[no_mangle]
pub extern "C" fn meter_release(slot: u32) -> u32 {
    status(meters().release(slot))
}

/// Sets the needle's ballistics (the protocol's `Ballistics`).
#[no_mangle]
pub extern "C" fn meter_set_ballistics(slot: u32, settle_ms: u32, overshoot_pct: f64) -> u32 {
    status(meters().set_ballistics(slot, settle_ms, overshoot_pct))
}

/// Sets the calibration curve from the first `points` points of the scratch buffer: [`abi::POINT_LEN`] bytes each,
/// the percent then the code as little-endian `f64`s.
#[no_mangle]
pub extern "C" fn meter_set_calibration(slot: u32, points: u32) -> u32 {
    let meters = meters();
    status(abi::points(meters.scratch(), points).and_then(|points| meters.set_calibration(slot, &points)))
}

/// Hands the meter a figure, percent, that arrived at `now_ms`. The board takes a figure as an `f32`, and so does
/// this.
#[no_mangle]
pub extern "C" fn meter_show_value(slot: u32, now_ms: f64, percent: f64) -> u32 {
    status(abi::time(now_ms).and_then(|now_ms| meters().show(slot, now_ms, Reading::Value(percent as f32))))
}

/// Tells the meter that, at `now_ms`, its figure is unknown, for the reason in the first `reason_len` bytes of the
/// scratch buffer (UTF-8).
#[no_mangle]
pub extern "C" fn meter_show_unknown(slot: u32, now_ms: f64, reason_len: u32) -> u32 {
    status(abi::time(now_ms).and_then(|now_ms| meters().show_unknown_from_scratch(slot, now_ms, reason_len)))
}

/// Steps the needle to `now_ms`, as the board does every `TICK_MS`.
#[no_mangle]
pub extern "C" fn meter_tick(slot: u32, now_ms: f64) -> u32 {
    status(abi::time(now_ms).and_then(|now_ms| meters().tick(slot, now_ms).map(drop)))
}

/// The output code of the last tick (before the first, the parked needle's), or -1 for a slot without a meter.
#[no_mangle]
pub extern "C" fn meter_code(slot: u32) -> i32 {
    meters().needle(slot).map_or(-1, |needle| i32::from(needle.code))
}

/// The needle's position, percent of full scale, or NaN for a slot without a meter.
#[no_mangle]
pub extern "C" fn meter_percent(slot: u32) -> f32 {
    meters().needle(slot).map_or(f32::NAN, |needle| needle.percent)
}

/// The needle's state code ([`abi::STATE_LIVE`] ...), or `u32::MAX` for a slot without a meter.
#[no_mangle]
pub extern "C" fn meter_state(slot: u32) -> u32 {
    meters().needle(slot).map_or(u32::MAX, |needle| abi::state(&needle.state))
}

/// Writes why the needle in `slot` is parked on an unknown figure into the scratch buffer; returns its bytes, 0 for
/// any other state.
#[no_mangle]
pub extern "C" fn meter_state_reason(slot: u32) -> u32 {
    let meters = meters();
    match meters.needle(slot) {
        Ok(needle) => match needle.state {
            NeedleState::Parked(NoData::Unknown(reason)) => abi::write_text(meters.scratch(), &reason),
            _ => 0,
        },
        Err(_) => 0,
    }
}

/// Checks the first `points` points of the scratch buffer (as `meter_set_calibration` reads them) as the board checks a
/// host's curve for an output of `bits`: 0 when it takes them, else the refusal's code, with the device's words from
/// `meter_reason`.
#[no_mangle]
pub extern "C" fn calibration_check(points: u32, bits: u32) -> u32 {
    status(abi::points(meters().scratch(), points).and_then(|points| curves::check(&points, bits)))
}

/// The output code the board drives for a needle at `percent` through the first `points` points of the scratch buffer
/// (none: the straight line a fresh meter of `bits` starts with), or minus the refusal's code.
#[no_mangle]
pub extern "C" fn calibration_code_at(points: u32, bits: u32, percent: f64) -> i32 {
    let code = abi::points(meters().scratch(), points).and_then(|points| curves::code_at(&points, bits, percent));
    value(code.map(i32::from), |code| -code)
}

/// Where a needle driven at `code` stands, percent, through the first `points` points of the scratch buffer (none: the
/// straight line), or minus the refusal's code when the curve or the code is refused (a position is 0 to 100).
#[no_mangle]
pub extern "C" fn calibration_percent_at(points: u32, bits: u32, code: f64) -> f32 {
    let percent = abi::points(meters().scratch(), points).and_then(|points| curves::percent_at(&points, bits, code));
    value(percent, |code| -code)
}
