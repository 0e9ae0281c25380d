//! The settings keeper: the host's bindings, calibrations and issued credential, the portal's form and the long press's erase applied
//! to the settings and written to flash by this one piece of code, in whichever task owns the flash (the
//! provisioning driver on the ESP32 and in the simulator's access-point mode, the simulator's settings task
//! without an access point).
//!
//! # Overview
//! A [`SettingsKeeper`] holds the settings loaded at boot and their store. [`SettingsKeeper::apply`] folds a
//! [`SettingsChange`] in and saves only when it changed something (flash wears); [`SettingsKeeper::erase`]
//! forgets everything, after which nothing more is saved, since the device restarts into its portal. What was
//! done is told to the caller's callback as a [`Kept`].
//!
//! # Example
//! ```text
//! let mut keeper = SettingsKeeper::new(Some(store), loaded.settings);
//! keeper.apply(SettingsChange::Bindings(bindings), |kept| log::info!("{kept:?}")).await;
//! ```

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use embedded_storage_async::nor_flash::NorFlash;
use sysboy_protocol::Binding;

use crate::settings::{Settings, SettingsStore, StoredCalibration};

/// Room for the largest settings record (every output with a 16-point curve and its undo curve).
pub const RECORD_BUFFER: usize = crate::settings::BUFFER_LEN;
const NO_FLASH: &str = "there is no settings flash";
const ERASED: &str = "the settings were erased; nothing more is saved before the restart";

/// A settings change from the running device's session, for the task that owns the flash.
#[derive(Debug, Clone, PartialEq)]
pub enum SettingsChange {
    /// The host bound the outputs anew.
    Bindings(Vec<Binding>),
    /// An output's calibration changed (set from the host, or undone).
    Calibration(StoredCalibration),
    /// The host issued the board its own credential (`paired`): it goes where the portal's token goes.
    Token(String),
}

/// Settings changes waiting for the task that owns the flash.
#[cfg(feature = "embassy-net")]
pub type SettingsChanges = embassy_sync::channel::Channel<embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex, SettingsChange, 4>;

/// What the keeper did, told to its caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kept<'a> {
    /// The change is in the flash.
    Saved(&'a SettingsChange),
    /// The change is in use but could not be written.
    NotSaved {
        /// The change.
        change: &'a SettingsChange,
        /// Why.
        reason: &'a str,
    },
    /// The settings were erased (or not).
    Erased(Result<(), &'a str>),
}

/// The settings as they stand and the store that keeps them.
pub struct SettingsKeeper<F: NorFlash> {
    store: Option<SettingsStore<F>>,
    settings: Settings,
    erased: bool,
}

impl<F: NorFlash> SettingsKeeper<F> {
    /// Keeps `settings` (as loaded at boot) in `store`; without a store changes are used but never saved.
    pub fn new(store: Option<SettingsStore<F>>, settings: Settings) -> Self {
        Self { store, settings, erased: false }
    }

    /// The settings as they stand, saved or not.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Changes the settings with `edit` and saves them (the portal's form: network, host and token).
    pub async fn update(&mut self, edit: impl FnOnce(&mut Settings)) -> Result<(), String> {
        edit(&mut self.settings);
        self.save().await
    }

    /// Folds `change` into the settings and saves them when it changed something; `report` hears the outcome.
    pub async fn apply(&mut self, change: SettingsChange, mut report: impl FnMut(Kept<'_>)) {
        let before = self.settings.clone();
        match &change {
            SettingsChange::Bindings(bindings) => self.settings.network.bindings.clone_from(bindings),
            SettingsChange::Token(token) => self.settings.network.token = Some(token.clone()),
            SettingsChange::Calibration(calibration) => {
                // One record per output: the new one (with its undo curve) stands in for the old.
                match self.settings.calibrations.iter_mut().find(|stored| stored.output == calibration.output) {
                    Some(stored) => stored.clone_from(calibration),
                    None => self.settings.calibrations.push(calibration.clone()),
                }
            }
        }
        if self.settings == before {
            return;
        }
        match self.save().await {
            Ok(()) => report(Kept::Saved(&change)),
            Err(reason) => report(Kept::NotSaved { change: &change, reason: &reason }),
        }
    }

    /// Erases the settings (the long press); `report` hears whether it worked. Nothing is saved afterwards.
    pub async fn erase(&mut self, mut report: impl FnMut(Kept<'_>)) {
        self.erased = true;
        self.settings = Settings::default();
        let erased = match self.store.as_mut() {
            Some(store) => store.reset().await.map_err(|error| error.to_string()),
            None => Err(String::from(NO_FLASH)),
        };
        report(Kept::Erased(erased.as_ref().map(|_| ()).map_err(String::as_str)));
    }

    async fn save(&mut self) -> Result<(), String> {
        if self.erased {
            return Err(String::from(ERASED));
        }
        // On the heap for the save only: held in this future, 4 KiB would sit in the owning task for good.
        let mut buffer = alloc::vec![0u8; RECORD_BUFFER];
        match self.store.as_mut() {
            Some(store) => store.save(&self.settings, &mut buffer).await.map_err(|error| error.to_string()),
            None => Err(String::from(NO_FLASH)),
        }
    }
}

#[cfg(test)]
mod tests;
