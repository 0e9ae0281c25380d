//! LEDC PWM into an RC low-pass filter: 11 bits at 39 kHz from the 80 MHz APB clock.
//!
//! 80 MHz / 2^11 = 39.06 kHz, so the clock divider is just above 1.0 and periods stay alike; a 10 kΩ and
//! 1 µF filter (τ = 10 ms) leaves under 0.1 % ripple and settles well inside the needle's 300 ms ballistics.

use esp_hal::{
    gpio::{DriveMode, interconnect::PeripheralOutput},
    ledc::{
        LSGlobalClkSource, Ledc, LowSpeed,
        channel::{self, Channel, ChannelHW, ChannelIFace},
        timer::{self, Timer, TimerIFace},
    },
    peripherals::LEDC,
    time::Rate,
};
use static_cell::StaticCell;

use sysboy_device::board::AnalogOutput;

use super::OutputError;

/// PWM resolution, bits.
pub const RESOLUTION_BITS: u32 = 11;
/// PWM frequency.
pub const FREQUENCY_HZ: u32 = 39_000;

static LEDC_CELL: StaticCell<Ledc<'static>> = StaticCell::new();
static TIMER_CELL: StaticCell<Timer<'static, LowSpeed>> = StaticCell::new();

/// The meter on one LEDC low-speed channel.
pub struct PwmOutput {
    channel: Channel<'static, LowSpeed>,
}

impl PwmOutput {
    /// Takes the LEDC peripheral and drives `pin`, starting at code 0. Call once.
    pub fn new(ledc: LEDC<'static>, pin: impl PeripheralOutput<'static>) -> Result<Self, OutputError> {
        let ledc = LEDC_CELL.init(Ledc::new(ledc));
        ledc.set_global_slow_clock(LSGlobalClkSource::APBClk);
        let timer = TIMER_CELL.init(ledc.timer::<LowSpeed>(timer::Number::Timer0));
        timer
            .configure(timer::config::Config {
                duty: timer::config::Duty::Duty11Bit,
                clock_source: timer::LSClockSource::APBClk,
                frequency: Rate::from_hz(FREQUENCY_HZ),
            })
            .map_err(|_| OutputError::PwmTimer)?;
        let mut channel = ledc.channel(channel::Number::Channel0, pin);
        channel
            .configure(channel::config::Config { timer: &*timer, duty_pct: 0, drive_mode: DriveMode::PushPull })
            .map_err(|_| OutputError::PwmChannel)?;
        Ok(Self { channel })
    }
}

impl AnalogOutput for PwmOutput {
    type Error = OutputError;

    fn kind(&self) -> (sysboy_protocol::OutputKind, u8) {
        (sysboy_protocol::OutputKind::Pwm, RESOLUTION_BITS as u8)
    }

    fn max_code(&self) -> u16 {
        (1u16 << RESOLUTION_BITS) - 1
    }

    fn write(&mut self, code: u16) -> Result<(), Self::Error> {
        // The raw duty register takes 0..=2^bits; max_code() is one short of a steady high, which the RC
        // filter cannot tell apart and which keeps a code of 2047 a real PWM edge for a scope to see.
        self.channel.set_duty_hw(u32::from(code.min(self.max_code())));
        Ok(())
    }
}
