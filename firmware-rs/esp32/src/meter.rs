//! The meter task: `sysboy-device`'s needle stepped at its tick and written to the analog output. The needle is
//! shared with the station, which shows readings and applies the host's config on it.

use core::cell::RefCell;

use embassy_sync::blocking_mutex::{Mutex, raw::CriticalSectionRawMutex};
use embassy_time::{Duration, Instant, Ticker};
use sysboy_device::meter::{Meter, MeterConfig, MeterConfigError, TICK_MS};

use crate::output::AnalogOutput;

/// The needle, shared by the meter task and the station.
pub type SharedMeter = Mutex<CriticalSectionRawMutex, RefCell<Meter>>;

/// A meter for an output, parked, with the default calibration and ballistics.
pub fn meter_for(output: &dyn AnalogOutput) -> Result<Meter, MeterConfigError> {
    Meter::new(MeterConfig::new(output.max_code())?)
}

/// Sweeps the needle once, then drives it for ever.
pub async fn drive(meter: &SharedMeter, output: &mut dyn AnalogOutput) -> ! {
    meter.lock(|meter| meter.borrow_mut().boot(now_ms()));
    let mut ticker = Ticker::every(Duration::from_millis(TICK_MS));
    let mut failed = false;
    loop {
        ticker.next().await;
        let code = meter.lock(|meter| meter.borrow_mut().tick(now_ms()));
        match output.write(code) {
            Ok(()) => failed = false,
            Err(error) if !failed => {
                // Logged once per run of failures so a loose DAC does not flood the log.
                log::warn!("meter: {error}");
                failed = true;
            }
            Err(_) => {}
        }
    }
}

fn now_ms() -> u64 {
    Instant::now().as_millis()
}
