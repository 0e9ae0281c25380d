//! The button task: the simulated pin (held down for a while by each console press) sampled every tick through
//! `sysboy_device::button`'s debouncer, as the ESP32 samples its GPIO; gestures go to the station, and a long
//! press also raises [`RESET`], so the settings are erased, session or not.

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embassy_time::{Duration, Instant, Ticker};
use sysboy_device::button::{Button, ButtonConfig, Gesture};
use sysboy_device::net::provisioning::ResetSignal;

use crate::console::{Commands, ConsoleCommand};

/// The simulated device's one button.
pub const BUTTON: &str = "select";
/// The pin's sampling tick.
pub const TICK_MS: u32 = 10;
/// How long a short press holds the pin: a quick thumb.
const SHORT_HOLD: Duration = Duration::from_millis(150);
/// How long past the long-press time a long press holds the pin.
const LONG_EXTRA: Duration = Duration::from_millis(300);

/// The long press, for whichever task owns the flash: the provisioning driver with an access point, the
/// settings task without one.
pub static RESET: ResetSignal = ResetSignal::new();

/// Gestures waiting for the station.
pub type Gestures = Channel<CriticalSectionRawMutex, Gesture, 4>;

/// Samples the simulated pin for ever.
#[embassy_executor::task]
pub async fn run(
    config: ButtonConfig,
    long_press: Duration,
    commands: &'static Commands,
    gestures: &'static Gestures,
) -> ! {
    let mut button = Button::new(config);
    let mut ticker = Ticker::every(Duration::from_millis(u64::from(TICK_MS)));
    let mut released_at = Instant::MIN;
    loop {
        ticker.next().await;
        let now = Instant::now();
        if let Ok(command) = commands.try_receive() {
            let hold = match command {
                ConsoleCommand::PressShort => SHORT_HOLD,
                ConsoleCommand::PressLong | ConsoleCommand::Quit => long_press + LONG_EXTRA,
            };
            released_at = now + hold;
        }
        if let Some(gesture) = button.sample(now < released_at) {
            // The long press resets the settings (and provisioning), whether or not a session is open.
            if gesture == Gesture::ResetSettings {
                RESET.signal(());
            }
            // A full queue means nobody is taking gestures (no session); a press then does nothing, as on the board.
            let _ = gestures.try_send(gesture);
        }
    }
}
