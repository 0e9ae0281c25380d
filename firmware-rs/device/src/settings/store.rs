//! The settings store: all the settings in one record of a `sequential-storage` map over any NOR flash, so one save
//! is one commit; reading never fails.
//!
//! # Why one record is one commit
//! What sequential-storage 8.0.2 (the version in Cargo.lock) does with a write:
//! - `Item::write_raw` (src/item.rs) writes the item's header, which holds the CRC-32 of its data, and then the
//!   data. `ItemHeader::read_item` takes an item only when that CRC matches, and `ItemIter::next` steps over one
//!   that does not, so a record cut short is never read and the one before it stands. A header cut short fails
//!   its own length CRC and is stepped over a word at a time (`ItemHeaderIter::traverse`).
//! - When the open page is full, `MapStorage::store_item_inner` (src/map.rs) closes it, marks the next page
//!   partly open and, when the page after that still holds data, `migrate_items` copies that page's newest
//!   items over and only then erases it (`GenericStorage::open_page`, src/lib.rs). A cut during the copy is
//!   redone by `try_repair`. A cut during the erase leaves a page whose markers (its first and last word,
//!   `get_page_state`) read as corrupt, which `try_general_repair` erases again, or as closed or partly open
//!   with stale records still on it, which the map then takes as live.
//!
//! So a save writes the settings as one item, and since a half-erased page can make the map's own "newest item
//! for this key" a stale one, the store does not ask the map for it: every record carries a save generation,
//! and loading reads every item (`fetch_all_items`) and takes the highest.
//!
//! # The first format
//! Older firmware kept one JSON record per part (the network, then each output's calibration), which a power cut
//! could leave half old and half new. A flash with no record of this format is read that way; the first save
//! writes this format and then blanks those records, which are never read again once a record of this format
//! exists.

use alloc::vec::Vec;
use core::fmt;
use core::ops::Range;

use embedded_storage_async::nor_flash::NorFlash;
use sequential_storage::cache::{Cache, Uncached};
use sequential_storage::map::{MapConfig, MapStorage};

use super::encoding;
use super::record::{decode, Network, Record, RecordError, StoredCalibration};

/// Settings are read rarely, so no RAM is spent on a cache.
type NoCache = Cache<Uncached, Uncached, Uncached, u8>;

/// The key of the one settings record.
const SETTINGS_KEY: u8 = 2;
/// The first format's network record.
const LEGACY_NETWORK_KEY: u8 = 1;
/// The first format's calibration records: output `n` used `LEGACY_CALIBRATION_KEY + n`.
const LEGACY_CALIBRATION_KEY: u8 = 0x10;
/// Most outputs a device has (the schema's limit).
pub const MAX_OUTPUTS: usize = 8;
/// The smallest buffer [`SettingsStore::load`] and [`SettingsStore::save`] take: the largest record (8 outputs,
/// each with a 16-point curve and its undo curve, and every string at its longest) with its key, rounded up to
/// whole flash words.
pub const BUFFER_LEN: usize = 4096;

/// Everything the device keeps across power cycles.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// Network, host, token and bindings.
    pub network: Network,
    /// Calibration per output, in output order; a missing entry means the default linear curve.
    pub calibrations: Vec<StoredCalibration>,
}

impl Settings {
    /// Whether every part keeps its rules, so what is saved is read back at the next boot.
    pub fn is_valid(&self) -> bool {
        self.network.is_valid() && self.calibrations.len() <= MAX_OUTPUTS && self.calibrations.iter().all(Record::is_valid)
    }
}

/// Why settings could not be used or saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsError {
    /// The flash range is not whole erase pages, or fewer than two.
    BadRange,
    /// More calibrations than outputs a device can have.
    TooManyOutputs,
    /// A setting breaks its rule (an over-long network name, a curve that does not rise); nothing was written.
    Invalid,
    /// The caller's buffer cannot hold a record.
    BufferTooSmall,
    /// The record is larger than a flash page.
    TooBig,
    /// The flash range has no room for the record, even after reclaiming what older saves left.
    Full,
    /// The flash failed, or stayed corrupt after being erased.
    Flash,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadRange => f.write_str("the settings flash range must be at least two whole erase pages"),
            Self::TooManyOutputs => write!(f, "at most {MAX_OUTPUTS} calibrations can be stored"),
            Self::Invalid => f.write_str("a setting breaks its rule, so the settings were not saved"),
            Self::BufferTooSmall => write!(f, "the settings buffer is too small for a record ({BUFFER_LEN} bytes are needed)"),
            Self::TooBig => f.write_str("the settings record does not fit in a flash page"),
            Self::Full => f.write_str("the settings flash has no room for the settings"),
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
    /// The buffer lent to the load is smaller than [`BUFFER_LEN`].
    BufferTooSmall,
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

/// What one pass over every stored item found.
#[derive(Debug, Default)]
struct Survey {
    /// The settings record with the highest generation: its generation and bytes.
    newest: Option<(u32, Vec<u8>)>,
    /// The first format's keys whose latest record still holds data.
    legacy_keys: Vec<u8>,
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

    /// Reads the settings, using defaults for anything missing, corrupt or of another version. `buffer` must hold
    /// [`BUFFER_LEN`] bytes.
    pub async fn load(&mut self, buffer: &mut [u8]) -> Loaded {
        let survey = match self.survey(buffer).await {
            Ok(survey) => survey,
            Err(error) => {
                let problem = match map_error(error) {
                    SettingsError::BufferTooSmall => LoadProblem::BufferTooSmall,
                    _ => LoadProblem::Corrupt,
                };
                return Loaded { settings: Settings::default(), problems: alloc::vec![problem] };
            }
        };
        match survey.newest {
            Some((_, bytes)) => match encoding::decode(&bytes).and_then(|settings| settings.is_valid().then_some(settings).ok_or(RecordError::Invalid)) {
                Ok(settings) => Loaded { settings, problems: Vec::new() },
                Err(error) => Loaded { settings: Settings::default(), problems: alloc::vec![LoadProblem::Record { key: SETTINGS_KEY, error }] },
            },
            None => self.load_legacy(buffer).await,
        }
    }

    /// Reads every item once: the newest settings record by generation, and which first-format records remain.
    async fn survey(&mut self, buffer: &mut [u8]) -> Result<Survey, sequential_storage::Error<S::Error>> {
        match self.scan(buffer).await {
            Err(sequential_storage::Error::Corrupted { .. }) => {
                // `fetch_all_items` (src/map.rs) means to repair a corrupt store and retry, but the `?` inside its
                // `run_with_auto_repair!` block returns the error before the repair runs; a page left half-erased
                // by a power cut then fails every load. `fetch_item` does repair (`try_repair`), so it is asked
                // first, for that alone, and the scan tried again.
                let _ = self.map.fetch_item::<&[u8]>(buffer, &SETTINGS_KEY).await;
                self.scan(buffer).await
            }
            scanned => scanned,
        }
    }

    async fn scan(&mut self, buffer: &mut [u8]) -> Result<Survey, sequential_storage::Error<S::Error>> {
        let mut survey = Survey::default();
        let mut items = self.map.fetch_all_items(buffer).await?;
        while let Some((key, bytes)) = items.next::<&[u8]>(buffer).await? {
            if key == SETTINGS_KEY {
                // A record without a header cannot be ordered; it can only be garbage that passed its CRC.
                let Some((_, generation)) = encoding::header(bytes) else { continue };
                if survey.newest.as_ref().is_none_or(|(newest, _)| generation > *newest) {
                    survey.newest = Some((generation, bytes.to_vec()));
                }
            } else if is_legacy_key(key) {
                // Items come oldest first, so the last one seen for a key is its latest.
                survey.legacy_keys.retain(|&seen| seen != key);
                if !bytes.is_empty() {
                    survey.legacy_keys.push(key);
                }
            }
        }
        Ok(survey)
    }

    /// Reads the first format's records, part by part, as older firmware wrote them.
    async fn load_legacy(&mut self, buffer: &mut [u8]) -> Loaded {
        let mut problems = Vec::new();
        let network = self.read_legacy::<Network>(LEGACY_NETWORK_KEY, buffer, &mut problems).await.unwrap_or_default();
        let mut calibrations = Vec::new();
        for index in 0..MAX_OUTPUTS as u8 {
            let key = LEGACY_CALIBRATION_KEY + index;
            if let Some(calibration) = self.read_legacy::<StoredCalibration>(key, buffer, &mut problems).await {
                calibrations.push(calibration);
            }
        }
        problems.dedup();
        Loaded { settings: Settings { network, calibrations }, problems }
    }

    async fn read_legacy<R: Record>(&mut self, key: u8, buffer: &mut [u8], problems: &mut Vec<LoadProblem>) -> Option<R> {
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

    /// Saves all the settings as one record: after a power cut at any point the next load reads either all of the
    /// settings before or all of these. Settings that break a rule are refused and nothing is written.
    pub async fn save(&mut self, settings: &Settings, buffer: &mut [u8]) -> Result<(), SettingsError> {
        if settings.calibrations.len() > MAX_OUTPUTS {
            return Err(SettingsError::TooManyOutputs);
        }
        if !settings.is_valid() {
            return Err(SettingsError::Invalid);
        }
        let survey = match self.survey(buffer).await {
            Ok(survey) => Some(survey),
            // sequential-storage has already tried to repair it; a store it cannot read could not be loaded either,
            // so there are no old settings left to keep.
            Err(sequential_storage::Error::Corrupted { .. }) => None,
            Err(error) => return Err(map_error(error)),
        };
        let generation = survey.as_ref().and_then(|survey| survey.newest.as_ref()).map_or(0, |(generation, _)| *generation);
        let Some(next) = generation.checked_add(1) else {
            // A record holds the last generation (garbage that passed its CRC, or a record of another version): no
            // record written after it could be read as newer, so the store starts over from the first generation.
            let bytes = encoding::encode(settings, 0).map_err(|_| SettingsError::Invalid)?;
            return self.write_afresh(&bytes, buffer).await;
        };
        let bytes = encoding::encode(settings, next).map_err(|_| SettingsError::Invalid)?;
        match survey {
            Some(_) => match self.map.store_item(buffer, &SETTINGS_KEY, &bytes.as_slice()).await {
                // As above: corrupt even after sequential-storage's own repair.
                Err(sequential_storage::Error::Corrupted { .. }) => self.write_afresh(&bytes, buffer).await?,
                written => written.map_err(map_error)?,
            },
            None => self.write_afresh(&bytes, buffer).await?,
        }
        // The new record is in; the first format's records are never read again while it exists, so blanking them
        // only gives their room back. Should that fail, the next save finds them and tries again.
        for key in survey.map(|survey| survey.legacy_keys).unwrap_or_default() {
            if self.write(key, &[], buffer).await.is_err() {
                break;
            }
        }
        Ok(())
    }

    /// Erases a store too damaged to append to and writes the record alone.
    async fn write_afresh(&mut self, bytes: &[u8], buffer: &mut [u8]) -> Result<(), SettingsError> {
        self.map.erase_all().await.map_err(|_| SettingsError::Flash)?;
        self.write(SETTINGS_KEY, bytes, buffer).await
    }

    async fn write(&mut self, key: u8, bytes: &[u8], buffer: &mut [u8]) -> Result<(), SettingsError> {
        self.map.store_item(buffer, &key, &bytes).await.map_err(map_error)
    }

    /// Forgets everything (the long button press).
    pub async fn reset(&mut self) -> Result<(), SettingsError> {
        self.map.erase_all().await.map_err(|_| SettingsError::Flash)
    }
}

fn is_legacy_key(key: u8) -> bool {
    key == LEGACY_NETWORK_KEY || (LEGACY_CALIBRATION_KEY..LEGACY_CALIBRATION_KEY + MAX_OUTPUTS as u8).contains(&key)
}

fn map_error<E>(error: sequential_storage::Error<E>) -> SettingsError {
    use sequential_storage::Error;
    match error {
        Error::BufferTooSmall(_) | Error::BufferTooBig => SettingsError::BufferTooSmall,
        Error::ItemTooBig => SettingsError::TooBig,
        Error::FullStorage => SettingsError::Full,
        _ => SettingsError::Flash,
    }
}

impl fmt::Display for LoadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Corrupt => f.write_str("the settings store is corrupt; using defaults"),
            Self::BufferTooSmall => write!(f, "the settings buffer is smaller than {BUFFER_LEN} bytes; using defaults"),
            Self::Record { key, error } => write!(f, "settings record {key:#x} is unusable ({error:?}); using defaults"),
        }
    }
}
