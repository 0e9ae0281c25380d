//! The TFT: an ST7789 or ILI9341 module on SPI2 with DMA, driven through mipidsi, as an embedded-graphics
//! [`DrawTarget`] of RGB565 pixels the size of the picture.
//!
//! # Overview
//! Three parts, as mipidsi splits them: which panel ([`panel`], a build option), which bus (SPI2 at
//! [`panel::SPI_MHZ`] with a DMA channel, its CS pin through embedded-hal-bus's [`ExclusiveDevice`], and mipidsi's
//! [`SpiInterface`] with the DC pin), and what to draw (the screen task, `crate::screen::tft`).
//!
//! mipidsi and the bus are blocking (embedded-hal 1.0): a write returns when the DMA has sent the last byte, and
//! the executor runs nothing meanwhile. So the callers keep writes short: rectangles of at most 8 KiB of pixels
//! (1.6 ms at 40 MHz), with a yield between them, which keeps the needle's 10 ms tick and the network running.
//! The DMA reads the pixels straight from [`SpiInterface`]'s buffer in RAM; writes under [`CPU_WRITE_BYTES`] (the
//! commands and their arguments) go through the SPI FIFO instead, which costs less than setting a DMA transfer up.
//!
//! SPI has no read-back here (MISO is not wired): a missing or unpowered panel cannot be told from a working one,
//! so a build with the `tft` feature always announces its TFT, and the status never names it missing.
//!
//! # Configuration
//! The panel and the SPI clock: [`panel`]; the pins: `crate::board::TFT_PINS`.

pub mod panel;

use core::fmt;

use embedded_graphics::{
    Pixel,
    pixelcolor::Rgb565,
    prelude::{DrawTarget, OriginDimensions, Size},
    primitives::Rectangle,
};
use embedded_hal_bus::spi::{ExclusiveDevice, NoDelay};
use esp_hal::{
    Blocking,
    delay::Delay,
    gpio::{AnyPin, Level, Output, OutputConfig},
    peripherals::SPI2,
    spi::{
        Mode,
        master::{Config, Spi, SpiDma},
    },
    time::Rate,
};
use mipidsi::{
    Builder, Display,
    interface::SpiInterface,
    models::{ILI9341Rgb565, ST7789},
    options::{ColorInversion, ColorOrder, Orientation, Rotation},
};
use static_cell::StaticCell;

use crate::board::TFT_PINS;
use panel::{Controller, PANEL, SPI_MHZ};

/// The DMA channel SPI2 takes.
#[cfg(any(feature = "esp32c3", feature = "esp32c6"))]
pub type DmaChannel = esp_hal::peripherals::DMA_CH0<'static>;
/// The DMA channel SPI2 takes.
#[cfg(feature = "esp32")]
pub type DmaChannel = esp_hal::peripherals::DMA_SPI2<'static>;

/// mipidsi's pixel buffer: pixels are turned into big-endian bytes here and sent by one DMA transfer per fill
/// (205 µs at 40 MHz; setting a transfer up costs a few µs).
const INTERFACE_BUFFER: usize = 1_024;
/// Writes shorter than this go through the 64-byte SPI FIFO without DMA.
const CPU_WRITE_BYTES: usize = 64;

type Device = ExclusiveDevice<SpiDma<'static, Blocking>, Output<'static>, NoDelay>;
type Interface = SpiInterface<'static, Device, Output<'static>>;

/// mipidsi's display for the build's controller: one type per model, so one variant each.
enum Driver {
    St7789(Display<Interface, ST7789, Output<'static>>),
    Ili9341(Display<Interface, ILI9341Rgb565, Output<'static>>),
}

/// Calls `$body` with the model's display as `$display`.
macro_rules! with_display {
    ($driver:expr, $display:ident => $body:expr) => {
        match $driver {
            Driver::St7789($display) => $body,
            Driver::Ili9341($display) => $body,
        }
    };
}

/// Why the TFT could not be driven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TftError {
    /// SPI2 refused the clock.
    Clock,
    /// mipidsi refused the panel's size or offset for its model.
    Panel,
    /// A write on the bus failed (the DMA reported an error).
    Write,
}

impl fmt::Display for TftError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Clock => "SPI2 cannot run at the TFT's clock",
            Self::Panel => "the panel's size or offset does not fit its controller",
            Self::Write => "an SPI write to the TFT failed",
        })
    }
}

impl core::error::Error for TftError {}

/// The TFT, set up and dark until [`set_backlight`](Self::set_backlight).
pub struct Tft {
    driver: Driver,
    backlight: Output<'static>,
    upside_down: bool,
}

impl Tft {
    /// Resets and sets up the panel on SPI2 and the board's TFT pins. Blocks for about 200 ms (the controller's
    /// reset and sleep-out delays, busy-waited: mipidsi's set-up is blocking), so call it at boot. Succeeds
    /// whether a panel is wired or not. Call once.
    pub fn new(spi: SPI2<'static>, dma: DmaChannel) -> Result<Self, TftError> {
        let mode = if PANEL.spi_mode_3 { Mode::_3 } else { Mode::_0 };
        let config = Config::default()
            .with_frequency(Rate::from_mhz(SPI_MHZ))
            .with_mode(mode)
            .with_min_async_transfer_size(CPU_WRITE_BYTES);
        // SAFETY: board::TFT_PINS checked at build time that these are distinct, existing, not flash or USB pins
        // and none of the board's other pins, and no other driver takes them.
        let pin = |gpio| unsafe { AnyPin::steal(gpio) };
        let bus = Spi::new(spi, config).map_err(|_| TftError::Clock)?.with_sck(pin(TFT_PINS.sck)).with_mosi(pin(TFT_PINS.mosi)).with_dma(dma);
        let output = |gpio, level| Output::new(pin(gpio), level, OutputConfig::default());
        let Ok(device) = ExclusiveDevice::new_no_delay(bus, output(TFT_PINS.cs, Level::High));
        static BUFFER: StaticCell<[u8; INTERFACE_BUFFER]> = StaticCell::new();
        let interface = SpiInterface::new(device, output(TFT_PINS.dc, Level::Low), BUFFER.init([0; INTERFACE_BUFFER]));
        let reset = output(TFT_PINS.rst, Level::High);
        let backlight = output(TFT_PINS.bl, Level::Low);
        let mut delay = Delay::new();
        let driver = match PANEL.controller {
            Controller::St7789 => Driver::St7789(set_up(Builder::new(ST7789, interface), reset, &mut delay)?),
            Controller::Ili9341 => Driver::Ili9341(set_up(Builder::new(ILI9341Rgb565, interface), reset, &mut delay)?),
        };
        Ok(Self { driver, backlight, upside_down: false })
    }

    /// Turns the picture by half a turn or back (the screen config's rotation 2); `true` when it turned: what the
    /// panel showed is no longer where it was, so the caller draws everything again.
    pub fn set_upside_down(&mut self, upside_down: bool) -> Result<bool, TftError> {
        if upside_down == self.upside_down {
            return Ok(false);
        }
        with_display!(&mut self.driver, display => display.set_orientation(orientation(upside_down))).map_err(|_| TftError::Write)?;
        self.upside_down = upside_down;
        Ok(true)
    }

    /// Lights the backlight or turns it off (the backlight pin is on or off: the LEDC the meter drives has no
    /// channel to spare for dimming it).
    pub fn set_backlight(&mut self, on: bool) {
        self.backlight.set_level(if on { Level::High } else { Level::Low });
    }
}

/// The picture's orientation from the controller's: a quarter turn for the landscape panels, half a turn more
/// when upside down.
fn orientation(upside_down: bool) -> Orientation {
    let turned = if PANEL.landscape { Orientation::new().rotate(Rotation::Deg90) } else { Orientation::new() };
    if upside_down { turned.rotate(Rotation::Deg180) } else { turned }
}

fn set_up<M>(builder: Builder<Interface, M, mipidsi::NoResetPin>, reset: Output<'static>, delay: &mut Delay) -> Result<Display<Interface, M, Output<'static>>, TftError>
where
    M: mipidsi::models::Model<ColorFormat = Rgb565>,
{
    builder
        .display_size(PANEL.glass.0, PANEL.glass.1)
        .orientation(orientation(false))
        .invert_colors(if PANEL.invert { ColorInversion::Inverted } else { ColorInversion::Normal })
        .color_order(if PANEL.bgr { ColorOrder::Bgr } else { ColorOrder::Rgb })
        .reset_pin(reset)
        .init(delay)
        .map_err(|error| match error {
            mipidsi::InitError::InvalidConfiguration(_) => TftError::Panel,
            mipidsi::InitError::Interface(_) | mipidsi::InitError::ResetPin(_) => TftError::Write,
        })
}

impl OriginDimensions for Tft {
    fn size(&self) -> Size {
        Size::new(u32::from(PANEL.width()), u32::from(PANEL.height()))
    }
}

impl DrawTarget for Tft {
    type Color = Rgb565;
    type Error = TftError;

    fn draw_iter<I: IntoIterator<Item = Pixel<Rgb565>>>(&mut self, pixels: I) -> Result<(), TftError> {
        with_display!(&mut self.driver, display => display.draw_iter(pixels)).map_err(|_| TftError::Write)
    }

    fn fill_contiguous<I: IntoIterator<Item = Rgb565>>(&mut self, area: &Rectangle, colors: I) -> Result<(), TftError> {
        with_display!(&mut self.driver, display => display.fill_contiguous(area, colors)).map_err(|_| TftError::Write)
    }

    fn fill_solid(&mut self, area: &Rectangle, color: Rgb565) -> Result<(), TftError> {
        with_display!(&mut self.driver, display => display.fill_solid(area, color)).map_err(|_| TftError::Write)
    }
}
