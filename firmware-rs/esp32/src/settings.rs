//! Settings flash: `sysboy-device`'s settings store over the `nvs` data partition of the flashed partition
//! table, through esp-storage.

use core::{fmt, ops::Range};

use embassy_embedded_hal::adapter::BlockingAsync;
use esp_bootloader_esp_idf::partitions::{self, DataPartitionSubType, PartitionType};
use esp_hal::peripherals::FLASH;
use esp_storage::FlashStorage;
use sysboy_device::settings::{SettingsError, SettingsStore};

/// This board's flash as the store sees it.
pub type Flash = BlockingAsync<FlashStorage<'static>>;
/// The store on this board's flash.
pub type Store = SettingsStore<Flash>;

/// Why the settings cannot be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsFlashError {
    /// The partition table could not be read or parsed.
    PartitionTable,
    /// The partition table has no `nvs` data partition.
    NoNvsPartition,
    /// The store refused the partition.
    Store(SettingsError),
}

impl fmt::Display for SettingsFlashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PartitionTable => f.write_str("the partition table at 0x8000 could not be read"),
            Self::NoNvsPartition => f.write_str("the partition table has no nvs data partition for the settings"),
            Self::Store(error) => write!(f, "the nvs partition cannot hold the settings: {error}"),
        }
    }
}

impl core::error::Error for SettingsFlashError {}

/// Finds the `nvs` partition and opens the settings store on it.
pub fn open(flash: FLASH<'static>) -> Result<(Store, Range<u32>), SettingsFlashError> {
    let mut storage = FlashStorage::new(flash);
    let range = nvs_range(&mut storage)?;
    let store = SettingsStore::new(BlockingAsync::new(storage), range.clone()).map_err(SettingsFlashError::Store)?;
    Ok((store, range))
}

fn nvs_range(storage: &mut FlashStorage<'static>) -> Result<Range<u32>, SettingsFlashError> {
    let mut table = [0u8; partitions::PARTITION_TABLE_MAX_LEN];
    let table = partitions::read_partition_table(storage, &mut table).map_err(|_| SettingsFlashError::PartitionTable)?;
    let nvs = table
        .find_partition(PartitionType::Data(DataPartitionSubType::Nvs))
        .map_err(|_| SettingsFlashError::PartitionTable)?
        .ok_or(SettingsFlashError::NoNvsPartition)?;
    Ok(nvs.offset()..nvs.offset() + nvs.len())
}
