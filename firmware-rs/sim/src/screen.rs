//! The simulated OLED: the device logic's [`Screens`] drawn into the board's page framebuffer, held in static
//! memory as on the board, with the bytes a page-tracking flush would send counted and the picture hashed for the
//! status line; and, on a `screen PATH` command, drawn into an embedded-graphics-simulator display and written as
//! PNG (no SDL).
//!
//! The framebuffer is off the device-logic heap count because the board keeps it in a static too; the PNG is
//! the simulator's own work (the board never makes one), so it is made off the count as well
//! ([`heap::uncounted`](crate::heap::uncounted)). The screens' figures and layouts are on the heap on both.

use std::cell::RefCell;
use std::path::Path;

use embassy_time::{Duration, Ticker};
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::Size;
use embedded_graphics_simulator::{OutputSettings, SimulatorDisplay};
use static_cell::StaticCell;
use sysboy_device::screen::{Pages, Screens};
use sysboy_protocol::ScreenShown;

use crate::console::ScreenRequests;
use crate::fnv::fnv1a;
use crate::now_ms;
use crate::panel::Panel;
use crate::report::ScreenStatus;

/// The largest OLED the simulator gives a device, width and height.
pub const MAX_OLED: (u16, u16) = (256, 128);
/// The framebuffer's bytes for the largest OLED: the frame and the copy of what was sent, a byte per column of
/// each 8-row page.
const BUFFER: usize = 2 * MAX_OLED.0 as usize * (MAX_OLED.1 as usize / 8);
/// How often the display loop looks at the screens: what a board's display task does, at 50 Hz.
const TICK: Duration = Duration::from_millis(20);

/// Whether the simulator can give a device an OLED of this size: within [`MAX_OLED`], whole 8-row pages.
pub fn fits(width: u16, height: u16) -> bool {
    width <= MAX_OLED.0 && height <= MAX_OLED.1 && Pages::len(Size::new(width.into(), height.into())).is_some()
}

/// The OLED's framebuffer and the figures of its flushes.
pub struct SimScreen {
    pages: Pages<'static>,
    size: Size,
    /// Bytes a page-tracking flush sent, all updates together.
    bytes: u64,
    /// Updates drawn.
    updates: u64,
    hash: u32,
    /// What the picture shows, as of the last update.
    shown: Option<ScreenShown>,
}

impl SimScreen {
    /// The OLED of `width` by `height` (which [`fits`]), blank. There is one: a second call panics.
    pub fn new(width: u16, height: u16) -> Self {
        static MEMORY: StaticCell<[u8; BUFFER]> = StaticCell::new();
        Self::in_memory(width, height, MEMORY.init([0; BUFFER]))
    }

    /// An OLED in its own leaked memory, so that each test may have one.
    #[cfg(test)]
    pub fn for_test(width: u16, height: u16) -> Self {
        Self::in_memory(width, height, crate::heap::uncounted(|| vec![0; BUFFER].leak()))
    }

    fn in_memory(width: u16, height: u16, memory: &'static mut [u8]) -> Self {
        let size = Size::new(width.into(), height.into());
        let pages = Pages::new(memory, size).expect("the command line takes only sizes that fit");
        let hash = fnv1a(pages.as_bytes());
        Self { pages, size, bytes: 0, updates: 0, hash, shown: None }
    }

    /// Draws screen 0 of `screens` (turned as its config says), and flushes what changed.
    pub fn update(&mut self, screens: &Screens) {
        self.pages.set_half_turn(screens.rotation(0) == Some(2));
        // Drawing on the framebuffer cannot fail.
        let _ = screens.draw(0, &mut self.pages);
        self.bytes += self.pages.dirty_bytes() as u64;
        self.updates += 1;
        self.pages.flushed();
        self.hash = fnv1a(self.pages.as_bytes());
        self.shown = screens.shown().into_iter().next();
    }

    /// The screen on the status line: what its picture shows, the picture's hash and the flush figures; `None`
    /// before the first update.
    pub fn status(&self) -> Option<ScreenStatus> {
        Some(ScreenStatus {
            shown: self.shown.clone()?,
            hash: format!("{:08x}", self.hash),
            oled_bytes: self.bytes,
            updates: self.updates,
        })
    }

    /// The picture's hash, as the status line gives it.
    pub fn hash(&self) -> String {
        format!("{:08x}", self.hash)
    }

    /// Writes screen 0 of `screens` to `path` as a grey PNG of exactly the screen's size (white lit pixels on
    /// black), drawn by the same code as the framebuffer, upright as the host renders it.
    pub fn save_png(&self, screens: &Screens, path: &Path) -> Result<(), String> {
        crate::heap::uncounted(|| {
            let mut display = SimulatorDisplay::<BinaryColor>::new(self.size);
            // Drawing on the simulator's display cannot fail.
            let _ = screens.draw(0, &mut display);
            display.to_grayscale_output_image(&OutputSettings::default()).save_png(path).map_err(|error| error.to_string())
        })
    }
}

/// The display loop: looks at the screens every [`TICK`], draws them (the OLED and the TFT) when they changed, and
/// writes the PNGs asked for on the console.
#[embassy_executor::task]
pub async fn run(panel: &'static RefCell<Panel>, requests: &'static ScreenRequests) -> ! {
    let mut ticker = Ticker::every(TICK);
    loop {
        ticker.next().await;
        let mut panel = panel.borrow_mut();
        panel.tick_screen(now_ms());
        while let Ok((display, path)) = requests.try_receive() {
            panel.save_screen(display, &path);
        }
    }
}

#[cfg(test)]
mod tests {
    use embedded_graphics::prelude::{OriginDimensions, Point};
    use sysboy_device::screen::ScreenSpec;
    use sysboy_device::status_light::BoardState;
    use sysboy_protocol::NamedMetric;

    use super::*;

    fn cpu(value: f64) -> NamedMetric {
        NamedMetric { name: "cpu".into(), value: Some(value), reason: None, used: None, total: None, raw: None, unit: None, source: None, gpu: None, seq: None, ts: None }
    }

    #[test]
    fn the_png_is_the_screen_pixel_for_pixel_and_the_flushes_count_only_changes() {
        let mut screens = Screens::new(vec![ScreenSpec::oled("oled", 128, 64)]);
        screens.board_state(BoardState::Live);
        screens.frame(&cpu(40.0), 0);
        let mut screen = SimScreen::for_test(128, 64);
        screen.update(&screens);
        let first = screen.hash();
        assert_eq!((screen.bytes, screen.updates), (1024, 1), "the first flush sends the whole panel");
        let status = screen.status().unwrap();
        assert_eq!((status.shown.scene.as_str(), status.shown.index, status.hash.as_str()), ("hub", Some(0), first.as_str()));
        screen.update(&screens);
        assert_eq!((screen.bytes, screen.hash()), (1024, first.clone()), "a steady screen sends nothing");
        screens.frame(&cpu(90.0), 100);
        screen.update(&screens);
        assert_ne!(screen.hash(), first);
        assert!(screen.bytes > 1024 && screen.bytes < 2048, "{} bytes", screen.bytes);

        let path = std::env::temp_dir().join(format!("sysboy-sim-screen-{}.png", std::process::id()));
        screen.save_png(&screens, &path).unwrap();
        let png = SimulatorDisplay::<BinaryColor>::load_png(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(png.size(), Size::new(128, 64));
        for y in 0..64 {
            for x in 0..128 {
                let point = Point::new(x, y);
                assert_eq!(Some(png.get_pixel(point)), screen.pages.pixel(x as usize, y as usize), "at {x},{y}");
            }
        }
    }

    #[test]
    fn sizes_the_simulator_can_give() {
        assert!(fits(128, 64) && fits(128, 32) && fits(256, 128));
        assert!(!fits(128, 60) && !fits(512, 64) && !fits(128, 136));
    }
}
