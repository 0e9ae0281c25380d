//! The simulated meter output: a 10-bit PWM output as the hello announces it, whose code goes into the panel's
//! status line (with the device's address) where the ESP32 would write it to LEDC.

use core::cell::RefCell;
use core::convert::Infallible;

use embassy_net::Stack;
use sysboy_device::board::AnalogOutput;
use sysboy_device::meter::max_code_for_bits;
use sysboy_protocol::OutputKind;

use crate::panel::Panel;

/// The simulated output's resolution.
pub const BITS: u8 = 10;
/// The simulated output's largest code.
pub const MAX_CODE: u16 = max_code_for_bits(BITS);
/// The simulated output as the hello announces it.
pub const KIND: (OutputKind, u8) = (OutputKind::Pwm, BITS);

/// The meter's drive, shown on the panel.
pub struct PanelOutput {
    /// Where the code is shown.
    pub panel: &'static RefCell<Panel>,
    /// The station's stack, for the address on the status line.
    pub stack: Stack<'static>,
}

impl AnalogOutput for PanelOutput {
    type Error = Infallible;

    fn kind(&self) -> (OutputKind, u8) {
        KIND
    }

    fn max_code(&self) -> u16 {
        MAX_CODE
    }

    fn write(&mut self, code: u16) -> Result<(), Infallible> {
        let ip = sysboy_device::net::station::address(self.stack).map(|ip| ip.to_string());
        self.panel.borrow_mut().show(code.min(MAX_CODE), ip);
        Ok(())
    }
}
