//! The needle driven at its tick: each [`TICK_MS`] the needle is stepped and its code written to the output. An
//! output that fails (a loose DAC) is worth one log line per run of failures, not one per tick.
//!
//! # Overview
//! [`MeterDrive::step`] is the sans-IO tick: it takes the clock's reading, steps a [`SharedNeedle`] and writes
//! the code to an [`AnalogOutput`], and says whether a failure is new. With the `embassy-net` feature,
//! [`drive_meter`] runs it on an embassy-time ticker for ever; each binary wraps it in its own task.
//!
//! # Example
//! ```
//! use core::cell::RefCell;
//! use sysboy_device::board::{AnalogOutput, Driven, MeterDrive, meter_for};
//! # struct Pwm;
//! # impl AnalogOutput for Pwm {
//! #     type Error = core::convert::Infallible;
//! #     fn kind(&self) -> (sysboy_protocol::OutputKind, u8) { (sysboy_protocol::OutputKind::Pwm, 10) }
//! #     fn max_code(&self) -> u16 { 1023 }
//! #     fn write(&mut self, _code: u16) -> Result<(), Self::Error> { Ok(()) }
//! # }
//! let mut output = Pwm;
//! let needle = RefCell::new(meter_for(&output).unwrap());
//! let mut drive = MeterDrive::new();
//! assert!(matches!(drive.step(&needle, &mut output, 10), Driven::Written(_)));
//! ```
//!
//! [`TICK_MS`]: crate::meter::TICK_MS

use core::cell::RefCell;

use super::AnalogOutput;
use crate::meter::Meter;

/// What the drive steps: a meter, or a board's panel around one.
pub trait Needle {
    /// Starts the boot sweep at `now_ms`.
    fn boot(&mut self, now_ms: u64);
    /// Steps the needle to `now_ms`; the code to drive.
    fn tick(&mut self, now_ms: u64) -> u16;
}

impl Needle for Meter {
    fn boot(&mut self, now_ms: u64) {
        Meter::boot(self, now_ms);
    }

    fn tick(&mut self, now_ms: u64) -> u16 {
        Meter::tick(self, now_ms)
    }
}

/// A [`Needle`] shared with the host session, which shows readings on it: borrowed for one step at a time.
pub trait SharedNeedle {
    /// Starts the boot sweep at `now_ms`.
    fn boot(&self, now_ms: u64);
    /// Steps the needle to `now_ms`; the code to drive.
    fn tick(&self, now_ms: u64) -> u16;
}

impl<N: Needle> SharedNeedle for RefCell<N> {
    fn boot(&self, now_ms: u64) {
        self.borrow_mut().boot(now_ms);
    }

    fn tick(&self, now_ms: u64) -> u16 {
        self.borrow_mut().tick(now_ms)
    }
}

#[cfg(feature = "embassy-net")]
impl<R: embassy_sync::blocking_mutex::raw::RawMutex, N: Needle> SharedNeedle for embassy_sync::blocking_mutex::Mutex<R, RefCell<N>> {
    fn boot(&self, now_ms: u64) {
        self.lock(|needle| needle.boot(now_ms));
    }

    fn tick(&self, now_ms: u64) -> u16 {
        self.lock(|needle| needle.tick(now_ms))
    }
}

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driven<E> {
    /// The code reached the output.
    Written(u16),
    /// The output refused the code, the first time in a run of failures: worth a log line.
    Failed(E),
    /// The output refused the code again; already said.
    StillFailing,
}

/// The drive's per-tick policy: step, write, and say a failure once per run of failures.
#[derive(Debug, Clone, Default)]
pub struct MeterDrive {
    failing: bool,
}

impl MeterDrive {
    /// A drive whose output has not failed yet.
    pub const fn new() -> Self {
        Self { failing: false }
    }

    /// Steps `needle` to `now_ms` and writes its code to `output`.
    pub fn step<O: AnalogOutput>(&mut self, needle: &impl SharedNeedle, output: &mut O, now_ms: u64) -> Driven<O::Error> {
        let code = needle.tick(now_ms);
        match output.write(code) {
            Ok(()) => {
                self.failing = false;
                Driven::Written(code)
            }
            Err(_) if self.failing => Driven::StillFailing,
            Err(error) => {
                self.failing = true;
                Driven::Failed(error)
            }
        }
    }
}

/// Sweeps the needle once, then steps it every [`TICK_MS`](crate::meter::TICK_MS) and drives `output` for ever,
/// logging an output's failure once per run of failures.
#[cfg(feature = "embassy-net")]
pub async fn drive_meter<O: AnalogOutput>(needle: &impl SharedNeedle, output: &mut O) -> ! {
    use embassy_time::{Duration, Instant, Ticker};

    needle.boot(Instant::now().as_millis());
    let mut ticker = Ticker::every(Duration::from_millis(crate::meter::TICK_MS));
    let mut drive = MeterDrive::new();
    loop {
        ticker.next().await;
        if let Driven::Failed(error) = drive.step(needle, output, Instant::now().as_millis()) {
            log::warn!("meter: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use sysboy_protocol::OutputKind;

    use super::*;
    use crate::board::meter_for;
    use crate::meter::Reading;

    /// An output that refuses the writes whose index is listed, and keeps the codes it took.
    struct Flaky {
        refuse: &'static [usize],
        writes: usize,
        codes: Vec<u16>,
    }

    impl AnalogOutput for Flaky {
        type Error = &'static str;
        fn kind(&self) -> (OutputKind, u8) {
            (OutputKind::Pwm, 10)
        }
        fn max_code(&self) -> u16 {
            1023
        }
        fn write(&mut self, code: u16) -> Result<(), Self::Error> {
            let index = self.writes;
            self.writes += 1;
            if self.refuse.contains(&index) {
                return Err("no answer");
            }
            self.codes.push(code);
            Ok(())
        }
    }

    fn flaky(refuse: &'static [usize]) -> Flaky {
        Flaky { refuse, writes: 0, codes: Vec::new() }
    }

    #[test]
    fn each_step_writes_the_needle_s_code() {
        let mut output = flaky(&[]);
        let needle = RefCell::new(meter_for(&output).unwrap());
        needle.borrow_mut().show(0, Reading::Value(100.0));
        let mut drive = MeterDrive::new();
        let mut last = Driven::StillFailing;
        for tick in 1..=300 {
            last = drive.step(&needle, &mut output, tick * 10);
        }
        assert_eq!(last, Driven::Written(1023));
        assert_eq!(output.codes.len(), 300);
        assert!(output.codes.windows(2).all(|pair| pair[0] <= pair[1]), "the needle rises towards full scale");
    }

    #[test]
    fn a_failing_output_is_said_once_per_run_of_failures() {
        let mut output = flaky(&[1, 2, 3, 5]);
        let needle = RefCell::new(meter_for(&output).unwrap());
        let mut drive = MeterDrive::new();
        let steps: Vec<_> = (0..7u64).map(|tick| drive.step(&needle, &mut output, tick * 10)).collect();
        assert!(matches!(steps[0], Driven::Written(_)));
        assert_eq!(steps[1], Driven::Failed("no answer"));
        assert_eq!(steps[2], Driven::StillFailing);
        assert_eq!(steps[3], Driven::StillFailing);
        assert!(matches!(steps[4], Driven::Written(_)));
        assert_eq!(steps[5], Driven::Failed("no answer"), "a new run of failures is said again");
        assert!(matches!(steps[6], Driven::Written(_)));
    }

    #[test]
    fn the_boot_sweep_starts_on_the_shared_needle() {
        let mut output = flaky(&[]);
        let needle = RefCell::new(meter_for(&output).unwrap());
        SharedNeedle::boot(&needle, 0);
        let mut drive = MeterDrive::new();
        drive.step(&needle, &mut output, 10);
        assert_eq!(needle.borrow().state(), &crate::meter::NeedleState::Sweeping);
    }
}
