//! sysboy-sim: the Sysboy device logic (`sysboy-device`) running on Linux, wired as the ESP32 wires it, with a
//! TAP device for the radio, a file for the flash, stdin for the button, an OLED (`--oled`) and a TFT that takes
//! the host's stream (`--tft`) in memory, and JSON lines on stdout for the needle and the screens.

mod access_point;
mod board;
mod buttons;
mod cli;
mod console;
mod flash;
mod fnv;
mod heap;
mod logger;
mod net;
mod ota;
mod output;
mod panel;
mod portal_io;
mod provisioning;
mod radio;
mod random;
mod report;
mod reset;
mod screen;
mod serial;
mod settings;
mod station;
mod tap;
mod tft;

use std::cell::RefCell;
use std::process::ExitCode;

use embassy_executor::Executor;
use embassy_time::{Duration, Instant};
use static_cell::StaticCell;
use sysboy_device::board::gestures::Gestures;
use sysboy_device::board::{BUTTON_TICK_MS, OUTPUT_ID, SCREEN_ID, STREAM_BUFFER};
use sysboy_device::button::ButtonConfig;
use sysboy_device::link::{LinkConfig, LinkConfigError};
use sysboy_device::meter::{Meter, MeterConfig};
use sysboy_device::net::session_config;
use sysboy_device::net::settings_keeper::{SettingsChanges, SettingsKeeper};
use sysboy_device::screen::{ScreenSpec, Screens};
use sysboy_protocol::Chip;

use crate::cli::{Command, Options};
use crate::console::{Commands, Display, ScreenRequests};
use crate::flash::FileFlash;
use crate::output::PanelOutput;
use crate::panel::Panel;
use crate::provisioning::{FirstBoot, StationStart};
use crate::random::Random;
use crate::screen::SimScreen;
use crate::tap::TapDevice;
use crate::tft::SimTft;


/// Sectors of the simulated settings partition.
const FLASH_SECTORS: usize = 4;

fn main() -> ExitCode {
    let mut options = match cli::parse(std::env::args().skip(1)) {
        Ok(Command::Run(options)) => *options,
        Ok(Command::Help) => {
            print!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("sysboy-sim: {error}");
            return ExitCode::from(2);
        }
    };
    // The serial port carries the log lines too, as the board's USB port does: its logger goes in first.
    if let Some(path) = &options.serial {
        if let Err(error) = serial::open(path) {
            eprintln!("sysboy-sim: {error}");
            return ExitCode::from(1);
        }
    }
    logger::install();
    log::info!("reset: {}", reset::reason().as_str());
    let mut random = Random::new(options.seed);
    let mac = options.mac.unwrap_or_else(|| mac_for(&options.tap));
    let device = match TapDevice::open(&options.tap, mac) {
        Ok(device) => device,
        Err(error) => {
            eprintln!("sysboy-sim: cannot attach to TAP '{}': {error} (create it with `ip tuntap add {} mode tap`, as root)", options.tap, options.tap);
            return ExitCode::from(1);
        }
    };
    // The bootloader's part first: which app slot runs, and the version of its image (the simulator's own without one).
    let (slots, booted) = match ota::SimSlots::open(&options.flash).map_err(|error| format!("cannot open the flash file {}: {error}", options.flash.display())).and_then(|mut slots| {
        let booted = slots.boot(options.chip, options.image.as_deref())?;
        Ok((slots, booted))
    }) {
        Ok(opened) => opened,
        Err(error) => {
            eprintln!("sysboy-sim: {error}");
            return ExitCode::from(1);
        }
    };
    let firmware = booted.image.as_ref().map_or_else(|| String::from(env!("CARGO_PKG_VERSION")), |image| image.version.clone());
    let flash = match FileFlash::open(&options.flash, FLASH_SECTORS) {
        Ok(flash) => flash,
        Err(error) => {
            eprintln!("sysboy-sim: cannot open the flash file {}: {error}", options.flash.display());
            return ExitCode::from(1);
        }
    };
    // With an access point the device provisions itself: what the flash holds decides between portal and join.
    // Without one, the saved host, token and bindings come from the flash, with the command line laid over them.
    let mut saved = None;
    let first_boot = match options.ap_tap.clone() {
        None => match settings::open(flash, &options) {
            Ok(opened) => {
                options.host = sysboy_device::net::station::saved_host(&opened.settings);
                options.token = opened.settings.network.token.clone();
                saved = Some(opened);
                None
            }
            Err(error) => {
                eprintln!("sysboy-sim: the settings in {} are unusable: {error}", options.flash.display());
                return ExitCode::from(1);
            }
        },
        Some(ap_tap) => match FirstBoot::prepare(&mut options, flash, FLASH_SECTORS, (&ap_tap, mac_for(&ap_tap)), device.up_probe(), random.next_u64()) {
            Ok(first_boot) => Some(first_boot),
            Err(error) => {
                eprintln!("sysboy-sim: {error}");
                return ExitCode::from(1);
            }
        },
    };
    let mut meter = match MeterConfig::new(output::MAX_CODE).and_then(Meter::new) {
        Ok(meter) => meter,
        Err(error) => {
            eprintln!("sysboy-sim: the meter settings are unusable: {error}");
            return ExitCode::from(1);
        }
    };
    if let Some(opened) = &saved {
        if let Err(error) = session_config::restore(&mut meter, &opened.settings, OUTPUT_ID) {
            log::warn!("settings: the stored calibration of '{OUTPUT_ID}' is unusable ({error}); using the linear one");
        }
    }
    let device_id = options.device_id.clone().unwrap_or_else(|| format!("sim-{}", hex(&mac)));
    // The board's OLED and TFT under their ids, at the sizes asked for: the OLED first.
    let oled = options.oled.map(|(width, height)| ScreenSpec::oled(SCREEN_ID, width, height));
    let tft = options.tft.map(|(width, height)| sysboy_device::board::tft(width, height));
    let screens: Vec<ScreenSpec> = oled.into_iter().chain(tft).collect();
    let link = match link_config(&options, &device_id, &firmware, &screens) {
        Ok(link) => link,
        Err(error) => {
            eprintln!("sysboy-sim: {error} (check --device-id and --token)");
            return ExitCode::from(2);
        }
    };
    let button = match ButtonConfig::new(BUTTON_TICK_MS) {
        Ok(button) => button,
        Err(error) => {
            eprintln!("sysboy-sim: the button settings are unusable: {error}");
            return ExitCode::from(1);
        }
    };
    static EXECUTOR: StaticCell<Executor> = StaticCell::new();
    static PANEL: StaticCell<RefCell<Panel>> = StaticCell::new();
    static COMMANDS: StaticCell<Commands> = StaticCell::new();
    static GESTURES: StaticCell<Gestures> = StaticCell::new();
    static SCREEN_REQUESTS: StaticCell<ScreenRequests> = StaticCell::new();
    static CHANGES: StaticCell<SettingsChanges> = StaticCell::new();
    let commands: &'static Commands = COMMANDS.init(Commands::new());
    let gestures: &'static Gestures = GESTURES.init(Gestures::new());
    // One channel in both modes: the session's board sends to it, and whichever task owns the flash saves.
    let changes: &'static SettingsChanges = CHANGES.init(SettingsChanges::new());
    let displays: &'static [Display] = match (options.oled, options.tft) {
        (Some(_), Some(_)) => &[Display::Oled, Display::Tft],
        (Some(_), None) => &[Display::Oled],
        (None, Some(_)) => &[Display::Tft],
        (None, None) => &[],
    };
    let screen_requests: Option<&'static ScreenRequests> = (!displays.is_empty()).then(|| &*SCREEN_REQUESTS.init(ScreenRequests::new()));
    if let Err(error) = console::spawn_reader(commands, screen_requests, displays) {
        eprintln!("sysboy-sim: cannot read stdin: {error}");
        return ExitCode::from(1);
    }
    let oled = options.oled.map(|(width, height)| SimScreen::new(width, height));
    // The screens take what the link takes: the specs its hello announces, the TFT taking the stream.
    let specs = ScreenSpec::from_hello(link.hello());
    let tft = options.tft.map(|(width, height)| SimTft::new(width, height, specs.iter().position(|spec| spec.depth == 16).unwrap_or_default()));
    let mut screens = Screens::new(specs);
    // The state scene names the board while it waits for approval, as `sysboy pair` takes it.
    screens.device_named(&device_id);
    let panel: &'static RefCell<Panel> = PANEL.init(RefCell::new(Panel::new(meter, screens, (oled, tft), &options, &heap::HEAP)));
    // With an access point the station is a radio's: associated only after a join. Without one it is a wire.
    let association = first_boot.as_ref().map(|_| &radio::ASSOCIATION);
    let (stack, runner) = net::start(radio::AirInterface::new(device, association, radio::Role::Station), options.addressing, random.next_u64());
    panel.borrow_mut().event(now_ms(), "boot", ota::boot_event(options.chip, &firmware, &booted));
    if let Some(rolled_back) = &booted.rolled_back {
        panel.borrow_mut().set_update(rolled_back.clone());
    }
    match (&saved, &first_boot) {
        (Some(opened), _) => settings::report(panel, opened),
        (None, Some(first_boot)) => first_boot.report(panel),
        (None, None) => {}
    }
    let bindings = saved.as_ref().map(|opened| opened.settings.network.bindings.clone()).unwrap_or_default();
    let station = station::Station {
        stack,
        panel,
        gestures,
        random,
        host: options.host,
        token: options.token.clone(),
        link,
        bindings,
        settings: changes,
        heap: &heap::HEAP,
        streaming: options.tft.is_some(),
        updater: ota::updater(options.chip, booted.rolled_back),
        slots: (options.chip != Chip::Sim).then_some(slots),
    };
    EXECUTOR.init(Executor::new()).run(|spawner| {
        // Spawning fails only when a task is spawned twice, which this start-up never does.
        spawner.spawn(drive_meter(panel, PanelOutput { panel, stack }).expect("the meter task is spawned once"));
        spawner.spawn(buttons::run(button, Duration::from_millis(u64::from(button.long_press_ms())), commands, gestures).expect("the button task is spawned once"));
        if let Some(requests) = screen_requests {
            spawner.spawn(screen::run(panel, requests).expect("the screen task is spawned once"));
        }
        match first_boot {
            None => {
                if let Some(opened) = saved {
                    let keeper = SettingsKeeper::new(Some(opened.store), opened.settings);
                    spawner.spawn(settings::run(keeper, changes, panel).expect("the settings task is spawned once"));
                }
                spawner.spawn(net::run(runner).expect("the network task is spawned once"));
                spawner.spawn(station::run(station).expect("the station task is spawned once"));
            }
            Some(first_boot) => first_boot.spawn(spawner, panel, changes, StationStart { runner, station }),
        }
    });
}

/// The host-link settings: the hello this device sends (with its `screens`, and with a TFT its stream buffer and
/// encodings), and its timers (the device's defaults unless set).
fn link_config(options: &Options, device_id: &str, firmware: &str, screens: &[ScreenSpec]) -> Result<LinkConfig, LinkConfigError> {
    let mut link = sysboy_device::board::link_config(device_id, firmware, options.chip, output::KIND, options.token.clone())?.with_screens(screens);
    if options.tft.is_some() {
        link = link.with_stream_buffer(STREAM_BUFFER);
    }
    if let Some(max) = options.backoff_max_ms {
        link = link.with_backoff_ms(500.min(max), max);
    }
    if let Some(wait) = options.auth_backoff_ms {
        link = link.with_auth_backoff_ms(wait);
    }
    if let Some(period) = options.status_ms {
        link = link.with_status_ms(period);
    }
    link.checked()
}

/// Sweeps the needle once, then steps it every tick and reports where it is.
#[embassy_executor::task]
async fn drive_meter(panel: &'static RefCell<Panel>, mut output: PanelOutput) -> ! {
    sysboy_device::board::drive::drive_meter(panel, &mut output).await
}

/// Milliseconds since the simulated device booted.
pub fn now_ms() -> u64 {
    Instant::now().as_millis()
}

/// A locally administered MAC address made from the TAP name, so a device keeps its DHCP lease across runs.
fn mac_for(tap: &str) -> [u8; 6] {
    // FNV-1a: stable across builds, unlike std's hasher.
    let hash = tap.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let bytes = hash.to_le_bytes();
    [0x02, 0x53, bytes[0], bytes[1], bytes[2], bytes[3]]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
