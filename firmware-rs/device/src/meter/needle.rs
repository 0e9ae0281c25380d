//! The meter: what the needle should show (sweep, live value, no data) and the output code each tick.

use alloc::string::String;
use core::fmt;

use super::ballistics::{Ballistics, BallisticsConfig, BallisticsError};
use super::calibration::{Calibration, CalibrationError, CalibrationHistory, UndoError};

/// Why the needle is parked instead of showing a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoData {
    /// No frame has arrived since boot or since the link came up.
    Waiting,
    /// No frame for longer than the stale timeout: the last value is too old to show.
    Stale,
    /// The host says it cannot read the figure, with its reason.
    Unknown(String),
}

/// What the needle is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NeedleState {
    /// The boot sweep: up to full scale, then back.
    Sweeping,
    /// Showing a live value.
    Live,
    /// Parked at the no-data position.
    Parked(NoData),
    /// No data, and the setup portal is open: the needle sweeps slowly over the lower scale, so a board that was
    /// never set up looks different from one waiting for its host. A live value takes over at once.
    Portal,
}

/// The portal sweep's span above the park position, percent of full scale.
pub const PORTAL_SWEEP_PERCENT: f32 = 40.0;
/// One portal sweep, up and back down: slow enough that it never reads as a figure.
pub const PORTAL_SWEEP_MS: u64 = 8_000;

/// A reading for the meter, as the host link gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    /// A figure in percent of full scale.
    Value(f32),
    /// The host cannot read the figure.
    Unknown(String),
}

/// Why meter settings were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeterConfigError {
    /// The ballistics settings are unusable.
    Ballistics(BallisticsError),
    /// The park position is outside 0..=100 %.
    ParkOutOfRange,
    /// A stale timeout of 0 ms.
    ZeroStaleTimeout,
    /// An output with a largest code of 0.
    ZeroMaxCode,
}

impl fmt::Display for MeterConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ballistics(error) => write!(f, "{error}"),
            Self::ParkOutOfRange => f.write_str("the no-data position is outside 0..100 %"),
            Self::ZeroStaleTimeout => f.write_str("the stale timeout must be above 0 ms"),
            Self::ZeroMaxCode => f.write_str("the output's largest code must be above 0"),
        }
    }
}

impl core::error::Error for MeterConfigError {}

/// Settings for one meter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeterConfig {
    ballistics: BallisticsConfig,
    max_code: u16,
    park_percent: f32,
    stale_after_ms: u32,
}

impl MeterConfig {
    /// A meter on an output whose codes go 0..=`max_code`, with VU ballistics, parking at 0 % after 5 s of silence.
    pub fn new(max_code: u16) -> Result<Self, MeterConfigError> {
        Self {
            ballistics: BallisticsConfig::default(),
            max_code,
            park_percent: 0.0,
            stale_after_ms: 5000,
        }
        .checked()
    }

    /// Sets how the needle moves.
    pub fn with_ballistics(mut self, ballistics: BallisticsConfig) -> Self {
        self.ballistics = ballistics;
        self
    }

    /// Sets where the needle parks when there is no data.
    pub fn with_park_percent(mut self, park_percent: f32) -> Self {
        self.park_percent = park_percent;
        self
    }

    /// Sets how long without a frame before the value counts as stale.
    pub fn with_stale_after_ms(mut self, stale_after_ms: u32) -> Self {
        self.stale_after_ms = stale_after_ms;
        self
    }

    /// The output's largest code.
    pub const fn max_code(&self) -> u16 {
        self.max_code
    }

    /// Returns the settings if they are usable.
    pub fn checked(self) -> Result<Self, MeterConfigError> {
        self.ballistics.checked().map_err(MeterConfigError::Ballistics)?;
        if !(0.0..=100.0).contains(&self.park_percent) {
            return Err(MeterConfigError::ParkOutOfRange);
        }
        if self.stale_after_ms == 0 {
            return Err(MeterConfigError::ZeroStaleTimeout);
        }
        if self.max_code == 0 {
            return Err(MeterConfigError::ZeroMaxCode);
        }
        Ok(self)
    }
}

/// One analog meter: the target, the needle filter and the calibration, stepped at a fixed tick.
#[derive(Debug, Clone)]
pub struct Meter {
    config: MeterConfig,
    needle: Ballistics,
    calibration: CalibrationHistory,
    state: NeedleState,
    target: f32,
    last_frame_ms: Option<u64>,
    sweep_until_ms: u64,
    /// The newest reading that came during the boot sweep, with its time, replayed when the sweep ends.
    pending: Option<(u64, Reading)>,
    /// The setup portal is open: no data sweeps instead of parking.
    portal_open: bool,
    /// The raw code the calibration wizard holds the output at, bypassing calibration and ballistics.
    held: Option<u16>,
}

impl Meter {
    /// A meter parked and waiting for data, with the linear calibration.
    pub fn new(config: MeterConfig) -> Result<Self, MeterConfigError> {
        let config = config.checked()?;
        let needle = Ballistics::new(config.ballistics, config.park_percent).map_err(MeterConfigError::Ballistics)?;
        Ok(Self {
            calibration: CalibrationHistory::new(Calibration::linear(config.max_code)),
            needle,
            target: config.park_percent,
            state: NeedleState::Parked(NoData::Waiting),
            last_frame_ms: None,
            sweep_until_ms: 0,
            pending: None,
            portal_open: false,
            held: None,
            config,
        })
    }

    /// Starts the boot sweep: the needle rises to full scale, holds for a settle time, then parks.
    pub fn boot(&mut self, now_ms: u64) {
        self.state = NeedleState::Sweeping;
        self.target = 100.0;
        self.pending = None;
        self.sweep_until_ms = now_ms + 2 * u64::from(self.config.ballistics.settle_ms());
    }

    /// Takes a reading from the host at `now_ms`.
    pub fn show(&mut self, now_ms: u64, reading: Reading) {
        if self.state == NeedleState::Sweeping {
            // The sweep finishes first; the reading is kept whole (an unknown one too) and shown after it.
            self.pending = Some((now_ms, reading));
            return;
        }
        self.last_frame_ms = Some(now_ms);
        match reading {
            Reading::Value(percent) if percent.is_finite() => {
                self.state = NeedleState::Live;
                self.target = percent.clamp(0.0, 100.0);
            }
            Reading::Value(_) => self.park(NoData::Unknown(String::from("not a number"))),
            Reading::Unknown(reason) => self.park(NoData::Unknown(reason)),
        }
    }

    /// The link went down or came up: forget the last value, so nothing old is shown as live, and end any hold
    /// (a hold lasts no longer than its session).
    pub fn forget(&mut self) {
        self.release();
        self.last_frame_ms = None;
        self.pending = None;
        if self.state != NeedleState::Sweeping {
            self.park(NoData::Waiting);
        }
    }

    /// Holds the output at the raw `code` (clamped to the largest), bypassing calibration and ballistics, until
    /// [`Meter::release`]: the calibration wizard reads the needle there. Readings still arrive and the stale
    /// timeout still runs underneath, so a release shows what is live by then; the needle is taken to rest where
    /// the current curve puts `code`, so it eases from there after the release.
    pub fn hold(&mut self, code: u16) {
        let code = code.min(self.config.max_code);
        self.held = Some(code);
        self.needle.rest_at(self.calibration.current().percent_for(code));
    }

    /// Ends a hold: the needle eases from the held position to what the meter shows. Nothing held, nothing done.
    pub fn release(&mut self) {
        self.held = None;
    }

    /// The raw code the output is held at, if it is.
    pub fn held(&self) -> Option<u16> {
        self.held
    }

    /// Advances one tick at `now_ms` and returns the output code to drive.
    pub fn tick(&mut self, now_ms: u64) -> u16 {
        match self.state {
            NeedleState::Sweeping if now_ms >= self.sweep_until_ms => {
                self.park(NoData::Waiting);
                if let Some((at_ms, reading)) = self.pending.take() {
                    self.show(at_ms, reading);
                }
            }
            NeedleState::Live => {
                let stale = self.last_frame_ms.is_none_or(|last| now_ms.saturating_sub(last) > u64::from(self.config.stale_after_ms));
                if stale {
                    self.park(NoData::Stale);
                }
            }
            _ => {}
        }
        if self.state == NeedleState::Portal {
            self.target = self.portal_sweep(now_ms);
        }
        if let Some(code) = self.held {
            return code;
        }
        let position = self.needle.step(self.target);
        self.calibration.current().code_for(position)
    }

    fn park(&mut self, why: NoData) {
        // The host's own "unknown" stays parked with its reason: the host is there, so the portal is not the news.
        if self.portal_open && matches!(why, NoData::Waiting | NoData::Stale) {
            self.state = NeedleState::Portal;
            return;
        }
        self.state = NeedleState::Parked(why);
        self.target = self.config.park_percent;
    }

    /// The setup portal opened or closed. While it is open and there is no data, the needle sweeps slowly
    /// ([`NeedleState::Portal`]); live values and the boot sweep are left alone.
    pub fn set_portal_open(&mut self, open: bool) {
        if self.portal_open == open {
            return;
        }
        self.portal_open = open;
        match self.state {
            NeedleState::Parked(NoData::Waiting | NoData::Stale) if open => self.state = NeedleState::Portal,
            NeedleState::Portal if !open => self.park(NoData::Waiting),
            _ => {}
        }
    }

    /// Where the portal sweep is at `now_ms`: a triangle from the park position up [`PORTAL_SWEEP_PERCENT`] and
    /// back, which the ballistics round off.
    fn portal_sweep(&self, now_ms: u64) -> f32 {
        let half = PORTAL_SWEEP_MS / 2;
        let at = now_ms % PORTAL_SWEEP_MS;
        let rising = if at < half { at } else { PORTAL_SWEEP_MS - at };
        let park = self.config.park_percent;
        let top = (park + PORTAL_SWEEP_PERCENT).min(100.0);
        park + (top - park) * rising as f32 / half as f32
    }

    /// What the needle is doing.
    pub fn state(&self) -> &NeedleState {
        &self.state
    }

    /// Where the needle is, percent.
    pub fn position(&self) -> f32 {
        self.needle.position()
    }

    /// Where the needle is heading, percent.
    pub fn target(&self) -> f32 {
        self.target
    }

    /// The settings in use.
    pub fn config(&self) -> &MeterConfig {
        &self.config
    }

    /// Sets the stale timeout (from a host config frame).
    pub fn set_stale_after_ms(&mut self, stale_after_ms: u32) -> Result<(), MeterConfigError> {
        self.config = self.config.with_stale_after_ms(stale_after_ms).checked()?;
        Ok(())
    }

    /// Sets the ballistics (from a host config frame), keeping the tick.
    pub fn set_ballistics(&mut self, message: &sysboy_protocol::Ballistics) -> Result<(), MeterConfigError> {
        let ballistics =
            BallisticsConfig::from_message(message, self.config.ballistics.tick_ms()).map_err(MeterConfigError::Ballistics)?;
        self.needle.reconfigure(ballistics).map_err(MeterConfigError::Ballistics)?;
        self.config = self.config.with_ballistics(ballistics);
        Ok(())
    }

    /// The calibration curves, current and previous.
    pub fn calibration(&self) -> &CalibrationHistory {
        &self.calibration
    }

    /// Restores stored calibration curves.
    pub fn restore_calibration(&mut self, history: CalibrationHistory) {
        self.calibration = history;
    }

    /// Puts a curve from the host in use, keeping the old one for undo.
    pub fn set_calibration(&mut self, points: &[sysboy_protocol::CalibrationPoint]) -> Result<(), CalibrationError> {
        self.calibration.set(Calibration::from_points(points, self.config.max_code)?);
        Ok(())
    }

    /// Goes back to the previous curve; refused when there is none.
    pub fn undo_calibration(&mut self) -> Result<(), UndoError> {
        self.calibration.undo()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TICK: u64 = 10;

    fn meter() -> Meter {
        Meter::new(MeterConfig::new(1023).unwrap().with_stale_after_ms(2000)).unwrap()
    }

    /// Ticks from `from` to `to` ms and returns the last code.
    fn run(meter: &mut Meter, from: u64, to: u64) -> u16 {
        let mut code = 0;
        let mut now = from;
        while now < to {
            now += TICK;
            code = meter.tick(now);
        }
        code
    }

    #[test]
    fn a_hold_drives_its_raw_code_past_calibration_and_ballistics_and_a_release_eases_back() {
        let mut meter = meter();
        meter.set_calibration(&[
            sysboy_protocol::CalibrationPoint { percent: 0.0, code: 100 },
            sysboy_protocol::CalibrationPoint { percent: 100.0, code: 900 },
        ])
        .unwrap();
        meter.show(0, Reading::Value(90.0));
        assert_eq!(run(&mut meter, 0, 1000), 820, "live: 90 % through the curve");
        meter.hold(300);
        assert_eq!(meter.held(), Some(300));
        assert_eq!(meter.tick(1010), 300, "the raw code at once, no easing");
        assert_eq!(meter.position(), 25.0, "the needle rests where the curve puts the code");
        meter.show(1500, Reading::Value(10.0));
        assert_eq!(run(&mut meter, 1010, 2000), 300, "readings under a hold wait");
        assert_eq!(meter.state(), &NeedleState::Live);
        meter.release();
        assert_eq!(meter.held(), None);
        let first = meter.tick(2010);
        assert!(first > 180 && first <= 300, "eases from the held position down, not a jump: {first}");
        assert_eq!(run(&mut meter, 2010, 3000), 180, "then shows the live value");
    }

    #[test]
    fn a_hold_is_clamped_to_the_largest_code_and_ends_with_the_session() {
        let mut meter = meter();
        meter.hold(5000);
        assert_eq!(meter.tick(10), 1023);
        meter.forget();
        assert_eq!(meter.held(), None);
        assert_eq!(run(&mut meter, 10, 1000), 0, "parked again");
    }

    #[test]
    fn boot_sweep_goes_to_full_scale_then_parks() {
        let mut meter = meter();
        meter.boot(0);
        assert_eq!(meter.state(), &NeedleState::Sweeping);
        let top = run(&mut meter, 0, 590);
        assert!(top >= 1012, "code at the top of the sweep: {top}");
        let parked = run(&mut meter, 590, 2000);
        assert_eq!(parked, 0);
        assert_eq!(meter.state(), &NeedleState::Parked(NoData::Waiting));
    }

    #[test]
    fn a_value_during_the_sweep_is_shown_after_it() {
        let mut meter = meter();
        meter.boot(0);
        meter.show(100, Reading::Value(40.0));
        assert_eq!(meter.state(), &NeedleState::Sweeping);
        run(&mut meter, 0, 1200);
        assert_eq!(meter.state(), &NeedleState::Live);
        assert!((meter.position() - 40.0).abs() < 0.5);
    }

    #[test]
    fn an_unknown_reading_during_the_sweep_parks_with_its_reason_after_it() {
        let mut meter = meter();
        meter.boot(0);
        meter.show(10, Reading::Unknown(String::from("NVML not found")));
        assert_eq!(meter.state(), &NeedleState::Sweeping);
        let code = run(&mut meter, 0, 1500);
        assert_eq!(meter.state(), &NeedleState::Parked(NoData::Unknown(String::from("NVML not found"))));
        assert_eq!(code, 0);
    }

    #[test]
    fn a_full_scale_value_during_the_sweep_stays_live_after_it() {
        let mut meter = meter();
        meter.boot(0);
        meter.show(10, Reading::Value(100.0));
        let code = run(&mut meter, 0, 1000);
        assert_eq!(meter.state(), &NeedleState::Live);
        assert_eq!(code, 1023);
    }

    #[test]
    fn a_not_a_number_value_during_the_sweep_parks_after_it() {
        let mut meter = meter();
        meter.boot(0);
        meter.show(10, Reading::Value(f32::NAN));
        run(&mut meter, 0, 1000);
        assert_eq!(meter.state(), &NeedleState::Parked(NoData::Unknown(String::from("not a number"))));
        assert_eq!(meter.target(), 0.0);
    }

    #[test]
    fn the_newest_reading_during_the_sweep_wins() {
        let mut meter = meter();
        meter.boot(0);
        meter.show(10, Reading::Unknown(String::from("NVML not found")));
        meter.show(20, Reading::Value(25.0));
        run(&mut meter, 0, 1500);
        assert_eq!(meter.state(), &NeedleState::Live);
        assert!((meter.position() - 25.0).abs() < 0.5, "position: {}", meter.position());
    }

    #[test]
    fn nothing_during_the_sweep_leaves_it_waiting() {
        let mut meter = meter();
        meter.boot(0);
        let code = run(&mut meter, 0, 1500);
        assert_eq!(meter.state(), &NeedleState::Parked(NoData::Waiting));
        assert_eq!(code, 0);
    }

    #[test]
    fn a_link_lost_during_the_sweep_drops_the_reading_it_held() {
        let mut meter = meter();
        meter.boot(0);
        meter.show(10, Reading::Value(60.0));
        meter.forget();
        run(&mut meter, 0, 1500);
        assert_eq!(meter.state(), &NeedleState::Parked(NoData::Waiting));
    }

    #[test]
    fn live_frames_move_the_needle_to_the_value() {
        let mut meter = meter();
        meter.show(0, Reading::Value(60.5));
        let code = run(&mut meter, 0, 1000);
        assert_eq!(meter.state(), &NeedleState::Live);
        assert_eq!(code, 619);
    }

    #[test]
    fn stale_frames_park_the_needle() {
        let mut meter = meter();
        meter.show(0, Reading::Value(80.0));
        run(&mut meter, 0, 2000);
        assert_eq!(meter.state(), &NeedleState::Live);
        let code = run(&mut meter, 2000, 4000);
        assert_eq!(meter.state(), &NeedleState::Parked(NoData::Stale));
        assert_eq!(meter.target(), 0.0);
        assert_eq!(code, 0);
        meter.show(4000, Reading::Value(30.0));
        assert_eq!(meter.state(), &NeedleState::Live);
    }

    #[test]
    fn unknown_value_parks_the_needle_with_the_reason() {
        let mut meter = meter();
        meter.show(0, Reading::Value(70.0));
        run(&mut meter, 0, 500);
        meter.show(500, Reading::Unknown(String::from("NVML not found")));
        assert_eq!(meter.state(), &NeedleState::Parked(NoData::Unknown(String::from("NVML not found"))));
        assert_eq!(run(&mut meter, 500, 1500), 0);
    }

    #[test]
    fn a_lost_link_never_leaves_the_old_value_live() {
        let mut meter = meter();
        meter.show(0, Reading::Value(70.0));
        meter.forget();
        assert_eq!(meter.state(), &NeedleState::Parked(NoData::Waiting));
        assert_eq!(meter.target(), 0.0);
    }

    #[test]
    fn parks_where_configured() {
        let config = MeterConfig::new(1000).unwrap().with_park_percent(10.0);
        let mut meter = Meter::new(config).unwrap();
        assert_eq!(run(&mut meter, 0, 500), 100);
        assert_eq!(MeterConfig::new(1000).unwrap().with_park_percent(120.0).checked(), Err(MeterConfigError::ParkOutOfRange));
    }

    #[test]
    fn calibration_from_the_host_is_used_and_can_be_undone() {
        let mut meter = meter();
        meter.show(0, Reading::Value(50.0));
        let points = [
            sysboy_protocol::CalibrationPoint { percent: 0.0, code: 0 },
            sysboy_protocol::CalibrationPoint { percent: 50.0, code: 800 },
            sysboy_protocol::CalibrationPoint { percent: 100.0, code: 1000 },
        ];
        meter.set_calibration(&points).unwrap();
        assert_eq!(run(&mut meter, 0, 1000), 800);
        assert_eq!(meter.undo_calibration(), Ok(()));
        assert_eq!(run(&mut meter, 1000, 1500), 512);
        assert_eq!(meter.undo_calibration(), Err(UndoError::NothingToUndo));
        assert_eq!(run(&mut meter, 1500, 1600), 512, "a refused undo leaves the curve alone");
    }

    #[test]
    fn an_open_portal_sweeps_the_needle_slowly_over_the_lower_scale() {
        let mut meter = meter();
        meter.set_portal_open(true);
        assert_eq!(meter.state(), &NeedleState::Portal);
        let mut low = f32::MAX;
        let mut high = f32::MIN;
        let mut now = 0;
        while now < 2 * PORTAL_SWEEP_MS {
            now += TICK;
            meter.tick(now);
            low = low.min(meter.position());
            high = high.max(meter.position());
        }
        assert!(low < 1.0, "lowest: {low}");
        assert!(high > PORTAL_SWEEP_PERCENT - 1.0 && high <= PORTAL_SWEEP_PERCENT + 0.5, "highest: {high}");
        // Slow: a quarter of a sweep later the needle has moved a fraction of the scale, not jumped across it.
        let before = meter.position();
        run(&mut meter, now, now + PORTAL_SWEEP_MS / 8);
        assert!((meter.position() - before).abs() < PORTAL_SWEEP_PERCENT / 2.0 + 1.0);
    }

    #[test]
    fn a_live_value_takes_over_from_the_portal_sweep_and_no_data_sweeps_again() {
        let mut meter = meter();
        meter.set_portal_open(true);
        run(&mut meter, 0, 1000);
        meter.show(1000, Reading::Value(80.0));
        assert_eq!(meter.state(), &NeedleState::Live);
        assert_eq!(run(&mut meter, 1000, 2000), 818, "the live figure, not the sweep");
        run(&mut meter, 2000, 4000);
        assert_eq!(meter.state(), &NeedleState::Portal, "stale with the portal still open sweeps");
        meter.forget();
        assert_eq!(meter.state(), &NeedleState::Portal);
    }

    #[test]
    fn closing_the_portal_parks_the_needle() {
        let mut meter = meter();
        meter.set_portal_open(true);
        run(&mut meter, 0, PORTAL_SWEEP_MS / 2);
        meter.set_portal_open(false);
        assert_eq!(meter.state(), &NeedleState::Parked(NoData::Waiting));
        assert_eq!(run(&mut meter, PORTAL_SWEEP_MS / 2, PORTAL_SWEEP_MS), 0);
    }

    #[test]
    fn the_boot_sweep_finishes_before_the_portal_sweep_starts() {
        let mut meter = meter();
        meter.boot(0);
        meter.set_portal_open(true);
        assert_eq!(meter.state(), &NeedleState::Sweeping);
        run(&mut meter, 0, 1500);
        assert_eq!(meter.state(), &NeedleState::Portal);
    }

    #[test]
    fn an_unknown_figure_from_the_host_stays_parked_with_its_reason_while_the_portal_is_open() {
        let mut meter = meter();
        meter.set_portal_open(true);
        meter.show(0, Reading::Unknown(String::from("NVML not found")));
        assert_eq!(meter.state(), &NeedleState::Parked(NoData::Unknown(String::from("NVML not found"))));
        assert_eq!(run(&mut meter, 0, 1000), 0);
    }

    #[test]
    fn host_ballistics_change_the_settle_time() {
        let mut meter = meter();
        meter.set_ballistics(&sysboy_protocol::Ballistics { settle_ms: 1000, overshoot_pct: 0.0 }).unwrap();
        meter.show(0, Reading::Value(100.0));
        run(&mut meter, 0, 500);
        assert!(meter.position() < 99.0, "position after 500 ms: {}", meter.position());
        meter.show(900, Reading::Value(100.0));
        run(&mut meter, 500, 1100);
        assert!(meter.position() >= 99.0);
    }
}
