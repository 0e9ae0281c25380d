//! The needle, shared by the meter drive (`sysboy-device`'s [`drive_meter`](sysboy_device::board::drive::drive_meter),
//! run by `main`), the station, which shows readings and applies the host's config on it, and the status LED,
//! which opens the portal sweep.

use core::cell::RefCell;

use embassy_sync::blocking_mutex::{Mutex, raw::CriticalSectionRawMutex};
use sysboy_device::meter::Meter;

/// The needle, shared by the meter drive, the station and the status LED.
pub type SharedMeter = Mutex<CriticalSectionRawMutex, RefCell<Meter>>;
