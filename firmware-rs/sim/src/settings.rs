//! The simulated device's settings: `sysboy_device::settings` over the flash file. The command line's host and
//! token are laid over what was saved and saved in turn; bindings and calibrations from the host are saved when
//! they change; a long press erases everything. Flash work happens in this one task, as on the ESP32.

use core::cell::RefCell;

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embedded_storage_async::nor_flash::ReadNorFlash;
use serde_json::json;
use sysboy_device::settings::{LoadProblem, Settings, SettingsStore, StoredCalibration};
use sysboy_protocol::Binding;

use crate::cli::Options;
use crate::flash::FileFlash;
use crate::now_ms;
use crate::panel::Panel;

/// Room for the largest record (a 16-point calibration with its undo curve).
const RECORD: usize = 1024;

/// What the other tasks ask of the settings.
#[derive(Debug, Clone, PartialEq)]
pub enum SettingsRequest {
    /// The host bound the outputs anew: keep them for the next boot.
    Bindings(Vec<Binding>),
    /// An output's calibration changed (set by the host, or undone): keep it, with its undo curve.
    Calibration(StoredCalibration),
    /// The long press: forget everything.
    Reset,
}

/// Requests waiting for the settings task.
pub type SettingsRequests = Channel<CriticalSectionRawMutex, SettingsRequest, 4>;

/// The settings store over the flash file.
pub type Store = SettingsStore<FileFlash>;

/// The settings at boot, and what happened while reading them.
pub struct Opened {
    /// The store, for the settings task.
    pub store: Store,
    /// Saved settings with the command line laid over them.
    pub settings: Settings,
    /// What had to be replaced by defaults (a corrupt or foreign flash file).
    pub problems: Vec<LoadProblem>,
    /// Whether the command line changed the settings, which were then saved.
    pub saved: bool,
}

/// Reads the settings, lays `--host` and `--token` over them and saves the result when it differs.
pub fn open(flash: FileFlash, options: &Options) -> Result<Opened, String> {
    let end = flash.capacity() as u32;
    let mut store = SettingsStore::new(flash, 0..end).map_err(|error| error.to_string())?;
    let mut buffer = [0u8; RECORD];
    // The file flash never pends, so blocking here costs nothing and the tasks start with the settings known.
    let loaded = embassy_futures::block_on(store.load(&mut buffer));
    let mut settings = loaded.settings.clone();
    if let Some(host) = options.host {
        settings.network.host = Some(host.to_string());
    }
    if let Some(token) = &options.token {
        settings.network.token = Some(token.clone());
    }
    let saved = settings != loaded.settings;
    if saved {
        embassy_futures::block_on(store.save(&settings, &mut buffer)).map_err(|error| format!("cannot save the settings: {error}"))?;
    }
    Ok(Opened { store, settings, problems: loaded.problems, saved })
}

/// Reports the settings the device boots with (never the token itself).
pub fn report(panel: &RefCell<Panel>, opened: &Opened) {
    let network = &opened.settings.network;
    let problems: Vec<String> = opened.problems.iter().map(ToString::to_string).collect();
    let detail = json!({
        "host": network.host,
        "token": network.token.is_some(),
        "bindings": network.bindings.iter().map(|b| format!("{}={}", b.output, b.metric)).collect::<Vec<_>>(),
        "calibrations": opened.settings.calibrations.iter().map(|c| &c.output).collect::<Vec<_>>(),
        "problems": problems,
        "saved": opened.saved,
    });
    panel.borrow_mut().event(now_ms(), "settings_loaded", detail);
}

/// Saves new bindings and erases on a long press, for ever. After an erase nothing more is saved: the ESP32
/// reboots into its portal there, and the simulator stays up only so tests can look at the erased flash.
#[embassy_executor::task]
pub async fn run(mut store: Store, mut settings: Settings, requests: &'static SettingsRequests, panel: &'static RefCell<Panel>) -> ! {
    let mut buffer = [0u8; RECORD];
    let mut erased = false;
    loop {
        let request = requests.receive().await;
        match request {
            _ if erased => {}
            SettingsRequest::Bindings(bindings) if bindings == settings.network.bindings => {}
            SettingsRequest::Bindings(bindings) => {
                settings.network.bindings = bindings;
                let detail = match store.save(&settings, &mut buffer).await {
                    Ok(()) => json!({ "bindings": settings.network.bindings.iter().map(|b| format!("{}={}", b.output, b.metric)).collect::<Vec<_>>() }),
                    Err(error) => json!({ "error": error.to_string() }),
                };
                panel.borrow_mut().event(now_ms(), "settings_saved", detail);
            }
            SettingsRequest::Calibration(calibration) => {
                let output = calibration.output.clone();
                match settings.calibrations.iter_mut().find(|stored| stored.output == output) {
                    Some(stored) => *stored = calibration,
                    None => settings.calibrations.push(calibration),
                }
                let detail = match store.save(&settings, &mut buffer).await {
                    Ok(()) => json!({ "calibration": output }),
                    Err(error) => json!({ "calibration": output, "error": error.to_string() }),
                };
                panel.borrow_mut().event(now_ms(), "settings_saved", detail);
            }
            SettingsRequest::Reset => {
                erased = true;
                settings = Settings::default();
                let detail = match store.reset().await {
                    Ok(()) => json!({ "ok": true }),
                    Err(error) => json!({ "ok": false, "error": error.to_string() }),
                };
                panel.borrow_mut().event(now_ms(), "settings_reset", detail);
            }
        }
    }
}
