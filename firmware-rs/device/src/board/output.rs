//! The meter's analog output: what turns a code into the needle's drive voltage, whatever the chip or the
//! simulator puts behind it. The meter logic hands out codes `0..=max_code()`.

use sysboy_protocol::OutputKind;

use crate::meter::{Meter, MeterConfig, MeterConfigError};

/// Something that turns a code into the meter's drive voltage.
pub trait AnalogOutput {
    /// Why a write did not reach the meter.
    type Error: core::fmt::Display;
    /// What the hello announces: the kind of output and its resolution, bits.
    fn kind(&self) -> (OutputKind, u8);
    /// The largest code; 0 is no current, `max_code()` is full scale.
    fn max_code(&self) -> u16;
    /// Drives `code`, clamped to `max_code()`.
    fn write(&mut self, code: u16) -> Result<(), Self::Error>;
}

/// A meter for `output`, parked, with the default calibration and ballistics.
pub fn meter_for(output: &impl AnalogOutput) -> Result<Meter, MeterConfigError> {
    Meter::new(MeterConfig::new(output.max_code())?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meter::Reading;

    struct Dac;

    impl AnalogOutput for Dac {
        type Error = core::convert::Infallible;
        fn kind(&self) -> (OutputKind, u8) {
            (OutputKind::I2cDac, 12)
        }
        fn max_code(&self) -> u16 {
            4095
        }
        fn write(&mut self, _code: u16) -> Result<(), Self::Error> {
            Ok(())
        }
    }

    #[test]
    fn the_meter_for_an_output_spans_its_codes() {
        let mut meter = meter_for(&Dac).unwrap();
        meter.show(0, Reading::Value(100.0));
        let mut code = 0;
        for tick in 1..=300 {
            code = meter.tick(tick * 10);
        }
        assert_eq!(code, 4095);
    }
}
