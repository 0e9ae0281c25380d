//! The button pin: a GPIO to ground with the internal pull-up, sampled every 10 ms into `sysboy-device`'s
//! debouncer, which turns presses into gestures. A short press goes to the host session (next metric); a long
//! press goes to provisioning, which erases the settings and restarts into the portal.

use embassy_sync::{blocking_mutex::raw::CriticalSectionRawMutex, channel::Channel};
use embassy_time::{Duration, Ticker};
use esp_hal::gpio::{AnyPin, Input, InputConfig, Pull};
use sysboy_device::button::{Button, ButtonConfig, Gesture};

use crate::provisioning::RESET;

/// The board's one button, as the hello names it.
pub const BUTTON: &str = "select";
/// How often the pin is sampled, ms.
const TICK_MS: u32 = 10;

/// Gestures waiting for the host session; a full queue (no session) drops new ones.
pub static GESTURES: Channel<CriticalSectionRawMutex, Gesture, 4> = Channel::new();

/// Samples the button for ever and passes each gesture on.
#[embassy_executor::task]
pub async fn watch(pin: AnyPin<'static>) {
    let input = Input::new(pin, InputConfig::default().with_pull(Pull::Up));
    let mut button = Button::new(ButtonConfig::new(TICK_MS).expect("a 10 ms tick is a usable button tick"));
    let mut ticker = Ticker::every(Duration::from_millis(u64::from(TICK_MS)));
    loop {
        ticker.next().await;
        // Pressed pulls the pin to ground.
        let Some(gesture) = button.sample(input.is_low()) else { continue };
        match gesture {
            Gesture::NextMetric => log::info!("button: next metric"),
            Gesture::ResetSettings => {
                log::warn!("button: long press, forgetting the settings");
                RESET.signal(());
            }
        }
        let _ = GESTURES.try_send(gesture);
    }
}
