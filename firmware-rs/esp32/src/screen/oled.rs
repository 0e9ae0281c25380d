//! The OLED's screen: its screen of the shared [`Screens`](sysboy_device::screen::Screens) drawn into its page
//! framebuffer [`Pages`], and only the pages that changed sent to the display ([`crate::oled`]).
//!
//! # Overview
//! [`probe`] looks for the display at boot. When one answers, the board has this screen: the hello announces it,
//! the button steps its scenes, and [`start`]'s task, at every [`TICK`] and whenever [`wake`](super::wake) is
//! called (an action of the session, a provisioning event), tells the screens the board's state, ticks them, draws
//! the screen when they say it changed, and writes the changed run of each dirty page. The status light hears from
//! it whether an alert is on, and blinks while one is.
//!
//! When none answers, the board shows no OLED (the button still asks the host for the next metric unless a TFT is
//! there) and the status names the display missing; a display fitted later is used after a restart. A display
//! that stops answering (a loose wire) is looked for again every [`REPROBE`]; meanwhile the screen is still drawn,
//! the status names it missing, and when it answers again its RAM is taken as unknown and every page is sent.
//!
//! # Configuration
//! The screen's brightness becomes the SSD1306's contrast ([`contrast`]); a rotation of 2 (half a turn) flips the
//! controller's segment and COM scan directions, so the frame is drawn upright either way.

use embassy_executor::Spawner;
use embassy_futures::select::select;
use embassy_time::{Duration, Instant, Ticker};
use embedded_graphics::prelude::Size;
use static_cell::StaticCell;
use sysboy_device::screen::{Pages, contrast};
use sysboy_device::status_light::Heard;

use super::{OLED_WAKE, SharedScreens, TICK};
use crate::i2c_bus::Bus;
use crate::oled::{self, HEIGHT, Oled, OledError, WIDTH};

/// How long a display that did not answer is left before it is looked for again.
pub const REPROBE: Duration = Duration::from_secs(5);
/// The framebuffer's bytes: the frame and the copy of what the panel shows, 2 KiB for 128×64.
const PAGES_LEN: usize = match Pages::len(Size::new(WIDTH as u32, HEIGHT as u32)) {
    Some(len) => len,
    None => panic!("the OLED's height is whole pages"),
};

/// Looks for the display on `bus`; `None` when none answers (and the status names it missing).
pub async fn probe(bus: &'static Bus) -> Option<Oled> {
    match Oled::probe(bus).await {
        Ok(display) => {
            log::info!("screen: display at {:#04x}", display.address());
            Some(display)
        }
        Err(error) => {
            log::warn!("screen: {error}; running without the display (restart the board to use one fitted later)");
            oled::set_missing(true);
            None
        }
    }
}

/// Starts the task that shows screen `screen` of `screens` on `display`, found on `bus`. Call once.
pub fn start(spawner: &Spawner, bus: &'static Bus, screens: &'static SharedScreens, screen: usize, display: Oled) {
    // A static, not the heap: the framebuffer is there for the whole run, and the heap's budget stays the device
    // logic's.
    static MEMORY: StaticCell<[u8; PAGES_LEN]> = StaticCell::new();
    let memory = MEMORY.init([0; PAGES_LEN]);
    let pages = Pages::new(memory, Size::new(u32::from(WIDTH), u32::from(HEIGHT))).expect("the buffer is Pages::len long");
    spawner.spawn(run(bus, screens, screen, pages, display).expect("the OLED task is spawned once"));
}

/// Ticks, draws and flushes the screen for ever.
#[embassy_executor::task]
async fn run(bus: &'static Bus, screens: &'static SharedScreens, screen: usize, mut pages: Pages<'static>, found: Oled) -> ! {
    let mut ticker = Ticker::every(TICK);
    let mut display = Some(found);
    let mut probe_at = Instant::now();
    let mut said_missing = false;
    let mut alerting = false;
    loop {
        let now = Instant::now();
        if display.is_none() && now >= probe_at {
            match Oled::probe(bus).await {
                Ok(found) => {
                    log::info!("screen: display at {:#04x}", found.address());
                    oled::set_missing(false);
                    said_missing = false;
                    // Its RAM holds noise from power-up: every page goes out.
                    pages.invalidate();
                    display = Some(found);
                }
                Err(error) => {
                    if !said_missing {
                        log::warn!("screen: {error}; looking again every {} s", REPROBE.as_secs());
                        said_missing = true;
                    }
                    probe_at = now + REPROBE;
                }
            }
        }

        let state = crate::status_light::state();
        let (look, alert) = screens.lock(|screens| {
            let mut screens = screens.borrow_mut();
            screens.board_state(state);
            if super::tick(&mut screens, now.as_millis(), screen) {
                let Ok(()) = screens.draw(screen, &mut pages);
            }
            let contrast = contrast(screens.brightness(screen).unwrap_or(sysboy_device::screen::DEFAULT_BRIGHTNESS));
            ((contrast, screens.rotation(screen) == Some(2)), screens.alerting())
        });
        if alert != alerting {
            alerting = alert;
            crate::status_light::hear(Heard::Alert(alert));
        }

        if let Some(found) = display.as_mut()
            && let Err(error) = flush(found, &mut pages, look).await
        {
            log::warn!("screen: {error}; looking for the display again in {} s", REPROBE.as_secs());
            oled::set_missing(true);
            display = None;
            probe_at = now + REPROBE;
        }

        select(ticker.next(), OLED_WAKE.wait()).await;
    }
}

/// Sends the look, then the changed run of each dirty page, then lights the panel; the pages count as flushed
/// only once all of them went out.
async fn flush(display: &mut Oled, pages: &mut Pages<'static>, (contrast, upside_down): (u8, bool)) -> Result<(), OledError> {
    display.set_look(contrast, upside_down).await?;
    let mut sent = false;
    for dirty in pages.dirty_pages() {
        // At most 8 pages of 128 columns: both fit a byte.
        display.write_page(dirty.page as u8, dirty.column as u8, dirty.bytes).await?;
        sent = true;
    }
    if sent {
        pages.flushed();
    }
    display.light().await
}
