//! Settings: Wi-Fi credentials, host, token, bindings and calibration, kept in NOR flash across power cycles.
//!
//! # Overview
//! [`SettingsStore`] keeps versioned records in a `sequential-storage` map over any flash that implements the
//! `embedded-storage-async` NOR traits. [`SettingsStore::load`] never fails: a corrupt store, a half-written
//! record (its CRC fails, so the last whole one is read) or a record of another format version gives defaults
//! for that part, and [`Loaded::problems`] says what happened.
//!
//! # Configuration
//! The flash range must be whole erase pages, at least two. The caller lends a buffer big enough for one
//! record; 1 KiB holds the largest (16-point calibration with its undo curve).
//!
//! # Example
//! ```text
//! let mut store = SettingsStore::new(flash, 0x9000..0xB000)?;
//! let mut buffer = [0u8; 1024];
//! let loaded = store.load(&mut buffer).await;
//! ```

mod record;
mod store;
#[cfg(test)]
pub(crate) mod tests;

pub use record::{Network, Record, RecordError, StoredCalibration, WifiCredentials, FORMAT_VERSION};
pub use store::{LoadProblem, Loaded, Settings, SettingsError, SettingsStore, MAX_OUTPUTS};
