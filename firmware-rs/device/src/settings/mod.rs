//! Settings: Wi-Fi credentials and country, host, token, bindings and calibration, kept in NOR flash across power
//! cycles.
//!
//! # Overview
//! [`SettingsStore`] keeps all the settings in one record of a `sequential-storage` map over any flash that
//! implements the `embedded-storage-async` NOR traits, so a save is one commit: after a power cut the next load
//! reads all of the old settings or all of the new. [`SettingsStore::load`] never fails: a corrupt store or a
//! record of another format version gives defaults, and [`Loaded::problems`] says what happened. A flash written
//! by older firmware (one record per part) is still read.
//!
//! # Configuration
//! The flash range must be whole erase pages, at least two. The caller lends a buffer of [`BUFFER_LEN`] bytes,
//! which holds the largest record.
//!
//! # Example
//! ```text
//! let mut store = SettingsStore::new(flash, 0x9000..0xB000)?;
//! let mut buffer = [0u8; BUFFER_LEN];
//! let loaded = store.load(&mut buffer).await;
//! ```

mod country;
mod encoding;
mod record;
mod store;
#[cfg(test)]
pub(crate) mod tests;

pub use country::{Country, CountryError};
pub use encoding::FORMAT_VERSION;
pub use record::{Network, Record, RecordError, StoredCalibration, WifiCredentials, LEGACY_VERSION};
pub use store::{LoadProblem, Loaded, Settings, SettingsError, SettingsStore, BUFFER_LEN, MAX_OUTPUTS};
