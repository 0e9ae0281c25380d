//! Which panel: the TFT module this build drives, chosen at build time, and what mipidsi needs to know of it.
//!
//! # Configuration
//! `SYSBOY_TFT_PANEL` names the module (the default is `st7789-240x320`):
//!
//! | value             | controller | glass   | shown as | colours            | SPI mode |
//! |-------------------|------------|---------|----------|--------------------|----------|
//! | `st7789-240x240`  | ST7789     | 240×240 | 240×240  | inverted (IPS)     | 3        |
//! | `st7789-240x320`  | ST7789     | 240×320 | 320×240  | inverted (IPS)     | 3        |
//! | `ili9341-320x240` | ILI9341    | 240×320 | 320×240  | normal, BGR order  | 0        |
//!
//! The 240×320 glasses are turned a quarter to landscape, the shape every scene is laid out for. A 240×240
//! ST7789 shows the first 240 rows of the controller's 240×320 RAM; turned by half (the screen config's rotation
//! 2) it shows the last 240, which mipidsi's addressing takes care of. SPI mode 3 (clock idle high) is what the
//! ST7789 modules without a CS pin need; the ST7789 samples on the rising edge in mode 0 or 3 alike.
//!
//! Modules of one name differ in colour wiring: `SYSBOY_TFT_INVERT=0|1` and `SYSBOY_TFT_BGR=0|1` override the
//! table (red shown blue: flip BGR; black shown white: flip INVERT). `SYSBOY_TFT_SPI_MHZ` sets the SPI clock
//! (default 40, at most 80: the ST7789's write cycle is 16 ns, about 62 MHz; the ILI9341 modules run at 40).
//! A value the build cannot use stops it with a message.

/// The panel's controller, which picks mipidsi's model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Controller {
    /// Sitronix ST7789 (mipidsi's `ST7789`).
    St7789,
    /// Ilitek ILI9341 (mipidsi's `ILI9341Rgb565`).
    Ili9341,
}

/// A TFT module, as mipidsi is told of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panel {
    /// The `SYSBOY_TFT_PANEL` value, for the boot log.
    pub name: &'static str,
    /// The controller.
    pub controller: Controller,
    /// The glass, in the controller's own (portrait) orientation: width, height.
    pub glass: (u16, u16),
    /// Whether the picture is turned a quarter from the controller's orientation (to landscape).
    pub landscape: bool,
    /// Whether the controller inverts colours (most IPS glasses need it).
    pub invert: bool,
    /// Whether the glass's subpixels are blue, green, red.
    pub bgr: bool,
    /// Whether the bus idles the clock high (SPI mode 3) rather than low (mode 0).
    pub spi_mode_3: bool,
}

impl Panel {
    /// The picture's width, pixels, as the hello and the scenes see it.
    pub const fn width(&self) -> u16 {
        if self.landscape { self.glass.1 } else { self.glass.0 }
    }

    /// The picture's height, pixels.
    pub const fn height(&self) -> u16 {
        if self.landscape { self.glass.0 } else { self.glass.1 }
    }
}

const PANELS: [Panel; 3] = [
    Panel { name: "st7789-240x240", controller: Controller::St7789, glass: (240, 240), landscape: false, invert: true, bgr: false, spi_mode_3: true },
    Panel { name: "st7789-240x320", controller: Controller::St7789, glass: (240, 320), landscape: true, invert: true, bgr: false, spi_mode_3: true },
    Panel { name: "ili9341-320x240", controller: Controller::Ili9341, glass: (240, 320), landscape: true, invert: false, bgr: true, spi_mode_3: false },
];

/// The panel this build drives.
pub const PANEL: Panel = {
    let mut panel = panel_named(option_env!("SYSBOY_TFT_PANEL"));
    panel.invert = flag_from_env(option_env!("SYSBOY_TFT_INVERT"), panel.invert);
    panel.bgr = flag_from_env(option_env!("SYSBOY_TFT_BGR"), panel.bgr);
    panel
};

/// The SPI clock, MHz.
pub const SPI_MHZ: u32 = {
    let mhz = number_from_env(option_env!("SYSBOY_TFT_SPI_MHZ"), 40);
    assert!(mhz >= 1 && mhz <= 80, "SYSBOY_TFT_SPI_MHZ must be 1..=80 (the SPI peripheral's limit is 80 MHz)");
    mhz
};

const fn panel_named(value: Option<&str>) -> Panel {
    let Some(name) = value else { return PANELS[1] };
    let mut i = 0;
    while i < PANELS.len() {
        if same(PANELS[i].name.as_bytes(), name.as_bytes()) {
            return PANELS[i];
        }
        i += 1;
    }
    panic!("SYSBOY_TFT_PANEL must be st7789-240x240, st7789-240x320 or ili9341-320x240")
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn flag_from_env(value: Option<&str>, default: bool) -> bool {
    match value {
        None => default,
        Some(text) => match text.as_bytes() {
            b"0" => false,
            b"1" => true,
            _ => panic!("SYSBOY_TFT_INVERT and SYSBOY_TFT_BGR take 0 or 1"),
        },
    }
}

const fn number_from_env(value: Option<&str>, default: u32) -> u32 {
    let Some(text) = value else { return default };
    let bytes = text.as_bytes();
    assert!(!bytes.is_empty() && bytes.len() <= 3, "SYSBOY_TFT_SPI_MHZ must be a number of MHz such as 40");
    let mut number = 0;
    let mut i = 0;
    while i < bytes.len() {
        assert!(bytes[i].is_ascii_digit(), "SYSBOY_TFT_SPI_MHZ must be a number of MHz such as 40");
        number = number * 10 + (bytes[i] - b'0') as u32;
        i += 1;
    }
    number
}
