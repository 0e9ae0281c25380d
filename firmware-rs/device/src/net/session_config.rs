//! A host's session config applied to one output's meter (stale timeout, ballistics, calibration), and the host's
//! calibration undo, the same on the board and in the simulator. With the `embassy-net` feature, [`act`] and
//! [`undo_and_save`] also log the meter's refusals (the link has already answered the host about curves it
//! refused) and queue what is to be saved, and say what happened so each board adds only its own log or report.

use alloc::string::String;
use alloc::vec::Vec;

use sysboy_protocol::SessionConfig;

#[cfg(feature = "embassy-net")]
use super::settings_keeper::{SettingsChange, SettingsChanges};
use crate::link::Action;
use crate::meter::{Calibration, CalibrationError, CalibrationHistory, Meter, UndoError};
use crate::settings::{Settings, StoredCalibration};

/// What applying a config did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Applied {
    /// The new calibration to save, when the config set one for this output.
    pub calibration: Option<StoredCalibration>,
    /// The metric bound to this output, if any.
    pub metric: Option<String>,
    /// Parts of the config the meter refused, in words.
    pub refused: Vec<String>,
}

/// What a link action did to the meter, for the board's own log or report.
#[derive(Debug, Clone, PartialEq)]
pub enum Acted {
    /// The reading is on the meter.
    Shown,
    /// `config` is applied as `applied` says; its refusals are logged, its bindings and new calibration queued.
    Configured {
        /// The host's config.
        config: SessionConfig,
        /// What applying it did.
        applied: Applied,
    },
    /// The session is gone and the meter forgot its readings (and any hold).
    Forgotten,
    /// The meter is held at this raw code (the calibration wizard).
    Held(u16),
    /// The meter's hold ended: it shows live figures again.
    Released,
    /// The host's credential for the board is queued to be saved as its token.
    TokenQueued,
    /// Not the meter's: an ack, a refusal, a reading for another output, or a frame the session writes itself.
    Other(Action),
}

/// Carries out `action` on `meter`, which drives the output called `output`: shows a reading, applies a config
/// (logging what the meter refused and queueing the bindings and any new calibration on `changes`), holds or
/// releases the meter, queues the board's issued credential on `changes`, or forgets.
#[cfg(feature = "embassy-net")]
pub fn act(meter: &mut Meter, output: &str, now_ms: u64, action: Action, changes: &SettingsChanges) -> Acted {
    match action {
        Action::Show { output: shown, reading } if shown == output => {
            meter.show(now_ms, reading);
            Acted::Shown
        }
        Action::Apply(config) => {
            let applied = apply(meter, output, &config);
            for refused in &applied.refused {
                log::warn!("config: {refused}");
            }
            // A full queue means saves are under way with newer bindings behind it; the next config saves again.
            let _ = changes.try_send(SettingsChange::Bindings(config.bindings.clone()));
            if let Some(calibration) = &applied.calibration {
                save(changes, calibration.clone());
            }
            Acted::Configured { config, applied }
        }
        // Nothing old may pass for live once the session is gone.
        Action::Forget => {
            meter.forget();
            Acted::Forgotten
        }
        Action::Hold { output: held, code } if held == output => {
            meter.hold(code);
            Acted::Held(code)
        }
        Action::Release { output: released } if released == output => {
            meter.release();
            Acted::Released
        }
        Action::StoreToken(token) => {
            if changes.try_send(SettingsChange::Token(token)).is_err() {
                log::warn!("settings: the save queue is full; the board's credential is in use but not saved");
            }
            Acted::TokenQueued
        }
        other => Acted::Other(other),
    }
}

/// Puts `meter`'s previous curve back, as the host asked, and queues the record on `changes`; gives it back.
#[cfg(feature = "embassy-net")]
pub fn undo_and_save(meter: &mut Meter, output: &str, changes: &SettingsChanges) -> Result<StoredCalibration, UndoError> {
    let calibration = undo(meter, output)?;
    save(changes, calibration.clone());
    Ok(calibration)
}

#[cfg(feature = "embassy-net")]
fn save(changes: &SettingsChanges, calibration: StoredCalibration) {
    if changes.try_send(SettingsChange::Calibration(calibration)).is_err() {
        log::warn!("settings: the save queue is full; the new calibration is in use but not saved");
    }
}

/// Applies `config` to `meter`, which drives the output called `output`.
pub fn apply(meter: &mut Meter, output: &str, config: &SessionConfig) -> Applied {
    let mut applied = Applied { metric: config.bindings.iter().find(|b| b.output == output).map(|b| b.metric.clone()), ..Applied::default() };
    if let Err(error) = meter.set_stale_after_ms(config.stale_after_ms) {
        applied.refused.push(alloc::format!("stale timeout refused: {error}"));
    }
    if let Some(ballistics) = &config.ballistics {
        if let Err(error) = meter.set_ballistics(ballistics) {
            applied.refused.push(alloc::format!("ballistics refused: {error}"));
        }
    }
    if let Some(curve) = config.calibration.iter().flatten().find(|c| c.output == output) {
        match meter.set_calibration(&curve.points) {
            Ok(()) => applied.calibration = Some(stored(meter, output)),
            Err(error) => applied.refused.push(alloc::format!("calibration refused: {error}")),
        }
    }
    applied
}

/// Puts the stored curve of `output`, and the one an undo goes back to, back in `meter` at boot; says whether
/// there was one. A stored curve the output cannot use (codes above its largest) is refused and the linear curve
/// stays; an unusable undo curve is dropped rather than the curve in use.
pub fn restore(meter: &mut Meter, settings: &Settings, output: &str) -> Result<bool, CalibrationError> {
    let Some(stored) = settings.calibrations.iter().find(|stored| stored.output == output) else { return Ok(false) };
    let max_code = meter.config().max_code();
    let current = Calibration::from_points(&stored.current, max_code)?;
    let previous = stored.previous.as_deref().and_then(|points| Calibration::from_points(points, max_code).ok());
    meter.restore_calibration(CalibrationHistory::restore(current, previous));
    Ok(true)
}

/// Puts `meter`'s previous curve back, as the host asked; gives back the record to save.
pub fn undo(meter: &mut Meter, output: &str) -> Result<StoredCalibration, UndoError> {
    meter.undo_calibration()?;
    Ok(stored(meter, output))
}

/// The curve `meter` uses, as the status reports the curves stored on the board: none while it is the linear
/// curve a fresh output starts with (the status's "an output without one is linear").
pub fn reported(meter: &Meter, output: &str) -> Vec<sysboy_protocol::Calibration> {
    let current = meter.calibration().current();
    if *current == Calibration::linear(meter.config().max_code()) {
        return Vec::new();
    }
    alloc::vec![sysboy_protocol::Calibration { output: output.into(), points: current.to_points() }]
}

/// The meter's calibration as its settings record: the curve in use and the one an undo would go back to.
pub fn stored(meter: &Meter, output: &str) -> StoredCalibration {
    let history = meter.calibration();
    StoredCalibration {
        output: output.into(),
        current: history.current().to_points(),
        previous: history.previous().map(|previous| previous.to_points()),
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use sysboy_protocol::{Binding, Calibration, CalibrationPoint};

    use super::*;
    use crate::meter::MeterConfig;

    fn config(points: Vec<CalibrationPoint>) -> SessionConfig {
        SessionConfig { id: None,
            bindings: vec![Binding { output: "meter".into(), metric: "gpu_util".into() }],
            interval_ms: 1000,
            stale_after_ms: 5000,
            ballistics: None,
            calibration: Some(vec![Calibration { output: "meter".into(), points }]),
            screens: None,
            streams: None,
        }
    }

    #[test]
    fn a_calibration_for_this_output_is_applied_and_given_back_to_save_with_its_undo() {
        let mut meter = Meter::new(MeterConfig::new(1023).unwrap()).unwrap();
        let points = vec![CalibrationPoint { percent: 0.0, code: 10 }, CalibrationPoint { percent: 100.0, code: 1000 }];
        let applied = apply(&mut meter, "meter", &config(points.clone()));
        assert_eq!(applied.metric.as_deref(), Some("gpu_util"));
        assert!(applied.refused.is_empty(), "{:?}", applied.refused);
        let saved = applied.calibration.expect("the new curve is to be saved");
        assert_eq!(saved.current, points);
        assert!(saved.previous.is_some(), "the linear curve it replaced can be undone");
    }

    #[test]
    fn a_curve_the_meter_refuses_is_reported_and_nothing_is_saved() {
        let mut meter = Meter::new(MeterConfig::new(1023).unwrap()).unwrap();
        let applied = apply(&mut meter, "meter", &config(vec![CalibrationPoint { percent: 50.0, code: 5000 }]));
        assert_eq!(applied.calibration, None);
        assert_eq!(applied.refused.len(), 1);
    }

    #[test]
    fn an_undo_goes_back_once_and_gives_the_record_to_save() {
        let mut meter = Meter::new(MeterConfig::new(1023).unwrap()).unwrap();
        assert_eq!(undo(&mut meter, "meter"), Err(UndoError::NothingToUndo));
        let points = vec![CalibrationPoint { percent: 0.0, code: 10 }, CalibrationPoint { percent: 100.0, code: 1000 }];
        apply(&mut meter, "meter", &config(points));
        let saved = undo(&mut meter, "meter").expect("the first curve can be undone");
        let linear = vec![CalibrationPoint { percent: 0.0, code: 0 }, CalibrationPoint { percent: 100.0, code: 1023 }];
        assert_eq!((saved.output.as_str(), saved.current, saved.previous), ("meter", linear, None));
        assert_eq!(undo(&mut meter, "meter"), Err(UndoError::NothingToUndo));
    }

    #[test]
    fn a_stored_curve_comes_back_at_boot_with_the_curve_an_undo_goes_back_to() {
        let points = vec![CalibrationPoint { percent: 0.0, code: 10 }, CalibrationPoint { percent: 100.0, code: 1000 }];
        let earlier = vec![CalibrationPoint { percent: 0.0, code: 0 }, CalibrationPoint { percent: 100.0, code: 900 }];
        let stored = StoredCalibration { output: "meter".into(), current: points.clone(), previous: Some(earlier.clone()) };
        let settings = Settings { calibrations: vec![stored], ..Settings::default() };
        let mut meter = Meter::new(MeterConfig::new(1023).unwrap()).unwrap();
        assert_eq!(restore(&mut meter, &settings, "meter"), Ok(true));
        assert_eq!(meter.calibration().current().to_points(), points);
        assert_eq!(undo(&mut meter, "meter").expect("the stored undo curve came back too").current, earlier);
    }

    #[test]
    fn a_stored_curve_the_output_cannot_use_leaves_the_linear_one() {
        let too_big = vec![CalibrationPoint { percent: 0.0, code: 0 }, CalibrationPoint { percent: 100.0, code: 4095 }];
        let stored = StoredCalibration { output: "meter".into(), current: too_big, previous: None };
        let settings = Settings { calibrations: vec![stored], ..Settings::default() };
        let mut meter = Meter::new(MeterConfig::new(1023).unwrap()).unwrap();
        assert!(restore(&mut meter, &settings, "meter").is_err());
        let linear = vec![CalibrationPoint { percent: 0.0, code: 0 }, CalibrationPoint { percent: 100.0, code: 1023 }];
        assert_eq!(meter.calibration().current().to_points(), linear);
        assert_eq!(restore(&mut meter, &Settings::default(), "meter"), Ok(false));
    }

    #[test]
    fn the_status_reports_a_curve_set_or_restored_and_not_the_linear_one() {
        let mut meter = Meter::new(MeterConfig::new(1023).unwrap()).unwrap();
        assert!(reported(&meter, "meter").is_empty(), "a fresh output is linear");
        let points = vec![CalibrationPoint { percent: 0.0, code: 10 }, CalibrationPoint { percent: 100.0, code: 1000 }];
        apply(&mut meter, "meter", &config(points.clone()));
        assert_eq!(reported(&meter, "meter"), vec![Calibration { output: "meter".into(), points }]);
        undo(&mut meter, "meter").unwrap();
        assert!(reported(&meter, "meter").is_empty(), "undone to the linear curve");
    }

    #[test]
    fn another_output_s_curve_is_left_alone() {
        let mut meter = Meter::new(MeterConfig::new(1023).unwrap()).unwrap();
        let points = vec![CalibrationPoint { percent: 0.0, code: 10 }, CalibrationPoint { percent: 100.0, code: 1000 }];
        let applied = apply(&mut meter, "other", &config(points));
        assert_eq!((applied.calibration, applied.metric), (None, None));
    }
}
