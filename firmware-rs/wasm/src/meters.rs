//! The meter slots behind the module's `meter_*` exports, as a Rust API: each slot holds one device [`Meter`], set up
//! the way the board sets up its own (the output's largest code from its bits, then the session's stale timeout,
//! ballistics and calibration through the same [`Meter`] calls), and stepped every [`TICK_MS`] of the host's clock
//! as the board's ticker steps it, however often the host asks (a browser's frames come every 7 to 17 ms, or stop
//! while its tab is hidden).

use alloc::string::String;

use sysboy_device::meter::{max_code_for_bits, BallisticsError, Meter, MeterConfig, MeterConfigError, NeedleState, Reading, TICK_MS};
use sysboy_protocol::{Ballistics, CalibrationPoint};

use crate::abi::{self, MeterAbiError, SCRATCH_LEN, SLOTS};

/// Where a needle is: the output code the board would drive, the needle's position and its state.
#[derive(Debug, Clone, PartialEq)]
pub struct Needle {
    /// The output code, `0..=` the output's largest code, through the calibration curve.
    pub code: u16,
    /// The needle's position, percent of full scale (a step may overshoot past 100 by the ballistics' overshoot).
    pub percent: f32,
    /// Live, or why it is parked.
    pub state: NeedleState,
}

/// The most ticks one [`MeterSlots::tick`] catches up: 10 s, twice the slowest settle time, after which the needle is
/// where it would be had every tick been stepped.
pub const MAX_CATCH_UP_TICKS: u64 = 1_000;

/// A meter, the code its last tick drove, and when its next tick is due.
#[derive(Debug)]
struct Slot {
    meter: Meter,
    code: u16,
    next_tick_ms: Option<u64>,
}

/// [`SLOTS`] meter slots and the scratch buffer the module's host writes points and reasons into.
#[derive(Debug)]
pub struct MeterSlots {
    meters: [Option<Slot>; SLOTS],
    scratch: [u8; SCRATCH_LEN],
}

impl Default for MeterSlots {
    fn default() -> Self {
        Self::new()
    }
}

impl MeterSlots {
    /// Empty slots.
    pub const fn new() -> Self {
        Self { meters: [const { None }; SLOTS], scratch: [0; SCRATCH_LEN] }
    }

    /// The scratch buffer: calibration points ([`abi::points`]) and reasons in, reasons out.
    pub fn scratch(&mut self) -> &mut [u8; SCRATCH_LEN] {
        &mut self.scratch
    }

    /// Puts a new meter in `slot` (replacing any there) for an output of `bits`, parked with no figure yet, the
    /// device's default ballistics and a linear calibration, and `stale_after_ms` as the session's stale timeout.
    pub fn create(&mut self, slot: u32, bits: u32, stale_after_ms: u32) -> Result<(), MeterAbiError> {
        let index = abi::slot(slot)?;
        let max_code = max_code_for_bits(abi::bits(bits)?);
        let mut meter = MeterConfig::new(max_code).and_then(Meter::new)?;
        meter.set_stale_after_ms(stale_after_ms)?;
        // Before its first tick the output holds the parked needle's code.
        let code = meter.calibration().current().code_for(meter.position());
        self.meters[index] = Some(Slot { meter, code, next_tick_ms: None });
        Ok(())
    }

    /// Empties `slot`, if it holds a meter.
    pub fn release(&mut self, slot: u32) -> Result<(), MeterAbiError> {
        self.meters[abi::slot(slot)?] = None;
        Ok(())
    }

    /// Sets the needle's ballistics, as a session config does on the board.
    pub fn set_ballistics(&mut self, slot: u32, settle_ms: u32, overshoot_pct: f64) -> Result<(), MeterAbiError> {
        let meter = self.meter(slot)?;
        // The message's settle time is a u16; a longer one gets the device's own refusal of its range.
        let settle_ms = u16::try_from(settle_ms).map_err(|_| MeterConfigError::Ballistics(BallisticsError::SettleOutOfRange(settle_ms)))?;
        Ok(meter.set_ballistics(&Ballistics { settle_ms, overshoot_pct })?)
    }

    /// Sets the calibration curve, as a session config does on the board.
    pub fn set_calibration(&mut self, slot: u32, points: &[CalibrationPoint]) -> Result<(), MeterAbiError> {
        Ok(self.meter(slot)?.set_calibration(points)?)
    }

    /// Hands the meter a figure (or why there is none) that arrived at `now_ms`.
    pub fn show(&mut self, slot: u32, now_ms: u64, reading: Reading) -> Result<(), MeterAbiError> {
        self.meter(slot)?.show(now_ms, reading);
        Ok(())
    }

    /// [`MeterSlots::show`] of an unknown figure whose reason is the first `reason_len` bytes of the scratch buffer.
    pub fn show_unknown_from_scratch(&mut self, slot: u32, now_ms: u64, reason_len: u32) -> Result<(), MeterAbiError> {
        let bytes = self.scratch.get(..reason_len as usize).ok_or(MeterAbiError::TooLong)?;
        let reason = String::from(core::str::from_utf8(bytes).map_err(|_| MeterAbiError::BadText)?);
        self.show(slot, now_ms, Reading::Unknown(reason))
    }

    /// Steps the needle at each [`TICK_MS`] that is due by `now_ms`, as the board's ticker does (the first call
    /// steps once, at `now_ms`, and starts the count), and says where it is. A call before the next tick is due
    /// steps nothing; one more than [`MAX_CATCH_UP_TICKS`] behind steps only the last of them.
    pub fn tick(&mut self, slot: u32, now_ms: u64) -> Result<Needle, MeterAbiError> {
        let held = self.slot(slot)?;
        let mut at = held.next_tick_ms.unwrap_or(now_ms);
        if now_ms >= at && (now_ms - at) / TICK_MS >= MAX_CATCH_UP_TICKS {
            at = now_ms - (MAX_CATCH_UP_TICKS - 1) * TICK_MS;
        }
        while at <= now_ms {
            held.code = held.meter.tick(at);
            at += TICK_MS;
        }
        held.next_tick_ms = Some(at);
        self.needle(slot)
    }

    /// Where the needle in `slot` is, without stepping it: the code of its last tick, its position and state now.
    pub fn needle(&mut self, slot: u32) -> Result<Needle, MeterAbiError> {
        let Slot { meter, code, .. } = self.slot(slot)?;
        Ok(Needle { code: *code, percent: meter.position(), state: meter.state().clone() })
    }

    fn slot(&mut self, slot: u32) -> Result<&mut Slot, MeterAbiError> {
        self.meters[abi::slot(slot)?].as_mut().ok_or(MeterAbiError::EmptySlot(slot))
    }

    fn meter(&mut self, slot: u32) -> Result<&mut Meter, MeterAbiError> {
        Ok(&mut self.slot(slot)?.meter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sysboy_device::meter::{CalibrationError, NoData};

    fn run(meters: &mut MeterSlots, slot: u32, from: u64, to: u64) -> Needle {
        let mut now = from;
        let mut needle = meters.needle(slot).unwrap();
        while now < to {
            now += TICK_MS;
            needle = meters.tick(slot, now).unwrap();
        }
        needle
    }

    #[test]
    fn the_code_read_back_is_the_one_the_tick_drove() {
        let mut meters = MeterSlots::new();
        meters.create(0, 12, 5_000).unwrap();
        let mut twin = Meter::new(MeterConfig::new(4095).unwrap()).unwrap();
        meters.show(0, 0, Reading::Value(63.0)).unwrap();
        twin.show(0, Reading::Value(63.0));
        for tick in 1..=50 {
            assert_eq!(meters.tick(0, tick * TICK_MS).unwrap().code, twin.tick(tick * TICK_MS));
        }
    }

    #[test]
    fn steps_every_tick_that_is_due_however_often_it_is_asked() {
        let mut meters = MeterSlots::new();
        meters.create(0, 10, 5_000).unwrap();
        let mut twin = Meter::new(MeterConfig::new(1023).unwrap()).unwrap();
        meters.show(0, 0, Reading::Value(80.0)).unwrap();
        twin.show(0, Reading::Value(80.0));
        let mut twin_code = twin.tick(0);
        let mut due = TICK_MS;
        // Frames every 16.7 ms, a pause of 250 ms, then frames again; and one call twice at the same time.
        let frames = (0..30).map(|frame| frame * 50 / 3).chain([750, 750]).chain((0..20).map(|frame| 750 + frame * 7));
        assert_eq!(meters.tick(0, 0).unwrap().code, twin_code);
        for now in frames.skip(1) {
            while due <= now {
                twin_code = twin.tick(due);
                due += TICK_MS;
            }
            let needle = meters.tick(0, now).unwrap();
            assert_eq!((needle.code, needle.percent), (twin_code, twin.position()), "at {now} ms");
        }
    }

    #[test]
    fn a_long_pause_steps_only_the_last_ten_seconds() {
        let mut meters = MeterSlots::new();
        meters.create(0, 10, 60_000).unwrap();
        meters.show(0, 0, Reading::Value(50.0)).unwrap();
        meters.tick(0, 0).unwrap();
        meters.show(0, 3_600_000, Reading::Value(100.0)).unwrap();
        let needle = meters.tick(0, 3_600_000).unwrap();
        assert_eq!((needle.code, needle.state), (1023, NeedleState::Live));
    }

    #[test]
    fn slots_are_independent() {
        let mut meters = MeterSlots::new();
        meters.create(0, 10, 5_000).unwrap();
        meters.create(7, 8, 5_000).unwrap();
        meters.show(0, 0, Reading::Value(100.0)).unwrap();
        assert_eq!(run(&mut meters, 0, 0, 1_000).code, 1023);
        assert_eq!(run(&mut meters, 7, 0, 1_000).code, 0);
        assert_eq!(meters.needle(7).unwrap().state, NeedleState::Parked(NoData::Waiting));
    }

    #[test]
    fn refuses_bad_slots_empty_slots_and_bad_curves() {
        let mut meters = MeterSlots::new();
        assert_eq!(meters.create(8, 10, 5_000), Err(MeterAbiError::BadSlot(8)));
        assert_eq!(meters.tick(3, 0), Err(MeterAbiError::EmptySlot(3)));
        meters.create(3, 10, 5_000).unwrap();
        let falling = [CalibrationPoint { percent: 0.0, code: 500 }, CalibrationPoint { percent: 100.0, code: 100 }];
        assert_eq!(meters.set_calibration(3, &falling), Err(MeterAbiError::Calibration(CalibrationError::NotIncreasing(1))));
        meters.release(3).unwrap();
        assert_eq!(meters.tick(3, 0), Err(MeterAbiError::EmptySlot(3)));
    }

    #[test]
    fn a_settle_time_past_u16_gets_the_device_s_range_refusal() {
        let mut meters = MeterSlots::new();
        meters.create(0, 10, 5_000).unwrap();
        let error = meters.set_ballistics(0, 70_000, 1.0).unwrap_err();
        assert_eq!(alloc::format!("{error}"), "settle time 70000 ms is outside 50..5000 ms");
        assert_eq!(meters.set_ballistics(0, 6_000, 1.0), Err(MeterAbiError::Config(MeterConfigError::Ballistics(BallisticsError::SettleOutOfRange(6_000)))));
    }

    #[test]
    fn an_unknown_reason_comes_from_the_scratch_buffer() {
        let mut meters = MeterSlots::new();
        meters.create(0, 10, 5_000).unwrap();
        meters.scratch()[..4].copy_from_slice(b"NVML");
        meters.show_unknown_from_scratch(0, 0, 4).unwrap();
        assert_eq!(meters.needle(0).unwrap().state, NeedleState::Parked(NoData::Unknown(String::from("NVML"))));
        meters.scratch()[0] = 0xff;
        assert_eq!(meters.show_unknown_from_scratch(0, 0, 4), Err(MeterAbiError::BadText));
        assert_eq!(meters.show_unknown_from_scratch(0, 0, SCRATCH_LEN as u32 + 1), Err(MeterAbiError::TooLong));
    }
}
