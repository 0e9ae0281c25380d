//! What every Sysboy board has, whatever drives it: one meter output and one button under fixed ids (and, on a
//! board with one, the OLED under [`SCREEN_ID`]), the hello that announces them, the status built from what the board measures, the button's gestures passed on, the
//! settings loaded at boot and the needle driven at its tick. The ESP32 binary and the simulator wire only the
//! hardware behind these.
//!
//! # Overview
//! - [`output`]: the [`AnalogOutput`] trait each meter drive implements (LEDC, MCP4725, the ESP32's DAC, the
//!   simulator's panel), and the meter that fits it;
//! - [`drive`]: the needle stepped at [`TICK_MS`](crate::meter::TICK_MS) and written to the output, a sans-IO
//!   [`MeterDrive`] step and, with the `embassy-net` feature, the async loop around it;
//! - [`hello`]: the [`LinkConfig`](crate::link::LinkConfig) whose hello names [`OUTPUT_ID`] and [`BUTTON_ID`],
//!   and [`oled`] and [`tft`], the screens a board adds to it (a TFT with its [`STREAM_BUFFER`]);
//! - [`status`]: the `status` message from the board's own figures;
//! - [`gestures`] (`embassy-net`): the button sampled, and each gesture handed to the session and provisioning;
//! - [`settings`] (`embassy-net`): the settings read at boot, each problem logged.
//!
//! # Example
//! ```text
//! #[embassy_executor::task]
//! async fn meter(needle: &'static SharedMeter, mut output: MeterOutput) -> ! {
//!     sysboy_device::board::drive::drive_meter(needle, &mut output).await
//! }
//! ```

pub mod drive;
#[cfg(feature = "embassy-net")]
pub mod gestures;
pub mod hello;
pub mod output;
#[cfg(feature = "embassy-net")]
pub mod settings;
pub mod status;

pub use drive::{Driven, MeterDrive, Needle, SharedNeedle};
pub use hello::{link_config, oled, tft};
pub use output::{meter_for, AnalogOutput};
pub use status::{status, HeapFigures, Measured};

/// The board's one output, as the hello, the bindings and the stored calibration name it.
pub const OUTPUT_ID: &str = "meter";
/// The board's OLED, as the hello, the screens config and the status name it.
pub const SCREEN_ID: &str = "oled";
/// The board's OLED's size, pixels: an SSD1306 (or SH1106) 128x64 module.
pub const OLED_SIZE: (u16, u16) = (128, 64);
/// The board's TFT, as the hello, the screens config, the stream headers and the status name it.
pub const TFT_ID: &str = "tft";
/// The largest stream payload the board takes, bytes: its hello's `stream_buffer`, the binary frame its
/// WebSocket buffers hold and the LZ4 buffer of its [`Decoder`](crate::stream::Decoder).
pub const STREAM_BUFFER: usize = 8 * 1024;
/// The board's one button, as the hello and the button commands name it.
pub const BUTTON_ID: &str = "select";
/// How often the button is sampled, ms.
pub const BUTTON_TICK_MS: u32 = 10;
