//! The simulated output's stored calibration put back in the meter at boot, with the curve an undo goes back to.

use sysboy_device::meter::{Calibration, CalibrationHistory, Meter};
use sysboy_device::settings::Settings;

use crate::station::OUTPUT;

/// Restores the saved curves of [`OUTPUT`]; a record this output cannot use (codes above `max_code`) is logged
/// and the linear curve stays.
pub fn restore(meter: &mut Meter, settings: &Settings, max_code: u16) {
    let Some(stored) = settings.calibrations.iter().find(|stored| stored.output == OUTPUT) else { return };
    let current = match Calibration::from_points(&stored.current, max_code) {
        Ok(current) => current,
        Err(error) => {
            log::warn!("settings: the stored calibration of '{OUTPUT}' is unusable ({error}); using the linear one");
            return;
        }
    };
    // A stored undo curve this output cannot use is dropped rather than the curve in use.
    let previous = stored.previous.as_deref().and_then(|points| Calibration::from_points(points, max_code).ok());
    meter.restore_calibration(CalibrationHistory::restore(current, previous));
}
