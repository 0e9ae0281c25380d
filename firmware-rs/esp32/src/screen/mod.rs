//! The board's screens: `sysboy-device`'s [`Screens`] (what each screen shows, fed by the host session and the
//! provisioning driver), shared with the task of each display that shows one of them.
//!
//! # Overview
//! `main` finds the displays at boot (the OLED if it answers on I2C, the TFT whenever the build has one: SPI
//! cannot tell), makes one [`Screens`] of their specs with [`share`], and starts each display's task with its
//! screen's index: [`oled`] sends the changed runs of its 1-bit pages, [`tft`] draws the colour scenes band by
//! band and applies the host's stream rectangles. Each task looks at the screens every [`TICK`], and at once when
//! [`wake`] is called (an action of the session, a provisioning event).

#[cfg(feature = "tft")]
mod bands;
#[cfg(feature = "oled")]
pub mod oled;
#[cfg(feature = "tft")]
pub mod tft;

use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use embassy_sync::{
    blocking_mutex::{Mutex, raw::{CriticalSectionRawMutex, NoopRawMutex}},
    signal::Signal,
};
use embassy_time::Duration;
use static_cell::StaticCell;
use sysboy_device::link::{LinkConfig, LinkConfigError};
use sysboy_device::screen::{ScreenSpec, Screens};

/// The screens, shared by the session (readings, configs, presses), provisioning (the names the state scene shows)
/// and the display tasks. All run on the one executor, so a no-op mutex is enough: drawing a scene under it does
/// not hold off interrupts the way a critical section would.
pub type SharedScreens = Mutex<NoopRawMutex, RefCell<Screens>>;

/// How often the screens are ticked: carousels, readings going stale and alerts are judged at this pace.
pub const TICK: Duration = Duration::from_millis(100);

/// Something changed that a display task should look at before its next tick: one signal per task, as a signal
/// wakes one waiter.
#[cfg(feature = "oled")]
static OLED_WAKE: Signal<CriticalSectionRawMutex, ()> = Signal::new();
#[cfg(feature = "tft")]
static TFT_WAKE: Signal<CriticalSectionRawMutex, ()> = Signal::new();

/// Asks the display tasks to look at the screens now rather than at their next tick.
pub fn wake() {
    #[cfg(feature = "oled")]
    OLED_WAKE.signal(());
    #[cfg(feature = "tft")]
    TFT_WAKE.signal(());
}

/// The screens [`Screens::tick`] said to draw and whose task has not looked yet: the tick gives every screen's at
/// once (and clears them), and each task takes its own.
static REDRAW: Mutex<CriticalSectionRawMutex, Cell<u8>> = Mutex::new(Cell::new(0));

/// Ticks the screens to `now_ms` and says whether screen `screen` is to be drawn again, keeping the other screens'
/// redraws for their tasks.
pub fn tick(screens: &mut Screens, now_ms: u64, screen: usize) -> bool {
    let ticked = screens.tick(now_ms).screens().fold(0u8, |mask, index| mask | 1 << index);
    let own = 1u8 << screen;
    REDRAW.lock(|pending| {
        let all = pending.get() | ticked;
        pending.set(all & !own);
        all & own != 0
    })
}

/// The board's screens, one per display found; `None` without any. Call once.
pub fn share(specs: Vec<ScreenSpec>) -> Option<&'static SharedScreens> {
    if specs.is_empty() {
        return None;
    }
    static SCREENS: StaticCell<SharedScreens> = StaticCell::new();
    Some(SCREENS.init(Mutex::new(RefCell::new(Screens::new(specs)))))
}

/// The displays found at boot.
#[derive(Clone, Copy, Default)]
pub struct Displays {
    /// The screens, when the board has a display.
    pub screens: Option<&'static SharedScreens>,
    /// The TFT, for the session's stream rectangles.
    #[cfg(feature = "tft")]
    pub tft: Option<&'static tft::SharedTft>,
}

impl Displays {
    /// Whether the board takes a stream: it has a TFT.
    pub fn streams(&self) -> bool {
        #[cfg(feature = "tft")]
        return self.tft.is_some();
        #[cfg(not(feature = "tft"))]
        false
    }
}

/// The link settings with the board's screens announced in the hello, and with `streams` the stream buffer and
/// encodings its TFT takes ([`tft::spec`] says the TFT takes a stream, as the hello then does).
pub fn announce(link: LinkConfig, screens: &SharedScreens, streams: bool) -> Result<LinkConfig, LinkConfigError> {
    let specs = screens.lock(|screens| screens.borrow().specs().to_vec());
    let link = link.with_screens(&specs);
    let link = if streams { link.with_stream_buffer(sysboy_device::board::STREAM_BUFFER) } else { link };
    link.checked()
}
