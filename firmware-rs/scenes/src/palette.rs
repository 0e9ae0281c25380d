//! The colours scenes draw with, for each kind of screen: scenes are generic over [`SceneColor`], so one scene
//! draws on a 1-bit OLED ([`BinaryColor`]) and on a colour TFT ([`Rgb565`]).

use embedded_graphics::pixelcolor::{BinaryColor, PixelColor, Rgb565};

/// A screen's colours, by what they are for.
pub trait SceneColor: PixelColor {
    /// The screen behind everything.
    const BACKGROUND: Self;
    /// Values and messages.
    const FOREGROUND: Self;
    /// Panels that group a figure's parts (the background itself on a screen with no shades).
    const PANEL: Self;
    /// Labels, units, outlines and axes.
    const DIM: Self;
    /// Bars and graph lines.
    const ACCENT: Self;
    /// Areas under graph lines.
    const SHADE: Self;
    /// Alerts.
    const WARNING: Self;
    /// Whether areas are drawn as a checkerboard of [`SceneColor::SHADE`] (a screen with no shades of grey)
    /// rather than filled with it.
    const DITHER: bool;
}

/// A monochrome OLED: everything lit is the one colour, and areas are dithered.
impl SceneColor for BinaryColor {
    const BACKGROUND: Self = BinaryColor::Off;
    const FOREGROUND: Self = BinaryColor::On;
    const PANEL: Self = BinaryColor::Off;
    const DIM: Self = BinaryColor::On;
    const ACCENT: Self = BinaryColor::On;
    const SHADE: Self = BinaryColor::On;
    const WARNING: Self = BinaryColor::On;
    const DITHER: bool = true;
}

/// A colour TFT: near-white text and grey labels on black, a cyan accent and a red-orange warning.
impl SceneColor for Rgb565 {
    const BACKGROUND: Self = rgb(0x00, 0x00, 0x00);
    const FOREGROUND: Self = rgb(0xf0, 0xf0, 0xf0);
    const PANEL: Self = rgb(0x14, 0x18, 0x1c);
    const DIM: Self = rgb(0x80, 0x88, 0x90);
    const ACCENT: Self = rgb(0x40, 0xd0, 0xe0);
    const SHADE: Self = rgb(0x10, 0x48, 0x58);
    const WARNING: Self = rgb(0xff, 0x50, 0x38);
    const DITHER: bool = false;
}

/// The RGB565 colour nearest below an 8-bit-per-channel colour.
const fn rgb(red: u8, green: u8, blue: u8) -> Rgb565 {
    Rgb565::new(red >> 3, green >> 2, blue >> 3)
}
