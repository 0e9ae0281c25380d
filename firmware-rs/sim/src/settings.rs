//! The simulated device's settings: `sysboy_device::settings` over the flash file. The command line's host and
//! token are laid over what was saved and saved in turn; without an access point, the shared settings keeper
//! then saves the host's bindings and calibrations and erases on a long press, in this one task.

use core::cell::RefCell;

use embassy_futures::select::{select, Either};
use embedded_storage_async::nor_flash::ReadNorFlash;
use serde_json::json;
use sysboy_device::board::settings::load_settings;
use sysboy_device::net::settings_keeper::{Kept, SettingsChange, SettingsChanges, SettingsKeeper, RECORD_BUFFER};
use sysboy_device::settings::{LoadProblem, Settings, SettingsStore};
use sysboy_protocol::Binding;

use crate::buttons::RESET;
use crate::cli::Options;
use crate::flash::FileFlash;
use crate::now_ms;
use crate::panel::Panel;

/// The settings store over the flash file.
pub type Store = SettingsStore<FileFlash>;

/// The settings at boot, and what happened while reading them.
pub struct Opened {
    /// The store, for the settings keeper.
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
    let mut buffer = [0u8; RECORD_BUFFER];
    // The file flash never pends, so blocking here costs nothing and the tasks start with the settings known.
    let loaded = embassy_futures::block_on(load_settings(&mut store, &mut buffer));
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

/// Reports the settings the device boots with (never the token itself), the Wi-Fi country among them.
pub fn report(panel: &RefCell<Panel>, opened: &Opened) {
    let network = &opened.settings.network;
    let problems: Vec<String> = opened.problems.iter().map(ToString::to_string).collect();
    let detail = json!({
        "host": network.host,
        "token": network.token.is_some(),
        // The Wi-Fi country the ESP32's radio would be started with (`esp32/src/radio.rs`, `start`).
        "country": network.country.as_str(),
        "bindings": binding_names(&network.bindings),
        "calibrations": opened.settings.calibrations.iter().map(|c| &c.output).collect::<Vec<_>>(),
        "problems": problems,
        "saved": opened.saved,
    });
    panel.borrow_mut().event(now_ms(), "settings_loaded", detail);
}

/// The `settings_saved` event for a change the keeper saved (`error` none) or could not save; the same in both
/// modes, so a test reads it the same way with or without an access point.
pub fn saved_event(panel: &RefCell<Panel>, change: &SettingsChange, error: Option<&str>) {
    let detail = match (change, error) {
        (SettingsChange::Bindings(bindings), None) => json!({ "bindings": binding_names(bindings) }),
        (SettingsChange::Bindings(_), Some(error)) => json!({ "error": error }),
        (SettingsChange::Calibration(calibration), None) => json!({ "calibration": calibration.output }),
        (SettingsChange::Calibration(calibration), Some(error)) => json!({ "calibration": calibration.output, "error": error }),
        // Never the credential itself.
        (SettingsChange::Token(_), None) => json!({ "token": true }),
        (SettingsChange::Token(_), Some(error)) => json!({ "token": true, "error": error }),
    };
    panel.borrow_mut().event(now_ms(), "settings_saved", detail);
}

fn binding_names(bindings: &[Binding]) -> Vec<String> {
    bindings.iter().map(|b| format!("{}={}", b.output, b.metric)).collect()
}

/// Without an access point this task owns the flash: the shared keeper saves the session's changes and erases
/// on a long press, for ever. After an erase nothing more is saved: the ESP32 reboots into its portal there, and
/// the simulator stays up only so tests can look at the erased flash.
#[embassy_executor::task]
pub async fn run(mut keeper: SettingsKeeper<FileFlash>, changes: &'static SettingsChanges, panel: &'static RefCell<Panel>) -> ! {
    loop {
        match select(changes.receive(), RESET.wait()).await {
            Either::First(change) => keeper.apply(change, |kept| report_kept(panel, kept)).await,
            Either::Second(()) => keeper.erase(|kept| report_kept(panel, kept)).await,
        }
    }
}

fn report_kept(panel: &RefCell<Panel>, kept: Kept<'_>) {
    match kept {
        Kept::Saved(change) => saved_event(panel, change, None),
        Kept::NotSaved { change, reason } => saved_event(panel, change, Some(reason)),
        Kept::Erased(Ok(())) => panel.borrow_mut().event(now_ms(), "settings_reset", json!({ "ok": true })),
        Kept::Erased(Err(error)) => panel.borrow_mut().event(now_ms(), "settings_reset", json!({ "ok": false, "error": error })),
    }
}
