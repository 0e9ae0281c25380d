//! The one place that knows which chip this is: the supported chip features and each board's pin numbers.
//!
//! The ESP32 classic (`esp32`) is Xtensa and builds only with Espressif's toolchain (`espup`); its meter is the
//! on-chip DAC on GPIO25, so its meter pin is fixed.
//!
//! Pins can be changed at build time without editing code, e.g.
//! `SYSBOY_METER_GPIO=3 SYSBOY_BUTTON_GPIO=9 cargo build --release`; a pin the chip cannot spare (flash, USB)
//! or one used twice stops the build with a message. The TFT's six pins (`tft` feature) are set the same way,
//! `SYSBOY_TFT_SCK_GPIO`, `_MOSI_`, `_CS_`, `_DC_`, `_RST_` and `_BL_`, and checked against the others.

#[cfg(any(
    all(feature = "esp32c3", feature = "esp32c6"),
    all(feature = "esp32c3", feature = "esp32"),
    all(feature = "esp32c6", feature = "esp32"),
))]
compile_error!("enable exactly one chip feature: `esp32c3` (default), or `esp32c6` or `esp32` with --no-default-features");
#[cfg(not(any(feature = "esp32c3", feature = "esp32c6", feature = "esp32")))]
compile_error!("enable a chip feature: `esp32c3` (default), `esp32c6` or `esp32`");
#[cfg(all(feature = "esp32c3", not(target_arch = "riscv32")))]
compile_error!("the ESP32-C3 builds for riscv32imc-unknown-none-elf");
#[cfg(all(feature = "esp32c6", not(target_feature = "a")))]
compile_error!("the ESP32-C6 builds for riscv32imac-unknown-none-elf (`cargo build-c6`)");
#[cfg(all(feature = "esp32", not(target_arch = "xtensa")))]
compile_error!("the ESP32 classic builds for xtensa-esp32-none-elf with Espressif's toolchain (`espup install`, `cargo +esp`)");

/// The chip's name, for the boot log.
#[cfg(feature = "esp32c3")]
pub const CHIP: &str = "ESP32-C3";
/// The chip's name, for the boot log.
#[cfg(feature = "esp32c6")]
pub const CHIP: &str = "ESP32-C6";
/// The chip's name, for the boot log.
#[cfg(feature = "esp32")]
pub const CHIP: &str = "ESP32";

/// The chip as the hello names it.
#[cfg(feature = "esp32c3")]
pub const CHIP_ID: sysboy_protocol::Chip = sysboy_protocol::Chip::Esp32c3;
/// The chip as the hello names it.
#[cfg(feature = "esp32c6")]
pub const CHIP_ID: sysboy_protocol::Chip = sysboy_protocol::Chip::Esp32c6;
/// The chip as the hello names it.
#[cfg(feature = "esp32")]
pub const CHIP_ID: sysboy_protocol::Chip = sysboy_protocol::Chip::Esp32;

/// GPIOs that must not be used: the SPI flash pins and the USB Serial/JTAG pins that carry the log.
#[cfg(feature = "esp32c3")]
const RESERVED: &[u8] = &[12, 13, 14, 15, 16, 17, 18, 19];
#[cfg(feature = "esp32c6")]
const RESERVED: &[u8] = &[12, 13, 24, 25, 26, 27, 28, 29, 30];
// The ESP32 classic's SPI flash pins; 1 and 3 carry the UART log.
#[cfg(feature = "esp32")]
const RESERVED: &[u8] = &[1, 3, 6, 7, 8, 9, 10, 11];

#[cfg(feature = "esp32c3")]
const LAST_GPIO: u8 = 21;
#[cfg(feature = "esp32c6")]
const LAST_GPIO: u8 = 30;
#[cfg(feature = "esp32")]
const LAST_GPIO: u8 = 39;

// Defaults: the meter and the I2C bus (OLED, MCP4725) on free pins, the button on GPIO9, which is the BOOT button of the dev kits, and
// the status LED on GPIO8, where the ESP32-C3-DevKitM-1 and the ESP32-C6-DevKitC-1 both wire their RGB LED.
#[cfg(feature = "esp32c3")]
const DEFAULTS: Pins = Pins { meter: 4, button: 9, sda: 5, scl: 6, led: 8 };
#[cfg(feature = "esp32c6")]
const DEFAULTS: Pins = Pins { meter: 2, button: 9, sda: 6, scl: 7, led: 8 };
// The on-chip DAC's channel 1 is GPIO25; GPIO0 is the BOOT button of the dev kits, which carry no RGB LED: GPIO2
// is where many ESP32 boards put a plain one.
#[cfg(feature = "esp32")]
const DEFAULTS: Pins = Pins { meter: 25, button: 0, sda: 21, scl: 22, led: 2 };

/// GPIO numbers of the board's wiring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pins {
    /// The meter's drive: PWM into the RC filter and op-amp, or the ESP32's DAC pin.
    pub meter: u8,
    /// The push button to ground (internal pull-up).
    pub button: u8,
    /// The I2C data line, shared by the OLED and the MCP4725.
    pub sda: u8,
    /// The I2C clock line, shared by the OLED and the MCP4725.
    pub scl: u8,
    /// The status LED: an addressable RGB LED, or a plain one with `status-led-plain`.
    pub led: u8,
}

/// GPIO numbers of the TFT's wiring (`tft` feature): SPI2's clock and data out, and three plain outputs. MISO is not
/// wired: the panel is only written.
#[cfg(feature = "tft")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TftPins {
    /// The SPI clock (SCK, SCL or CLK on the module).
    pub sck: u8,
    /// The SPI data out (MOSI, SDA or DIN on the module).
    pub mosi: u8,
    /// Chip select, low while the panel is written (CS); a module without the pin leaves it unconnected.
    pub cs: u8,
    /// Data or command (DC, RS or A0).
    pub dc: u8,
    /// The controller's reset, low to reset (RST or RES).
    pub rst: u8,
    /// The backlight's enable, high to light (BL, BLK or LED).
    pub bl: u8,
}

// The C3 has few pins: these are the six left free by the meter, button, LED and I2C defaults, none of them
// GPIO20/21 (the DevKitM-1's USB-UART bridge drives GPIO20). GPIO2 is a strapping pin, sampled at reset and high
// for a normal boot: it takes the clock, a high-impedance input on every module (a module's reset line may hold a
// capacitor to ground, so not RST). GPIO7 and GPIO10 are SPI2's own IO_MUX pins for data out and CS0.
#[cfg(all(feature = "tft", feature = "esp32c3"))]
const TFT_DEFAULTS: TftPins = TftPins { sck: 2, mosi: 7, cs: 10, dc: 3, rst: 1, bl: 0 };
// The C6 DevKitC-1's header row GPIO18..23, clear of strapping, flash, USB and UART pins.
#[cfg(all(feature = "tft", feature = "esp32c6"))]
const TFT_DEFAULTS: TftPins = TftPins { sck: 19, mosi: 18, cs: 20, dc: 21, rst: 22, bl: 23 };
// The ESP32's HSPI IO_MUX pins (GPIO14 clock, GPIO13 data, GPIO15 CS), and three free pins beside them.
#[cfg(all(feature = "tft", feature = "esp32"))]
const TFT_DEFAULTS: TftPins = TftPins { sck: 14, mosi: 13, cs: 15, dc: 27, rst: 33, bl: 32 };

/// The TFT pins this build uses.
#[cfg(feature = "tft")]
pub const TFT_PINS: TftPins = checked_tft(
    TftPins {
        sck: gpio_from_env(option_env!("SYSBOY_TFT_SCK_GPIO"), TFT_DEFAULTS.sck),
        mosi: gpio_from_env(option_env!("SYSBOY_TFT_MOSI_GPIO"), TFT_DEFAULTS.mosi),
        cs: gpio_from_env(option_env!("SYSBOY_TFT_CS_GPIO"), TFT_DEFAULTS.cs),
        dc: gpio_from_env(option_env!("SYSBOY_TFT_DC_GPIO"), TFT_DEFAULTS.dc),
        rst: gpio_from_env(option_env!("SYSBOY_TFT_RST_GPIO"), TFT_DEFAULTS.rst),
        bl: gpio_from_env(option_env!("SYSBOY_TFT_BL_GPIO"), TFT_DEFAULTS.bl),
    },
    PINS,
);

/// The pins this build uses.
pub const PINS: Pins = checked(Pins {
    meter: gpio_from_env(option_env!("SYSBOY_METER_GPIO"), DEFAULTS.meter),
    button: gpio_from_env(option_env!("SYSBOY_BUTTON_GPIO"), DEFAULTS.button),
    sda: gpio_from_env(option_env!("SYSBOY_SDA_GPIO"), DEFAULTS.sda),
    scl: gpio_from_env(option_env!("SYSBOY_SCL_GPIO"), DEFAULTS.scl),
    led: gpio_from_env(option_env!("SYSBOY_LED_GPIO"), DEFAULTS.led),
});

const fn gpio_from_env(value: Option<&str>, default: u8) -> u8 {
    let Some(text) = value else { return default };
    let bytes = text.as_bytes();
    assert!(!bytes.is_empty() && bytes.len() <= 2, "a SYSBOY_*_GPIO value must be a GPIO number such as 4");
    let mut number: u8 = 0;
    let mut i = 0;
    while i < bytes.len() {
        assert!(bytes[i].is_ascii_digit(), "a SYSBOY_*_GPIO value must be a GPIO number such as 4");
        number = number * 10 + (bytes[i] - b'0');
        i += 1;
    }
    number
}

/// Fails the build on a pin past the chip's last GPIO or one it cannot spare.
const fn check_usable(pins: &[u8]) {
    let mut i = 0;
    while i < pins.len() {
        assert!(pins[i] <= LAST_GPIO, "a SYSBOY_*_GPIO number is past this chip's last GPIO");
        let mut r = 0;
        while r < RESERVED.len() {
            assert!(pins[i] != RESERVED[r], "a SYSBOY_*_GPIO number names a flash or USB pin");
            r += 1;
        }
        i += 1;
    }
}

const fn checked(pins: Pins) -> Pins {
    check_usable(&[pins.meter, pins.button, pins.sda, pins.scl, pins.led]);
    assert!(pins.meter != pins.button, "the meter and the button need different GPIOs");
    #[cfg(not(feature = "status-led-off"))]
    assert!(pins.led != pins.meter && pins.led != pins.button, "the status LED needs a GPIO of its own (SYSBOY_LED_GPIO)");
    #[cfg(all(any(feature = "mcp4725", feature = "oled"), not(feature = "status-led-off")))]
    assert!(pins.led != pins.sda && pins.led != pins.scl, "the status LED and the I2C pins need different GPIOs");
    // The PWM meter and the OLED's bus both drive their pins.
    #[cfg(all(feature = "oled", not(feature = "mcp4725")))]
    assert!(pins.meter != pins.sda && pins.meter != pins.scl, "the meter and the I2C pins need different GPIOs");
    #[cfg(all(feature = "esp32", not(feature = "mcp4725")))]
    assert!(pins.meter == 25, "the ESP32's on-chip DAC drives the meter from GPIO25 only");
    #[cfg(any(feature = "mcp4725", feature = "oled"))]
    assert!(
        pins.sda != pins.scl && pins.sda != pins.button && pins.scl != pins.button,
        "the I2C pins and the button need different GPIOs"
    );
    pins
}

/// The TFT's pins, checked like the others: usable, distinct from each other, and clear of every other pin this
/// build drives (the meter's unless an MCP4725 drives it, the I2C pins with an OLED or MCP4725, the LED unless off).
#[cfg(feature = "tft")]
const fn checked_tft(tft: TftPins, pins: Pins) -> TftPins {
    let own = [tft.sck, tft.mosi, tft.cs, tft.dc, tft.rst, tft.bl];
    check_usable(&own);
    let mut i = 0;
    while i < own.len() {
        let mut j = i + 1;
        while j < own.len() {
            assert!(own[i] != own[j], "the TFT's pins need a GPIO each (SYSBOY_TFT_*_GPIO)");
            j += 1;
        }
        assert!(own[i] != pins.button, "the TFT and the button need different GPIOs");
        #[cfg(not(feature = "mcp4725"))]
        assert!(own[i] != pins.meter, "the TFT and the meter need different GPIOs");
        #[cfg(not(feature = "status-led-off"))]
        assert!(own[i] != pins.led, "the TFT and the status LED need different GPIOs");
        #[cfg(any(feature = "mcp4725", feature = "oled"))]
        assert!(own[i] != pins.sda && own[i] != pins.scl, "the TFT and the I2C pins need different GPIOs");
        i += 1;
    }
    tft
}
