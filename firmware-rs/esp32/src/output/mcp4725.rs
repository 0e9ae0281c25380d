//! The MCP4725 12-bit I2C DAC (address 0x60 with A0 low), written with its two-byte "fast mode" command.
//!
//! A DAC that does not answer (not fitted, a loose wire) leaves the board running: the needle has nowhere to go,
//! but Wi-Fi and the host link carry on, [`missing`] says so for the status, and the next write that is
//! acknowledged brings the meter back.

use core::sync::atomic::{AtomicBool, Ordering};

use esp_hal::{
    Blocking,
    gpio::interconnect::{PeripheralInput, PeripheralOutput},
    i2c::master::{Config, I2c, Instance},
    time::Rate,
};

use sysboy_device::board::AnalogOutput;

use super::OutputError;

/// The DAC's I2C address with its A0 pin tied low.
pub const ADDRESS: u8 = 0x60;

/// Whether the last write went unacknowledged. Load and store only: the ESP32-C3 has no atomic read-modify-write.
static MISSING: AtomicBool = AtomicBool::new(false);

/// Whether the DAC failed to acknowledge its last write.
pub fn missing() -> bool {
    MISSING.load(Ordering::Relaxed)
}

/// The meter on an MCP4725.
pub struct DacOutput {
    i2c: I2c<'static, Blocking>,
}

impl DacOutput {
    /// Opens the bus at 400 kHz and sets the DAC to 0; a DAC that does not answer is logged and marked missing,
    /// not an error, so the board still comes up.
    pub fn new(
        i2c: impl Instance + 'static,
        sda: impl PeripheralInput<'static> + PeripheralOutput<'static>,
        scl: impl PeripheralInput<'static> + PeripheralOutput<'static>,
    ) -> Result<Self, OutputError> {
        let i2c = I2c::new(i2c, Config::default().with_frequency(Rate::from_khz(400)))
            .map_err(|_| OutputError::I2cConfig)?
            .with_sda(sda)
            .with_scl(scl);
        let mut dac = Self { i2c };
        if let Err(error) = dac.write(0) {
            log::error!("meter: {error} at {ADDRESS:#04x}; running without the meter");
        }
        Ok(dac)
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

    fn write(&mut self, code: u16) -> Result<(), Self::Error> {
        // Fast mode: power-down bits 00, then the 12-bit code high nibble first; not stored in its EEPROM.
        let code = code.min(self.max_code());
        let written = self.i2c.write(ADDRESS, &[(code >> 8) as u8, code as u8]).map_err(|_| OutputError::I2cWrite);
        MISSING.store(written.is_err(), Ordering::Relaxed);
        written
    }
}
