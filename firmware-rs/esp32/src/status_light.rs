//! The status LED: `sysboy-device`'s [`StatusLight`] (the board's state from what the provisioning driver and the
//! station report, and from the screen whether an alert is on) shown on the board's LED, and the needle's portal
//! sweep set from the same state. While an alert is on, the LED blinks red.
//!
//! # Overview
//! The provisioning and station wiring tell [`hear`] what happened; [`start`] spawns a task that ticks every
//! [`TICK`] and drives the LED:
//! - by default the addressable RGB LED of the ESP32-C3-DevKitM-1 and ESP32-C6-DevKitC-1 (an SK68XXMINI-HS,
//!   WS2812-compatible, on GPIO8 of both), through RMT with `esp-hal-smartled`;
//! - with `--features status-led-plain`, a plain LED (to ground through a resistor) on `SYSBOY_LED_GPIO`, which
//!   shows the state by its pattern alone;
//! - with `--features status-led-off`, no LED (the pin stays free); the needle still sweeps in the portal.
//!
//! # Configuration
//! `SYSBOY_LED_GPIO` at build time moves the LED (see `board.rs`); [`BRIGHTNESS`] caps the RGB LED.

use core::cell::RefCell;
use core::fmt;

use embassy_executor::Spawner;
use embassy_sync::blocking_mutex::{Mutex, raw::CriticalSectionRawMutex};
use embassy_time::{Duration, Instant, Ticker};
use sysboy_device::status_light::{BoardState, Heard, StatusLight};

use crate::meter::SharedMeter;

#[cfg(all(feature = "status-led-plain", feature = "status-led-off"))]
compile_error!("choose one status LED: `status-led-plain` (a plain LED on SYSBOY_LED_GPIO) or `status-led-off` (none), not both");

/// How often the LED is redrawn: fast enough that a 100 ms blink and a breath look smooth.
pub const TICK: Duration = Duration::from_millis(20);
/// The RGB LED's level at full scale, of 255: the dev kits' LED at full current lights up a room.
pub const BRIGHTNESS: u8 = 24;

/// The board's state as the LED task shows it, fed by the provisioning and station tasks.
static LIGHT: Mutex<CriticalSectionRawMutex, RefCell<StatusLight>> =
    Mutex::new(RefCell::new(StatusLight::new().with_brightness(BRIGHTNESS)));

/// Tells the status light what the board heard.
pub fn hear(heard: Heard) {
    LIGHT.lock(|light| light.borrow_mut().hear(heard));
}

/// The board's state as the light shows it, for the screen's state scene and the status to the host.
pub fn state() -> BoardState {
    LIGHT.lock(|light| light.borrow().state())
}

/// Why the LED could not be driven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Only the RMT LED can fail; the plain and absent ones keep the same signatures.
#[cfg_attr(any(feature = "status-led-plain", feature = "status-led-off"), allow(dead_code))]
pub enum LedError {
    /// The RMT peripheral or its channel refused the configuration.
    Rmt,
    /// The LED's pulse timing cannot be made at the RMT clock.
    Timing,
    /// A colour could not be sent.
    Transmit,
}

impl fmt::Display for LedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rmt => f.write_str("the RMT peripheral refused the status LED's settings"),
            Self::Timing => f.write_str("the status LED's pulse timing cannot be made at the RMT clock"),
            Self::Transmit => f.write_str("the status LED's colour could not be sent"),
        }
    }
}

impl core::error::Error for LedError {}

#[cfg(not(any(feature = "status-led-plain", feature = "status-led-off")))]
mod led {
    //! The addressable RGB LED over RMT.
    use esp_hal::{Blocking, gpio::AnyPin, peripherals::RMT, rmt::Rmt, time::Rate};
    use esp_hal_smartled::{RmtSmartLeds, SK68XX_TIMING, buffer_size, color_order::Grb};
    use smart_leds_trait::{RGB8, SmartLedsWrite};
    use sysboy_device::status_light::{Rgb, StatusLight};

    use super::LedError;

    /// The RMT clock: 80 MHz gives 12.5 ns steps, far finer than the LED's ±150 ns tolerance.
    const RMT_CLOCK_MHZ: u32 = 80;

    /// One SK68XX / WS2812 LED on an RMT channel.
    pub struct Led {
        driver: RmtSmartLeds<'static, { buffer_size::<RGB8>(1) }, Blocking, RGB8, Grb>,
        shown: Option<Rgb>,
    }

    impl Led {
        /// The LED on `pin`, driven by RMT channel 0. The dev kits' SK68XXMINI-HS takes its bits as
        /// 0 = 0.32 µs high + 0.88 µs low and 1 = 0.64 µs high + 0.56 µs low, green byte first, latched by
        /// ≥ 80 µs low (SK68XX_TIMING; WS2812B parts accept the same within their ±150 ns).
        pub fn new(rmt: RMT<'static>, pin: AnyPin<'static>) -> Result<Self, LedError> {
            let rmt = Rmt::new(rmt, Rate::from_mhz(RMT_CLOCK_MHZ)).map_err(|_| LedError::Rmt)?;
            let driver = RmtSmartLeds::new(SK68XX_TIMING, rmt.channel0, pin, Rate::from_mhz(RMT_CLOCK_MHZ)).map_err(|error| match error {
                esp_hal_smartled::Error::Timing => LedError::Timing,
                esp_hal_smartled::Error::RmtConfig(_) => LedError::Rmt,
            })?;
            Ok(Self { driver, shown: None })
        }

        /// Shows the light at `now_ms`; a colour already shown is not sent again.
        pub fn show(&mut self, light: &StatusLight, now_ms: u64) -> Result<(), LedError> {
            let colour = light.colour_at(now_ms);
            if self.shown == Some(colour) {
                return Ok(());
            }
            // Forgotten first, so a failed write is tried again on the next tick.
            self.shown = None;
            self.driver.write([RGB8::new(colour.r, colour.g, colour.b)]).map_err(|_| LedError::Transmit)?;
            self.shown = Some(colour);
            Ok(())
        }
    }
}

#[cfg(all(feature = "status-led-plain", not(feature = "status-led-off")))]
mod led {
    //! A plain LED on a GPIO, lit high.
    use esp_hal::gpio::{AnyPin, Level, Output, OutputConfig};
    use esp_hal::peripherals::RMT;
    use sysboy_device::status_light::StatusLight;

    use super::LedError;

    /// A plain LED: on or off, so the pattern carries the state.
    pub struct Led {
        pin: Output<'static>,
    }

    impl Led {
        /// The LED on `pin`; RMT stays unused.
        pub fn new(_rmt: RMT<'static>, pin: AnyPin<'static>) -> Result<Self, LedError> {
            Ok(Self { pin: Output::new(pin, Level::Low, OutputConfig::default()) })
        }

        /// Shows the light at `now_ms`.
        pub fn show(&mut self, light: &StatusLight, now_ms: u64) -> Result<(), LedError> {
            self.pin.set_level(if light.lit_at(now_ms) { Level::High } else { Level::Low });
            Ok(())
        }
    }
}

#[cfg(feature = "status-led-off")]
mod led {
    //! No LED: the state still sets the needle's portal sweep.
    use esp_hal::peripherals::RMT;
    use sysboy_device::status_light::StatusLight;

    use super::LedError;

    /// No LED at all.
    pub struct Led;

    impl Led {
        /// Takes no pin; RMT stays unused.
        pub fn new(_rmt: RMT<'static>) -> Result<Self, LedError> {
            Ok(Self)
        }

        /// Shows nothing.
        pub fn show(&mut self, _light: &StatusLight, _now_ms: u64) -> Result<(), LedError> {
            Ok(())
        }
    }
}

pub use led::Led;

/// Starts the status LED and the task that drives it and the needle's portal sweep. An LED that cannot be set up
/// is logged and left dark; the needle still shows the portal.
pub fn start(spawner: &Spawner, rmt: esp_hal::peripherals::RMT<'static>, meter: &'static SharedMeter) {
    #[cfg(not(feature = "status-led-off"))]
    // SAFETY: board::PINS checked at build time that the LED's pin is distinct from the others, exists and is
    // not a flash or USB pin, and no other driver takes it.
    let led = Led::new(rmt, unsafe { esp_hal::gpio::AnyPin::steal(crate::board::PINS.led) });
    #[cfg(feature = "status-led-off")]
    let led = Led::new(rmt);
    let led = match led {
        Ok(led) => Some(led),
        Err(error) => {
            log::error!("status LED: {error}; the LED stays dark");
            None
        }
    };
    spawner.spawn(run(led, meter).expect("the status LED task is spawned once"));
}

/// Redraws the LED every tick, and opens or closes the needle's portal sweep when the state changes.
#[embassy_executor::task]
async fn run(mut led: Option<Led>, meter: &'static SharedMeter) -> ! {
    let mut ticker = Ticker::every(TICK);
    let mut shown: Option<BoardState> = None;
    let mut failing = false;
    loop {
        ticker.next().await;
        let now = Instant::now().as_millis();
        let light = LIGHT.lock(|light| light.borrow().clone());
        let state = light.state();
        if shown != Some(state) {
            log::info!("status: {state} ({} {})", state.colour_name(), state.look().pattern.as_str());
            meter.lock(|meter| meter.borrow_mut().set_portal_open(state == BoardState::PortalOpen));
            shown = Some(state);
        }
        let Some(led) = led.as_mut() else { continue };
        match led.show(&light, now) {
            Ok(()) => failing = false,
            Err(error) if !failing => {
                // Once per run of failures, so a bad LED does not flood the log.
                log::warn!("status LED: {error}");
                failing = true;
            }
            Err(_) => {}
        }
    }
}
