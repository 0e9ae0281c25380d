//! The MCP4725 12-bit I2C DAC (address 0x60 with A0 low), written with its two-byte "fast mode" command on the
//! shared I2C bus ([`crate::i2c_bus`]).
//!
//! The meter drive (`sysboy-device`'s [`drive_meter`](sysboy_device::board::drive::drive_meter)) writes a code
//! every tick through the synchronous [`AnalogOutput`]; this output hands the code to [`run`], a task that writes
//! the newest one when the bus is free (the display may hold it for one 16-byte write). A code superseded before it
//! was written is dropped: the needle's next position makes it moot.
//!
//! A DAC that does not answer (not fitted, a loose wire) leaves the board running: the needle has nowhere to go,
//! but Wi-Fi and the host link carry on, [`missing`] says so for the status, and the next write that is
//! acknowledged brings the meter back.

use core::sync::atomic::{AtomicBool, Ordering};

use embassy_executor::Spawner;
use embassy_sync::{blocking_mutex::raw::CriticalSectionRawMutex, signal::Signal};
use embedded_hal_async::i2c::I2c as _;
use sysboy_device::board::AnalogOutput;

use super::OutputError;
use crate::i2c_bus::{Bus, BusDevice};

/// The DAC's I2C address with its A0 pin tied low.
pub const ADDRESS: u8 = 0x60;

/// Whether the last write went unacknowledged. Load and store only: the ESP32-C3 has no atomic read-modify-write.
static MISSING: AtomicBool = AtomicBool::new(false);
/// The newest code for the bus task.
static CODE: Signal<CriticalSectionRawMutex, u16> = Signal::new();

/// Whether the DAC failed to acknowledge its last write.
pub fn missing() -> bool {
    MISSING.load(Ordering::Relaxed)
}

/// The meter on an MCP4725.
pub struct DacOutput;

impl DacOutput {
    /// Starts the task that writes the DAC on `bus`, and sets the DAC to 0 first (it powers up at the code in its
    /// EEPROM, mid-scale from the factory). Call once.
    pub fn new(spawner: &Spawner, bus: &'static Bus) -> Self {
        CODE.signal(0);
        spawner.spawn(run(BusDevice::new(bus)).expect("the MCP4725 task is spawned once"));
        Self
    }
}

impl AnalogOutput for DacOutput {
    type Error = OutputError;

    fn kind(&self) -> (sysboy_protocol::OutputKind, u8) {
        (sysboy_protocol::OutputKind::I2cDac, 12)
    }

    fn max_code(&self) -> u16 {
        4095
    }

    /// Hands `code` to the bus task; the error is the last write's, so a DAC that stopped answering is said one
    /// tick late and a run of failures still once.
    fn write(&mut self, code: u16) -> Result<(), Self::Error> {
        CODE.signal(code.min(self.max_code()));
        if missing() { Err(OutputError::I2cWrite) } else { Ok(()) }
    }
}

/// Writes each newest code to the DAC for ever.
#[embassy_executor::task]
async fn run(mut dac: BusDevice) -> ! {
    loop {
        let code = CODE.wait().await;
        // Fast mode: power-down bits 00, then the 12-bit code high nibble first; not stored in its EEPROM.
        let written = dac.write(ADDRESS, &[(code >> 8) as u8, code as u8]).await;
        MISSING.store(written.is_err(), Ordering::Relaxed);
    }
}
