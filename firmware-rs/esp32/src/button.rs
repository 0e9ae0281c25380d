//! The button pin: a GPIO to ground with the internal pull-up, sampled by `sysboy-device`'s
//! [`watch_button`](sysboy_device::board::gestures::watch_button): a short press goes to the host session (next
//! metric); a long press goes to provisioning, which erases the settings and restarts into the portal.

use esp_hal::gpio::{AnyPin, Input, InputConfig, Pull};
use sysboy_device::board::{BUTTON_TICK_MS, gestures::{self, Gestures}};
use sysboy_device::button::ButtonConfig;

use crate::provisioning::RESET;

/// Gestures waiting for the host session; a full queue (no session) drops new ones.
pub static GESTURES: Gestures = Gestures::new();

/// Samples the button for ever and passes each gesture on.
#[embassy_executor::task]
pub async fn watch(pin: AnyPin<'static>) {
    let input = Input::new(pin, InputConfig::default().with_pull(Pull::Up));
    let config = ButtonConfig::new(BUTTON_TICK_MS).expect("a 10 ms tick is a usable button tick");
    // Pressed pulls the pin to ground.
    gestures::watch_button(config, || input.is_low(), &RESET, &GESTURES).await
}
