//! Analog output to the meter: `sysboy-device`'s [`AnalogOutput`](sysboy_device::board::AnalogOutput) over LEDC
//! PWM (into an RC filter, ESP32-C3/C6), the ESP32 classic's on-chip DAC or the MCP4725 I2C DAC (any chip, with
//! the `mcp4725` feature).
//!
//! The meter logic hands out codes `0..=max_code()`; the output turns a code into a voltage.

#[cfg(all(feature = "esp32", not(feature = "mcp4725")))]
pub mod dac;
#[cfg(not(any(feature = "mcp4725", feature = "esp32")))]
pub mod ledc;
#[cfg(feature = "mcp4725")]
pub mod mcp4725;

#[cfg(all(feature = "esp32", not(feature = "mcp4725")))]
pub use dac::OnChipDac as MeterOutput;
#[cfg(not(any(feature = "mcp4725", feature = "esp32")))]
pub use ledc::PwmOutput as MeterOutput;
#[cfg(feature = "mcp4725")]
pub use mcp4725::DacOutput as MeterOutput;

use core::fmt;

/// Why the output could not be set up or driven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputError {
    /// The LEDC timer refused the frequency and resolution.
    #[cfg(not(any(feature = "mcp4725", feature = "esp32")))]
    PwmTimer,
    /// The LEDC channel could not be configured.
    #[cfg(not(any(feature = "mcp4725", feature = "esp32")))]
    PwmChannel,
    /// The DAC did not acknowledge a write.
    #[cfg(feature = "mcp4725")]
    I2cWrite,
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match *self {
            #[cfg(not(any(feature = "mcp4725", feature = "esp32")))]
            Self::PwmTimer => "the LEDC timer cannot make this PWM frequency at this resolution",
            #[cfg(not(any(feature = "mcp4725", feature = "esp32")))]
            Self::PwmChannel => "the LEDC channel could not be configured",
            #[cfg(feature = "mcp4725")]
            Self::I2cWrite => "the MCP4725 did not acknowledge the write",
        })
    }
}

impl core::error::Error for OutputError {}
