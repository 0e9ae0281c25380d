//! Sysboy firmware for ESP32-C3 and ESP32-C6: chip set-up, the radio, the meter output, the button and the
//! settings flash, wired to the chip-independent logic in `sysboy-device`.
#![no_std]
#![no_main]

extern crate alloc;

mod board;
mod button;
mod meter;
mod output;
mod provisioning;
mod radio;
mod settings;
mod watchdog;

use embassy_executor::Spawner;
use esp_backtrace as _;
use esp_hal::{clock::CpuClock, gpio::AnyPin, ram, timer::timg::TimerGroup};

use sysboy_device::settings::Settings;

use crate::{board::PINS, output::AnalogOutput};

esp_bootloader_esp_idf::esp_app_desc!();

#[esp_rtos::main]
async fn main(spawner: Spawner) -> ! {
    esp_println::logger::init_logger_from_env();
    let peripherals = esp_hal::init(esp_hal::Config::default().with_cpu_clock(CpuClock::max()));
    // esp-radio needs about 72 KiB of heap for Wi-Fi; the reclaimed bootloader RAM carries most of it.
    esp_alloc::heap_allocator!(#[ram(reclaimed)] size: 64 * 1024);
    esp_alloc::heap_allocator!(size: 36 * 1024);
    log::info!("sysboy {} on {} ({:?})", env!("CARGO_PKG_VERSION"), board::CHIP, PINS);

    let timg0 = TimerGroup::new(peripherals.TIMG0);
    esp_rtos::start(timg0.timer0, peripherals.FROM_CPU_INTR0);
    let timg1 = TimerGroup::new(peripherals.TIMG1);
    spawner.spawn(watchdog::feed(timg1.wdt).expect("the watchdog task is spawned once"));

    let settings = match settings::open(peripherals.FLASH) {
        Ok((store, range)) => {
            log::info!("settings: nvs partition at {:#x}..{:#x}", range.start, range.end);
            Some(store)
        }
        Err(error) => {
            log::error!("settings: {error}; running without saved settings");
            None
        }
    };
    let (settings, saved) = load_settings(settings).await;

    // SAFETY: board::PINS checked at build time that these are distinct, existing and not flash or USB pins,
    // and no other driver takes them.
    let (meter_pin, button_pin) = unsafe { (AnyPin::steal(PINS.meter), AnyPin::steal(PINS.button)) };
    spawner.spawn(button::watch(button_pin).expect("the button task is spawned once"));

    match radio::start(&spawner, peripherals.WIFI) {
        Ok(wifi) => {
            // The station and access point stacks are for the host link and the portal's servers.
            let _ = (wifi.station, wifi.access_point);
            let provisioner = provisioning::Provisioner { radio: wifi.radio, store: settings, settings: saved.clone().unwrap_or_default() };
            spawner.spawn(provisioning::run(provisioner).expect("the provisioning task is spawned once"));
        }
        Err(error) => log::error!("radio: Wi-Fi did not start: {error:?}"),
    }

    #[cfg(not(feature = "mcp4725"))]
    let output = output::ledc::PwmOutput::new(peripherals.LEDC, meter_pin);
    #[cfg(feature = "mcp4725")]
    let output = {
        let _ = meter_pin;
        // SAFETY: as above, board::PINS keeps the I2C pins apart from the others.
        let (sda, scl) = unsafe { (AnyPin::steal(PINS.sda), AnyPin::steal(PINS.scl)) };
        output::mcp4725::DacOutput::new(peripherals.I2C0, sda, scl)
    };
    let mut output = match output {
        Ok(output) => output,
        Err(error) => halt(error),
    };
    let mut meter = match meter::meter_for(&output) {
        Ok(meter) => meter,
        Err(error) => halt(error),
    };
    // One output on this board: the first stored curve is its calibration.
    if let Some(calibration) = saved.as_ref().and_then(|saved| saved.calibrations.first()) {
        match meter.set_calibration(&calibration.current) {
            Ok(()) => log::info!("meter: calibration \"{}\" restored", calibration.output),
            Err(error) => log::warn!("meter: the stored calibration is unusable ({error}); using the linear one"),
        }
    }
    log::info!("meter: output codes 0..={}", output.max_code());
    meter::drive(meter, &mut output).await
}

/// Loads the saved settings, logging what could not be used; none without a store.
async fn load_settings(store: Option<settings::Store>) -> (Option<settings::Store>, Option<Settings>) {
    let Some(mut store) = store else { return (None, None) };
    let mut buffer = [0u8; settings::RECORD_BUFFER];
    let loaded = store.load(&mut buffer).await;
    for problem in &loaded.problems {
        log::warn!("settings: {problem}");
    }
    let network = &loaded.settings.network;
    match &network.wifi {
        Some(wifi) => log::info!("settings: home network \"{}\" saved", wifi.ssid),
        None => log::info!("settings: no home network saved; the portal is the way in"),
    }
    (Some(store), Some(loaded.settings))
}

/// A fault the firmware cannot work around: say so, and let the watchdog's reset retry.
fn halt(error: impl core::fmt::Display) -> ! {
    panic!("cannot drive the meter: {error}")
}
