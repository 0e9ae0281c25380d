//! The OLED: a 128×64 SSD1306 module on the shared I2C bus ([`crate::i2c_bus`]), or with the `sh1106` feature a
//! 1.3" SH1106 one, driven through the `ssd1306` crate's async driver ([`Ssd1306Async`]) in page addressing mode.
//!
//! # Overview
//! [`Oled::probe`] looks for the display at 0x3C, then 0x3D (the address jumper on the back of most modules),
//! and sets it up dark; [`Oled::write_page`] writes a run of one 8-row page (a byte a column, one bit per pixel,
//! LSB at the top) at its place, so the screen task sends only the pages that changed, and of those only the
//! columns from the first changed byte to the last. [`Oled::set_look`] applies the screen
//! config's contrast and rotation, and [`Oled::light`] turns the panel on once it holds a whole picture.
//!
//! A page goes out as three I2C writes: the page (0xB0 | page), the column (the low and high nibbles), then the
//! bytes, which display-interface-i2c sends 16 at a time behind the data control byte 0x40. With the I2C address
//! byte of each write, `n` bytes of a page cost `7 + n + 2 * ceil(n / 16)` bytes on the wire: 151 for a whole page,
//! 1 208 for the whole screen, 10 for one changed byte.
//!
//! # Configuration
//! - the SSD1306 in page addressing mode, so the page address set before each page's bytes is the only
//!   addressing there is; column 0 is the panel's left edge;
//! - the SH1106 (`sh1106`) has 132 columns of RAM and shows columns 2..130, and has page addressing only: the same
//!   page writes, with a 2-column offset and its own set-up (its DC-DC command is 0xAD, not the SSD1306's 0x8D);
//! - rotation by 180° flips the segment and COM scan directions in the controller, so the page bytes stay as
//!   drawn.

use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};

use display_interface::DisplayError;
use ssd1306::{
    I2CDisplayInterface, Ssd1306Async,
    command::CommandAsync,
    mode::BasicMode,
    prelude::{Brightness, DisplayRotation, DisplaySize128x64, I2CInterface},
};

use crate::i2c_bus::{Bus, BusDevice};

/// The addresses a 128×64 module answers at: 0x3C, or 0x3D with its address jumper moved.
pub const ADDRESSES: [u8; 2] = [0x3C, 0x3D];
/// Columns on the panel.
pub const WIDTH: u16 = 128;
/// Rows on the panel.
pub const HEIGHT: u16 = 64;
/// 8-row pages on the panel.
pub const PAGES: u8 = (HEIGHT / 8) as u8;
/// The first RAM column the panel shows.
#[cfg(not(feature = "sh1106"))]
const COLUMN_OFFSET: u8 = 0;
#[cfg(feature = "sh1106")]
const COLUMN_OFFSET: u8 = 2;
/// The SSD1306's phase 2 pre-charge beside each contrast: the crate's `Brightness` presets use 2 for all but the
/// dimmest, which takes 1 with contrast 0.
const PRECHARGE: u8 = 2;

/// The SH1106's set-up, datasheet order (Sino Wealth SH1106 v2.3, and the `sh1106` crate's `init`): as the
/// SSD1306's but with its own DC-DC command and no addressing-mode command (it has page addressing only).
#[cfg(feature = "sh1106")]
const SH1106_SETUP: &[&[u8]] = &[
    &[0xAE],       // display off
    &[0xD5, 0x80], // clock: oscillator 8, divide by 1
    &[0xA8, 0x3F], // multiplex: 64 rows
    &[0xD3, 0x00], // no vertical offset
    &[0x40],       // start line 0
    &[0xAD, 0x8B], // DC-DC converter on
    &[0xDA, 0x12], // COM pins: alternative, as every 128×64 module wires them
    &[0xDB, 0x40], // VCOM deselect level
    &[0xA4],       // show the RAM
    &[0xA6],       // not inverted
];

/// Whether the display is missing: it did not answer at boot, or a write to it failed since.
static MISSING: AtomicBool = AtomicBool::new(false);

/// Whether the display does not answer, for the status.
pub fn missing() -> bool {
    MISSING.load(Ordering::Relaxed)
}

/// Marks the display missing (it did not answer) or present.
pub fn set_missing(missing: bool) {
    MISSING.store(missing, Ordering::Relaxed);
}

/// Why the display could not be driven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OledError {
    /// Neither 0x3C nor 0x3D acknowledged.
    NotFound,
    /// A write was not acknowledged (a loose wire, a module without power).
    Write,
}

impl fmt::Display for OledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotFound => "no display answers at 0x3C or 0x3D",
            Self::Write => "the display did not acknowledge a write",
        })
    }
}

impl core::error::Error for OledError {}

impl From<DisplayError> for OledError {
    fn from(_: DisplayError) -> Self {
        Self::Write
    }
}

type Driver = Ssd1306Async<I2CInterface<BusDevice>, DisplaySize128x64, BasicMode>;

/// The display, set up in page addressing mode.
pub struct Oled {
    driver: Driver,
    address: u8,
    /// The contrast and rotation last sent, `None` before the first.
    look: Option<(u8, bool)>,
    lit: bool,
}

impl Oled {
    /// Finds the display on `bus` and sets it up, dark until [`light`](Self::light): its RAM holds noise from
    /// power-up until every page has been written.
    pub async fn probe(bus: &'static Bus) -> Result<Self, OledError> {
        for address in ADDRESSES {
            let mut interface = I2CDisplayInterface::new_custom_address(BusDevice::new(bus), address);
            // Display off is the first command of either set-up, so it doubles as the probe.
            if CommandAsync::DisplayOn(false).send(&mut interface).await.is_err() {
                continue;
            }
            let mut oled = Self { driver: set_up(interface).await?, address, look: None, lit: false };
            oled.driver.set_display_on(false).await?;
            return Ok(oled);
        }
        Err(OledError::NotFound)
    }

    /// The I2C address the display answered at.
    pub fn address(&self) -> u8 {
        self.address
    }

    /// Sets the contrast (0..=255, the SSD1306's own scale) and whether the picture is turned by 180°; sends only
    /// what changed since the last call.
    pub async fn set_look(&mut self, contrast: u8, upside_down: bool) -> Result<(), OledError> {
        let last = self.look;
        // Forgotten first, so a failed write is sent again next time.
        self.look = None;
        if last.map(|(contrast, _)| contrast) != Some(contrast) {
            let precharge = if contrast == 0 { 1 } else { PRECHARGE };
            self.driver.set_brightness(Brightness::custom(precharge, contrast)).await?;
        }
        if last.map(|(_, upside_down)| upside_down) != Some(upside_down) {
            let rotation = if upside_down { DisplayRotation::Rotate180 } else { DisplayRotation::Rotate0 };
            self.driver.set_rotation(rotation).await?;
        }
        self.look = Some((contrast, upside_down));
        Ok(())
    }

    /// Writes `bytes` into page `page` from column `column` on: byte `i` holds column `column + i` of rows
    /// `8 * page ..= 8 * page + 7`, least significant bit on top.
    pub async fn write_page(&mut self, page: u8, column: u8, bytes: &[u8]) -> Result<(), OledError> {
        debug_assert!(page < PAGES && usize::from(column) + bytes.len() <= usize::from(WIDTH));
        // set_row takes a row in pixels and sends the page holding it (0xB0 | page).
        self.driver.set_row(page * 8).await?;
        // In page addressing mode the column is set by its two nibbles (0x00 | low, 0x10 | high).
        self.driver.set_column(COLUMN_OFFSET + column).await?;
        self.driver.draw(bytes).await?;
        Ok(())
    }

    /// Turns the panel on, once it holds a whole picture.
    pub async fn light(&mut self) -> Result<(), OledError> {
        if !self.lit {
            self.driver.set_display_on(true).await?;
            self.lit = true;
        }
        Ok(())
    }
}

/// The SSD1306's set-up: the crate's own, in page addressing mode.
#[cfg(not(feature = "sh1106"))]
async fn set_up(interface: I2CInterface<BusDevice>) -> Result<Driver, OledError> {
    let mut driver = Ssd1306Async::new(interface, DisplaySize128x64, DisplayRotation::Rotate0);
    driver.init_with_addr_mode(ssd1306::command::AddrMode::Page).await?;
    Ok(driver)
}

/// The SH1106's set-up, then the same driver for page writes, contrast and rotation (commands the two share).
#[cfg(feature = "sh1106")]
async fn set_up(mut interface: I2CInterface<BusDevice>) -> Result<Driver, OledError> {
    use display_interface::{AsyncWriteOnlyDataCommand, DataFormat};
    for command in SH1106_SETUP {
        interface.send_commands(DataFormat::U8(command)).await?;
    }
    // A new driver assumes page addressing mode, the SH1106's only one, and sends nothing.
    let mut driver = Ssd1306Async::new(interface, DisplaySize128x64, DisplayRotation::Rotate0);
    driver.set_rotation(DisplayRotation::Rotate0).await?;
    Ok(driver)
}
