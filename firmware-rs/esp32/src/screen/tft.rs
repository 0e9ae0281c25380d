//! The TFT's screen: its screen of the shared [`Screens`] drawn in colour band by band ([`Bands`]), and the host's
//! stream rectangles applied, on the [`Tft`].
//!
//! # Overview
//! The panel and one 8 KiB pixel buffer ([`STREAM_BUFFER`]) are a [`SharedTft`], used by two tasks on the one
//! executor, each time whole between two awaits:
//! - the TFT task ([`start`]), at every [`TICK`] and whenever [`wake`](super::wake) is called, tells the screens
//!   the board's state, ticks them and, when they say the screen changed, draws it again: each band of rows is
//!   drawn into the buffer, sent when it differs from what the panel shows, and the task yields before the next,
//!   so the executor is held for one band at a time: drawing it (the whole scene, clipped: about 5–10 ms on a C3,
//!   estimated from an instruction count) and writing it (8 KiB, 1.6 ms at 40 MHz). A redraw that a change
//!   overtakes half-way is finished by the next one, which sends only the bands that differ;
//! - the station's session hands each stream rectangle to [`draw_stream`], which checks the payload (unpacking
//!   LZ4 into the buffer) and has [`Screens::show_stream`] write it with one window write while the screen shows
//!   the `stream` scene; the session yields between rectangles as it waits for the next frame.
//!
//! While the screen shows the stream, the task draws no band (the picture is the host's), and the band
//! fingerprints are forgotten, so the scene that follows is sent whole.
//!
//! The panel's RAM holds noise from power-up: the backlight comes on once the first picture is whole.
//!
//! # Configuration
//! A brightness of 0 turns the backlight off, any other lights it (the pin is on or off); a rotation of 2 (half a
//! turn) turns the controller's addressing, and the whole picture is sent again.

use core::cell::RefCell;

use embassy_executor::Spawner;
use embassy_futures::{select::select, yield_now};
use embassy_sync::blocking_mutex::{Mutex, raw::NoopRawMutex};
use embassy_time::{Instant, Ticker};
use embedded_graphics::prelude::{DrawTarget, Size};
use static_cell::StaticCell;
use sysboy_device::board::STREAM_BUFFER;
use sysboy_device::screen::{DEFAULT_BRIGHTNESS, ScreenSpec, Screens};
use sysboy_device::status_light::Heard;
use sysboy_device::stream::{Decoder, StreamError};
use sysboy_protocol::StreamRect;

use super::{SharedScreens, TFT_WAKE, TICK, bands::Bands};
use crate::tft::{Tft, TftError, panel::PANEL};

/// The panel and the pixel buffer that scene bands and unpacked stream rectangles take in turn.
pub struct TftShare {
    tft: Tft,
    pixels: [u8; STREAM_BUFFER],
}

/// The TFT as the TFT task and the station's session share it; each borrow ends before the next await.
pub type SharedTft = Mutex<NoopRawMutex, RefCell<TftShare>>;

/// The TFT as the hello announces it: the board's TFT at the panel's picture size, taking a stream (the hello
/// announces [`STREAM_BUFFER`], so [`ScreenSpec::from_hello`] finds the same).
pub fn spec() -> ScreenSpec {
    ScreenSpec { stream: true, ..sysboy_device::board::tft(PANEL.width(), PANEL.height()) }
}

/// Shares `tft` and starts the task that shows screen `screen` of `screens` on it. Call once.
pub fn start(spawner: &Spawner, screens: &'static SharedScreens, screen: usize, tft: Tft) -> &'static SharedTft {
    // A static, not the heap: the panel and its buffer are there for the whole run.
    static SHARED: StaticCell<SharedTft> = StaticCell::new();
    let shared: &'static SharedTft = SHARED.init(Mutex::new(RefCell::new(TftShare { tft, pixels: [0; STREAM_BUFFER] })));
    let size = Size::new(u32::from(PANEL.width()), u32::from(PANEL.height()));
    let bands = Bands::new(size, STREAM_BUFFER).expect("a panel of at most 320 columns and 240 rows takes at most MAX_BANDS bands");
    spawner.spawn(run(screens, screen, shared, bands).expect("the TFT task is spawned once"));
    shared
}

/// Checks stream rectangle `rect`'s payload and shows it on the TFT while its screen shows the stream (see the
/// module docs); a payload the decoder refuses draws nothing and goes back to the host as refused.
pub fn draw_stream(screens: &SharedScreens, shared: &SharedTft, rect: &StreamRect, payload: &[u8], now_ms: u64) -> Result<(), StreamError> {
    let shown = shared.lock(|share| -> Result<Result<bool, TftError>, StreamError> {
        let TftShare { tft, pixels } = &mut *share.borrow_mut();
        let mut decoder = Decoder::new(pixels);
        let pixels = decoder.check(rect, payload)?;
        Ok(screens.lock(|screens| screens.borrow_mut().show_stream(&rect.stream, &pixels, now_ms, tft)))
    })?;
    match shown {
        Ok(true) => {}
        // The first rectangle may have made the stream live: the task hears it now rather than at its tick.
        Ok(false) => super::wake(),
        Err(error) => log::warn!("screen: {error}"),
    }
    Ok(())
}

/// Why a redraw stopped.
enum Stopped {
    /// The screen shows the stream now: the host draws it.
    Streaming,
    /// The panel refused a write.
    Failed(TftError),
}

/// Ticks the screens and draws the TFT's for ever.
#[embassy_executor::task]
async fn run(screens: &'static SharedScreens, screen: usize, shared: &'static SharedTft, mut bands: Bands) -> ! {
    let mut ticker = Ticker::every(TICK);
    let mut alerting = false;
    // Dark until the first picture is whole.
    let mut lit: Option<bool> = None;
    let mut redraw = true;
    loop {
        let now = Instant::now();
        let state = crate::status_light::state();
        let (upside_down, light, alert) = screens.lock(|screens| {
            let mut screens = screens.borrow_mut();
            screens.board_state(state);
            redraw |= super::tick(&mut screens, now.as_millis(), screen);
            let light = screens.brightness(screen).unwrap_or(DEFAULT_BRIGHTNESS) > 0;
            (screens.rotation(screen) == Some(2), light, screens.alerting())
        });
        if alert != alerting {
            alerting = alert;
            crate::status_light::hear(Heard::Alert(alert));
        }
        match shared.lock(|share| share.borrow_mut().tft.set_upside_down(upside_down)) {
            Ok(false) => {}
            Ok(true) => {
                bands.invalidate();
                redraw = true;
            }
            Err(error) => log::warn!("screen: {error}"),
        }
        let mut whole = !redraw;
        if redraw {
            match draw(screens, screen, shared, &mut bands).await {
                Ok(()) => {
                    redraw = false;
                    whole = true;
                }
                // The stream's rectangles draw the picture; the scene after it goes out whole.
                Err(Stopped::Streaming) => {
                    bands.invalidate();
                    redraw = false;
                    whole = true;
                }
                // Sent again next time; SPI has no acknowledgement, so this is the DMA's own error.
                Err(Stopped::Failed(error)) => log::warn!("screen: {error}"),
            }
        }
        if whole && lit != Some(light) {
            shared.lock(|share| share.borrow_mut().tft.set_backlight(light));
            lit = Some(light);
        }

        select(ticker.next(), TFT_WAKE.wait()).await;
    }
}

/// Draws the screen band by band, sending each band that changed, and yields between bands; stops when the
/// screen turns to the stream.
async fn draw(screens: &SharedScreens, screen: usize, shared: &SharedTft, bands: &mut Bands) -> Result<(), Stopped> {
    for index in 0..bands.count() {
        shared.lock(|share| {
            let TftShare { tft, pixels } = &mut *share.borrow_mut();
            let mut band = bands.band(index, pixels);
            screens.lock(|screens| draw_band(&screens.borrow(), screen, &mut band))?;
            if bands.take_changed(&band) {
                let area = band.area();
                tft.fill_contiguous(&area, band.colors()).map_err(|error| {
                    bands.invalidate();
                    Stopped::Failed(error)
                })?;
            }
            Ok(())
        })?;
        yield_now().await;
    }
    Ok(())
}

/// Draws `screen` into `band`, unless it shows the stream.
fn draw_band(screens: &Screens, screen: usize, band: &mut super::bands::Band<'_>) -> Result<(), Stopped> {
    if screens.shows_stream(screen) {
        return Err(Stopped::Streaming);
    }
    let Ok(()) = screens.draw(screen, band);
    Ok(())
}
