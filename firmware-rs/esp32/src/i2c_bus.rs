//! The board's one I2C bus: I2C0 at 400 kHz on `PINS.sda`/`PINS.scl`, async, shared by the MCP4725 (the meter's
//! DAC, `mcp4725` feature) and the OLED (`oled` feature) through embassy-embedded-hal's
//! [`I2cDevice`](embassy_embedded_hal::shared_bus::asynch::i2c::I2cDevice) over an embassy-sync mutex.
//!
//! Each I2C write takes the bus for itself alone: the display sends a page as 16-byte writes (display-interface-i2c
//! 0.5), so the DAC, whose code changes every 10 ms, waits at most one such write (18 bytes, about 0.4 ms at
//! 400 kHz), never a whole frame. embedded-hal-bus shares an I2C bus only for blocking drivers (its `i2c` module
//! has no async device), which would stall the executor for a frame; this is the async counterpart.
//!
//! A part that does not answer leaves the board running and is named by [`missing`] in the status.

use core::fmt;

use embassy_embedded_hal::shared_bus::asynch::i2c::I2cDevice;
use embassy_sync::{blocking_mutex::raw::CriticalSectionRawMutex, mutex::Mutex};
use esp_hal::{
    Async,
    gpio::AnyPin,
    i2c::master::{BusTimeout, Config, I2c},
    peripherals::I2C0,
    time::Rate,
};
use static_cell::StaticCell;

use crate::board::PINS;

/// The bus, locked for one I2C transaction at a time.
pub type Bus = Mutex<CriticalSectionRawMutex, I2c<'static, Async>>;
/// One part's handle on the bus.
pub type BusDevice = I2cDevice<'static, CriticalSectionRawMutex, I2c<'static, Async>>;

/// The bus clock: both parts take fast mode.
pub const FREQUENCY_KHZ: u32 = 400;
/// How long SCL may stay unchanged before a transaction is abandoned, in bus cycles (2.5 ms at 400 kHz): neither
/// part stretches the clock, so only a shorted or stuck line trips it, and it must not hold the bus for ever.
const STUCK_BUS_CYCLES: u32 = 1_000;

/// Why the bus could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusError;

impl fmt::Display for BusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the I2C bus could not be configured")
    }
}

impl core::error::Error for BusError {}

/// Opens the bus on the board's I2C pins. Call once.
pub fn open(i2c: I2C0<'static>) -> Result<&'static Bus, BusError> {
    static BUS: StaticCell<Bus> = StaticCell::new();
    let config = Config::default()
        .with_frequency(Rate::from_khz(FREQUENCY_KHZ))
        .with_timeout(BusTimeout::BusCycles(STUCK_BUS_CYCLES));
    // SAFETY: board::PINS checked at build time that the I2C pins are distinct from the others, exist and are not
    // flash or USB pins, and no other driver takes them. Stolen pins are pin singletons, so the driver enables
    // their internal pull-ups; the modules' own 4.7–10 kΩ pull-ups do the real work.
    let (sda, scl) = unsafe { (AnyPin::steal(PINS.sda), AnyPin::steal(PINS.scl)) };
    let i2c = I2c::new(i2c, config).map_err(|_| BusError)?.with_sda(sda).with_scl(scl).into_async();
    Ok(BUS.init(Mutex::new(i2c)))
}

/// The parts on the bus that do not answer now; `None` when all do.
pub fn missing() -> Option<alloc::vec::Vec<sysboy_protocol::Part>> {
    let mut parts = alloc::vec::Vec::new();
    #[cfg(feature = "mcp4725")]
    if crate::output::mcp4725::missing() {
        parts.push(sysboy_protocol::Part::Mcp4725);
    }
    #[cfg(feature = "oled")]
    if crate::oled::missing() {
        parts.push(sysboy_protocol::Part::Display);
    }
    (!parts.is_empty()).then_some(parts)
}
