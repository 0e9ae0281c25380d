//! The ESP32 classic's on-chip 8-bit DAC, channel 1 on GPIO25: a real voltage, so no RC filter, straight into
//! the op-amp.

use esp_hal::analog::dac::Dac;
use esp_hal::peripherals::{DAC1, GPIO25};

use sysboy_device::board::AnalogOutput;

use super::OutputError;

/// The meter on DAC channel 1.
pub struct OnChipDac {
    dac: Dac<'static, DAC1<'static>>,
}

impl OnChipDac {
    /// Takes DAC channel 1 and its pin, starting at code 0.
    pub fn new(dac: DAC1<'static>, pin: GPIO25<'static>) -> Result<Self, OutputError> {
        let mut output = Self { dac: Dac::new(dac, pin) };
        output.write(0)?;
        Ok(output)
    }
}

impl AnalogOutput for OnChipDac {
    type Error = OutputError;

    fn kind(&self) -> (sysboy_protocol::OutputKind, u8) {
        (sysboy_protocol::OutputKind::Dac, 8)
    }

    fn max_code(&self) -> u16 {
        255
    }

    fn write(&mut self, code: u16) -> Result<(), Self::Error> {
        // max_code() is 255, so the clamped code fits the DAC's byte.
        self.dac.write(code.min(self.max_code()) as u8);
        Ok(())
    }
}
