//! The settings store: records in a `sequential-storage` map over any NOR flash; reading never fails.

use alloc::vec::Vec;
use core::fmt;
use core::ops::Range;

use embedded_storage_async::nor_flash::NorFlash;
use sequential_storage::cache::{Cache, Uncached};
use sequential_storage::map::{MapConfig, MapStorage};

use super::record::{decode, encode, Network, Record, RecordError, StoredCalibration};

/// Settings are read rarely, so no RAM is spent on a cache.
type NoCache = Cache<Uncached, Uncached, Uncached, u8>;

/// The key of the network record.
const NETWORK_KEY: u8 = 1;
/// The key of the first output's calibration; output `n` uses `CALIBRATION_KEY + n`.
const CALIBRATION_KEY: u8 = 0x10;
/// Most outputs a device has (the schema's limit).
pub const MAX_OUTPUTS: usize = 8;

/// Everything the device keeps across power cycles.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// Network, host, token and bindings.
    pub network: Network,
    /// Calibration per output, in output order; a missing entry means the default linear curve.
    pub calibrations: Vec<StoredCalibration>,
}

/// Why settings could not be used or saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsError {
    /// The flash range is not whole erase pages, or fewer than two.
    BadRange,
    /// More calibrations than outputs a device can have.
    TooManyOutputs,
    /// The caller's buffer cannot hold a record.
    BufferTooSmall,
    /// A record is larger than a flash page.
    TooBig,
    /// The flash failed, or stayed corrupt after being erased.
    Flash,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadRange => f.write_str("the settings flash range must be at least two whole erase pages"),
            Self::TooManyOutputs => write!(f, "at most {MAX_OUTPUTS} calibrations can be stored"),
            Self::BufferTooSmall => f.write_str("the settings buffer is too small for a record"),
            Self::TooBig => f.write_str("a settings record does not fit in a flash page"),
            Self::Flash => f.write_str("the settings flash failed"),
        }
    }
}

impl core::error::Error for SettingsError {}

/// What was wrong with the stored settings, when defaults had to stand in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadProblem {
    /// The flash could not be read as a store (corrupt, or not a store at all).
    Corrupt,
    /// A record could not be taken; the key says which.
    Record {
        /// The record's key.
        key: u8,
        /// Why.
        error: RecordError,
    },
}

/// Settings as loaded: always usable, with what had to be replaced by defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The settings, with defaults wherever the store had nothing usable.
    pub settings: Settings,
    /// What went wrong, if anything; worth a log line, never a panic.
    pub problems: Vec<LoadProblem>,
}

/// Settings in a range of NOR flash.
pub struct SettingsStore<S: NorFlash> {
    map: MapStorage<u8, S, NoCache>,
}

impl<S: NorFlash> SettingsStore<S> {
    /// A store over `range` of `flash`; the range must be whole erase pages, two at least.
    pub fn new(flash: S, range: Range<u32>) -> Result<Self, SettingsError> {
        let config = MapConfig::try_new(range).map_err(|_| SettingsError::BadRange)?;
        Ok(Self { map: MapStorage::new(flash, config, Cache::new_uncached()) })
    }

    /// Gives the flash back.
    pub fn into_flash(self) -> S {
        self.map.destroy().0
    }

    /// Reads the settings, using defaults for anything missing, corrupt, half-written or of another version.
    /// `buffer` must hold the largest record (1 KiB is plenty).
    pub async fn load(&mut self, buffer: &mut [u8]) -> Loaded {
        let mut problems = Vec::new();
        let network = self.read::<Network>(NETWORK_KEY, buffer, &mut problems).await.unwrap_or_default();
        let mut calibrations = Vec::new();
        for index in 0..MAX_OUTPUTS as u8 {
            if let Some(calibration) = self.read::<StoredCalibration>(CALIBRATION_KEY + index, buffer, &mut problems).await {
                calibrations.push(calibration);
            }
        }
        problems.dedup();
        Loaded { settings: Settings { network, calibrations }, problems }
    }

    async fn read<R: Record>(&mut self, key: u8, buffer: &mut [u8], problems: &mut Vec<LoadProblem>) -> Option<R> {
        match self.map.fetch_item::<&[u8]>(buffer, &key).await {
            // An empty record is a deleted one.
            Ok(Some([])) | Ok(None) => None,
            Ok(Some(bytes)) => decode(bytes).map_err(|error| problems.push(LoadProblem::Record { key, error })).ok(),
            Err(_) => {
                problems.push(LoadProblem::Corrupt);
                None
            }
        }
    }

    /// Saves all the settings. A store found corrupt is erased and written afresh.
    pub async fn save(&mut self, settings: &Settings, buffer: &mut [u8]) -> Result<(), SettingsError> {
        if settings.calibrations.len() > MAX_OUTPUTS {
            return Err(SettingsError::TooManyOutputs);
        }
        let mut records: Vec<(u8, Vec<u8>)> = alloc::vec![(NETWORK_KEY, encode(&settings.network))];
        for (index, calibration) in settings.calibrations.iter().enumerate() {
            records.push((CALIBRATION_KEY + index as u8, encode(calibration)));
        }
        for (key, bytes) in &records {
            if let Err(error) = self.write(*key, bytes, buffer).await {
                if error != SettingsError::Flash {
                    return Err(error);
                }
                // A store too damaged to append to is worth less than the settings being saved now.
                self.map.erase_all().await.map_err(|_| SettingsError::Flash)?;
                for (key, bytes) in &records {
                    self.write(*key, bytes, buffer).await?;
                }
                break;
            }
        }
        // Calibrations for outputs past the end are stale; mark them absent with an empty record.
        for index in settings.calibrations.len()..MAX_OUTPUTS {
            let key = CALIBRATION_KEY + index as u8;
            if matches!(self.map.fetch_item::<&[u8]>(buffer, &key).await, Ok(Some(_))) {
                self.write(key, &[], buffer).await?;
            }
        }
        Ok(())
    }

    async fn write(&mut self, key: u8, bytes: &[u8], buffer: &mut [u8]) -> Result<(), SettingsError> {
        use sequential_storage::Error;
        self.map.store_item(buffer, &key, &bytes).await.map_err(|error| match error {
            Error::BufferTooSmall(_) | Error::BufferTooBig => SettingsError::BufferTooSmall,
            Error::ItemTooBig => SettingsError::TooBig,
            _ => SettingsError::Flash,
        })
    }

    /// Forgets everything (the long button press).
    pub async fn reset(&mut self) -> Result<(), SettingsError> {
        self.map.erase_all().await.map_err(|_| SettingsError::Flash)
    }
}

impl fmt::Display for LoadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Corrupt => f.write_str("the settings store is corrupt; using defaults"),
            Self::Record { key, error } => write!(f, "settings record {key:#x} is unusable ({error:?}); using defaults"),
        }
    }
}
