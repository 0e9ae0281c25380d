//! The button pin: a GPIO to ground with the internal pull-up, sampled every 10 ms into `sysboy-device`'s
//! debouncer, which turns presses into gestures. A long press goes to provisioning, which erases the settings.

use embassy_time::{Duration, Ticker};
use esp_hal::gpio::{AnyPin, Input, InputConfig, Pull};
use sysboy_device::button::{Button, ButtonConfig, Gesture};

use crate::provisioning::RESET;

/// How often the pin is sampled, ms.
const TICK_MS: u32 = 10;

/// Samples the button for ever and passes each gesture on.
#[embassy_executor::task]
pub async fn watch(pin: AnyPin<'static>) {
    let input = Input::new(pin, InputConfig::default().with_pull(Pull::Up));
    let mut button = Button::new(ButtonConfig::new(TICK_MS).expect("a 10 ms tick is a usable button tick"));
    let mut ticker = Ticker::every(Duration::from_millis(u64::from(TICK_MS)));
    loop {
        ticker.next().await;
        // Pressed pulls the pin to ground.
        match button.sample(input.is_low()) {
            Some(Gesture::NextMetric) => log::info!("button: next metric"),
            Some(Gesture::ResetSettings) => {
                log::warn!("button: long press, forgetting the settings");
                RESET.signal(());
            }
            None => {}
        }
    }
}
