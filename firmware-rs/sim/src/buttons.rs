//! The button task: the simulated pin (held down for a while by each console press) sampled through
//! `sysboy_device::board::gestures::watch_button`, as the ESP32 samples its GPIO; gestures go to the station, and
//! a long press also raises [`RESET`], so the settings are erased, session or not.

use embassy_time::{Duration, Instant};
use sysboy_device::board::gestures::{self, Gestures};
use sysboy_device::button::ButtonConfig;
use sysboy_device::net::provisioning::ResetSignal;

use crate::console::{Commands, ConsoleCommand};

/// How long a short press holds the pin: a quick thumb.
const SHORT_HOLD: Duration = Duration::from_millis(150);
/// How long past the long-press time a long press holds the pin.
const LONG_EXTRA: Duration = Duration::from_millis(300);

/// The long press, for whichever task owns the flash: the provisioning driver with an access point, the
/// settings task without one.
pub static RESET: ResetSignal = ResetSignal::new();

/// Samples the simulated pin for ever.
#[embassy_executor::task]
pub async fn run(
    config: ButtonConfig,
    long_press: Duration,
    commands: &'static Commands,
    gestures: &'static Gestures,
) -> ! {
    let mut released_at = Instant::MIN;
    let pressed = move || {
        let now = Instant::now();
        if let Ok(command) = commands.try_receive() {
            let hold = match command {
                ConsoleCommand::PressShort => SHORT_HOLD,
                ConsoleCommand::PressLong | ConsoleCommand::Quit => long_press + LONG_EXTRA,
            };
            released_at = now + hold;
        }
        now < released_at
    };
    gestures::watch_button(config, pressed, &RESET, gestures).await
}
