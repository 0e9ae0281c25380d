//! Sysboy firmware for ESP32-C3, ESP32-C6 and the ESP32 classic: chip set-up, the radio, the meter output, the
//! OLED and TFT screens, the button and the settings flash, wired to the chip-independent logic in
//! `sysboy-device` (the same provisioning, portal, station and screens code the simulator runs).
#![no_std]
#![no_main]

extern crate alloc;

mod board;
mod button;
#[cfg(any(feature = "oled", feature = "mcp4725"))]
mod i2c_bus;
#[cfg(any(feature = "esp32c3", feature = "esp32c6"))]
mod improv;
mod meter;
#[cfg(feature = "oled")]
mod oled;
mod ota;
mod output;
mod portal;
mod provisioning;
mod radio;
mod reset;
#[cfg(any(feature = "oled", feature = "tft"))]
mod screen;
mod settings;
mod station;
mod status_light;
#[cfg(feature = "tft")]
mod tft;
mod watchdog;

use alloc::format;
use core::cell::RefCell;

use embassy_executor::Spawner;
use embassy_sync::blocking_mutex::Mutex;
use esp_backtrace as _;
use esp_hal::{clock::CpuClock, gpio::AnyPin, ram, timer::timg::TimerGroup};
use static_cell::StaticCell;
use sysboy_device::board::{self as device_board, AnalogOutput, OUTPUT_ID};
use sysboy_device::net::session_config;
use sysboy_device::settings::Settings;

use crate::{board::PINS, meter::SharedMeter};

/// The firmware's version: the crate's, or SYSBOY_FIRMWARE_VERSION at build time (scripts/firmware-build.sh builds
/// the newer image of the update tests with it). The app descriptor, the log and the hello carry it.
const VERSION: &str = match option_env!("SYSBOY_FIRMWARE_VERSION") {
    Some(version) => version,
    None => env!("CARGO_PKG_VERSION"),
};

// The default arguments of `esp_app_desc!()` (esp-bootloader-esp-idf 0.6 `src/lib.rs:370-383`) but the version.
esp_bootloader_esp_idf::esp_app_desc!(
    VERSION,
    env!("CARGO_PKG_NAME"),
    esp_bootloader_esp_idf::BUILD_TIME,
    esp_bootloader_esp_idf::BUILD_DATE,
    esp_bootloader_esp_idf::ESP_IDF_COMPATIBLE_VERSION,
    esp_bootloader_esp_idf::MMU_PAGE_SIZE,
    0,
    u16::MAX,
    esp_bootloader_esp_idf::SECURE_VERSION
);

/// esp-radio's share of the heap for Wi-Fi: its quick start gives the allocator 64 KiB of reclaimed RAM and 36 KiB
/// more (esp-radio 1.0.0-beta.1 `src/lib.rs:40-41`), and the driver allocates its buffers and tasks from it.
const RADIO_HEAP: usize = 100 * 1024;
/// The device logic's heap worst case in the simulator plus at least 1.5 KiB, rounded up to 4 KiB: the portal phase
/// (AP+STA, pages served on parallel connections, a page held by every HTTP worker at once for a phone that reads
/// slowly, a join) plus the larger session phase (live, frames drawn on the OLED, a press that steps its scene;
/// measured with and without an update over the air in progress), 56 056 to 56 992 B in seven runs of
/// bench/heap-worst-case.ts (portal 36 801 to 36 865 B + session 19 234 to 20 127 B; 18 378 to 18 386 B with an
/// update, which writes each piece of the image from the fetch's static buffer and holds no sector), so 4 448 B of
/// margin; with the simulator's `--oled 128x64`, as the default image drives one. It was 55 706 B before updates
/// over the air and 61 098 B with the updater's 4 KiB sector buffer. 56 KiB would leave 352 B. Frames in flight are
/// the radio's and not counted (see sim/src/heap.rs `LinkFrame`). tests/firmware-heap.test.ts fails when a new
/// measurement exceeds this.
const DEVICE_LOGIC_PEAK: usize = 60 * 1024;
/// The whole heap: esp-radio's share plus twice the device logic's worst case (scripts/firmware-build.sh prints it).
const HEAP_SIZE: usize = RADIO_HEAP + 2 * DEVICE_LOGIC_PEAK;
/// The part of [`HEAP_SIZE`] in the bootloader's RAM, free once the app runs.
const RECLAIMED_HEAP: usize = 64 * 1024;
/// What an ESP32-C3 with a TFT takes from the heap's device-logic share for the TFT's statics (WebSocket buffers
/// that hold a whole 8 KiB binary frame, 12 KiB more than without; the 8 KiB pixel buffer; mipidsi's 1 KiB: about
/// 23 KiB in all), so its stack stays at least as large as the default image's (13 384 B against 11 664 B when last
/// built); the device logic keeps 96 KiB, 1.72x its simulated worst case (55.7 KiB). The C6 has room for both.
#[cfg(all(feature = "tft", feature = "esp32c3"))]
const STREAM_STATICS_FROM_HEAP: usize = 24 * 1024;
/// Every other image keeps the whole heap (listed last: bench/firmware-heap.ts reads the default image's value).
#[cfg(not(all(feature = "tft", feature = "esp32c3")))]
const STREAM_STATICS_FROM_HEAP: usize = 0;

#[esp_rtos::main]
async fn main(spawner: Spawner) -> ! {
    // The update's rollback covers an image from here on, and only from here. A new image's first start must reach
    // ota::at_boot, which marks it on trial: a start that fails before that leaves it New, and the next start
    // boots it again (espflash's bootloader has no rollback, see ota.rs), so a fault there restarts it for ever, or
    // stops it for good once init has disabled the watchdogs.
    // What runs before: the runtime's start-up and this task's first poll, then esp_hal::init (clocks, its chip
    // revision assert, disabling every watchdog), the watchdog's arming (register writes) and the logger's (its
    // one unwrap fails only on a second call). So a panic or a hang inside esp_hal::init, or before it, is not
    // covered. Everything after is: a panic ends in esp-backtrace's spin with interrupts off and a hang stops the
    // executor, so the watchdog, running from before the check, restarts the board, and that start, finding the
    // image still on trial, rolls it back. An image whose executor runs but never reaches the host feeds the
    // watchdog and stays on trial until the next restart (a power cut, a reset), which rolls it back.
    let mut peripherals = esp_hal::init(esp_hal::Config::default().with_cpu_clock(CpuClock::max()));
    // init has just disabled every watchdog (see watchdog.rs): armed before the trial starts, so it runs all along.
    let watchdog = watchdog::arm(peripherals.TIMG1);
    // Before the check, so its lines (a rollback, the trial) reach the log.
    esp_println::logger::init_logger_from_env();
    // Flash access only: no heap, no executor.
    ota::at_boot(peripherals.FLASH.reborrow());
    // The bootloader's RAM, reclaimed, carries part of the heap, as in esp-radio's quick start.
    esp_alloc::heap_allocator!(#[ram(reclaimed)] size: RECLAIMED_HEAP);
    esp_alloc::heap_allocator!(size: HEAP_SIZE - RECLAIMED_HEAP - STREAM_STATICS_FROM_HEAP);
    log::info!("sysboy {VERSION} on {} ({:?})", board::CHIP, PINS);
    // After the check: a new image's panic mark outlives the restart of a rollback, so the start that rolls it
    // back reports `panic`, as the cause of the chain.
    log::info!("reset: {}", reset::at_boot().as_str());
    let ota_boot = ota::boot_report();

    let timg0 = TimerGroup::new(peripherals.TIMG0);
    esp_rtos::start(timg0.timer0, peripherals.FROM_CPU_INTR0);
    spawner.spawn(watchdog::feed(watchdog).expect("the watchdog task is spawned once"));

    let store = match settings::open(peripherals.FLASH) {
        Ok((store, range)) => {
            log::info!("settings: nvs partition at {:#x}..{:#x}", range.start, range.end);
            Some(store)
        }
        Err(error) => {
            log::error!("settings: {error}; running without saved settings");
            None
        }
    };
    let (store, saved) = load_settings(store).await;

    // SAFETY: board::PINS checked at build time that these are distinct, existing and not flash or USB pins,
    // and no other driver takes them.
    let button_pin = unsafe { AnyPin::steal(PINS.button) };
    spawner.spawn(button::watch(button_pin).expect("the button task is spawned once"));

    // The MCP4725 and the OLED share it; without either the pins stay free.
    #[cfg(any(feature = "oled", feature = "mcp4725"))]
    let bus = i2c_bus::open(peripherals.I2C0);

    #[cfg(not(any(feature = "mcp4725", feature = "esp32")))]
    // SAFETY: as above.
    let output = output::MeterOutput::new(peripherals.LEDC, unsafe { AnyPin::steal(PINS.meter) });
    #[cfg(all(feature = "esp32", not(feature = "mcp4725")))]
    let output = output::MeterOutput::new(peripherals.DAC1, peripherals.GPIO25);
    #[cfg(feature = "mcp4725")]
    let output = bus.map(|bus| output::MeterOutput::new(&spawner, bus));
    let mut output = match output {
        Ok(output) => output,
        Err(error) => halt(error),
    };
    let mut needle = match device_board::meter_for(&output) {
        Ok(meter) => meter,
        Err(error) => halt(error),
    };
    // One output on this board: its stored curve (and the one it replaced, for undo) is its calibration.
    match session_config::restore(&mut needle, &saved, OUTPUT_ID) {
        Ok(true) => log::info!("meter: calibration \"{OUTPUT_ID}\" restored"),
        Ok(false) => {}
        Err(error) => log::warn!("meter: the stored calibration is unusable ({error}); using the linear one"),
    }
    log::info!("meter: output codes 0..={}", output.max_code());
    static METER: StaticCell<SharedMeter> = StaticCell::new();
    let meter: &'static SharedMeter = METER.init(Mutex::new(RefCell::new(needle)));
    #[cfg(all(feature = "tft", any(feature = "esp32c3", feature = "esp32c6")))]
    let tft_dma = peripherals.DMA_CH0;
    #[cfg(all(feature = "tft", feature = "esp32"))]
    let tft_dma = peripherals.DMA_SPI2;
    #[cfg(any(feature = "oled", feature = "tft"))]
    let displays = start_screens(
        &spawner,
        #[cfg(feature = "oled")]
        bus,
        #[cfg(feature = "tft")]
        (peripherals.SPI2, tft_dma),
    )
    .await;
    let shows = station::Shows {
        meter,
        #[cfg(any(feature = "oled", feature = "tft"))]
        screens: displays.screens,
        #[cfg(feature = "tft")]
        tft: displays.tft,
    };
    // Before the radio, so the LED says "starting" while Wi-Fi comes up.
    status_light::start(&spawner, peripherals.RMT, meter);

    log::info!("wifi: country {} ({})", saved.network.country, saved.network.country.name());
    match radio::start(&spawner, peripherals.WIFI, saved.network.country) {
        Ok(wifi) => {
            let (portal, submissions) = portal::spawn(&spawner, wifi.access_point);
            let [_, _, a, b, c, d] = wifi.mac;
            let device_id = format!("sysboy-{a:02x}{b:02x}{c:02x}{d:02x}");
            // The state scene names the board while it waits for approval, as `sysboy pair` takes it.
            #[cfg(any(feature = "oled", feature = "tft"))]
            if let Some(screens) = shows.screens {
                screens.lock(|screens| screens.borrow_mut().device_named(&device_id));
            }
            // Improv Wi-Fi serial on the USB port the board was flashed through, beside the log.
            #[cfg(any(feature = "esp32c3", feature = "esp32c6"))]
            improv::spawn(&spawner, peripherals.USB_DEVICE, portal, submissions, wifi.station, &saved, device_id.clone());
            let link = device_board::link_config(&device_id, VERSION, board::CHIP_ID, output.kind(), saved.network.token.clone());
            // The hello announces the OLED only when it answered at boot, so the button of a board without a
            // screen still asks the host for the meter's next metric; a TFT is always there (SPI cannot tell).
            #[cfg(any(feature = "oled", feature = "tft"))]
            let link = match shows.screens {
                Some(screens) => link.and_then(|link| screen::announce(link, screens, displays.streams())),
                None => link,
            };
            match link {
                Ok(link) => spawner.spawn(station::run(wifi.station, shows, link, saved.clone(), ota_boot).expect("the station task is spawned once")),
                Err(error) => log::error!("host: the hello cannot be made ({error}); no host session"),
            }
            // Leaked once: the provisioning task holds the name for ever.
            let ssid = sysboy_device::net::portal::ap_ssid(wifi.mac).leak();
            let start = provisioning::Start {
                radio: wifi.radio,
                store,
                settings: saved,
                portal,
                submissions,
                station: wifi.station,
                ssid,
                #[cfg(any(feature = "oled", feature = "tft"))]
                screens: shows.screens,
            };
            spawner.spawn(provisioning::run(start).expect("the provisioning task is spawned once"));
        }
        Err(error) => log::error!("radio: Wi-Fi did not start: {error:?}"),
    }

    device_board::drive::drive_meter(meter, &mut output).await
}

/// Finds the displays (an OLED that answers on I2C; the TFT, which cannot be asked), makes the board's screens of
/// them and starts each one's task; no screens without any: the board is then a meter alone.
#[cfg(any(feature = "oled", feature = "tft"))]
async fn start_screens(
    spawner: &Spawner,
    #[cfg(feature = "oled")] bus: Result<&'static i2c_bus::Bus, i2c_bus::BusError>,
    #[cfg(feature = "tft")] (spi, dma): (esp_hal::peripherals::SPI2<'static>, tft::DmaChannel),
) -> screen::Displays {
    let mut specs = alloc::vec::Vec::new();
    #[cfg(feature = "oled")]
    let oled = match bus {
        Ok(bus) => screen::oled::probe(bus).await.map(|display| (bus, display, specs.len())),
        Err(error) => {
            log::error!("screen: {error}; running without the OLED");
            None
        }
    };
    #[cfg(feature = "oled")]
    if oled.is_some() {
        specs.push(device_board::oled());
    }
    #[cfg(feature = "tft")]
    let tft = match tft::Tft::new(spi, dma) {
        Ok(tft) => {
            let panel = tft::panel::PANEL;
            log::info!("screen: TFT {} ({}x{}) at {} MHz", panel.name, panel.width(), panel.height(), tft::panel::SPI_MHZ);
            Some((tft, specs.len()))
        }
        Err(error) => {
            log::error!("screen: {error}; running without the TFT");
            None
        }
    };
    #[cfg(feature = "tft")]
    if tft.is_some() {
        specs.push(screen::tft::spec());
    }
    let Some(screens) = screen::share(specs) else { return screen::Displays::default() };
    #[cfg(feature = "oled")]
    if let Some((bus, display, index)) = oled {
        screen::oled::start(spawner, bus, screens, index, display);
    }
    screen::Displays {
        screens: Some(screens),
        #[cfg(feature = "tft")]
        tft: tft.map(|(tft, index)| screen::tft::start(spawner, screens, index, tft)),
    }
}

/// Loads the saved settings, logging what could not be used; defaults without a store.
async fn load_settings(store: Option<settings::Store>) -> (Option<settings::Store>, Settings) {
    let Some(mut store) = store else { return (None, Settings::default()) };
    let mut buffer = [0u8; sysboy_device::net::settings_keeper::RECORD_BUFFER];
    let loaded = device_board::settings::load_settings(&mut store, &mut buffer).await;
    let network = &loaded.settings.network;
    match &network.wifi {
        Some(wifi) => log::info!("settings: home network \"{}\" saved", wifi.ssid),
        None => log::info!("settings: no home network saved; the portal is the way in"),
    }
    (Some(store), loaded.settings)
}

/// A fault the firmware cannot work around: say so, and let the watchdog's reset retry.
fn halt(error: impl core::fmt::Display) -> ! {
    panic!("cannot drive the meter: {error}")
}
