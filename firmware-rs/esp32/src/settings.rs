//! Settings flash: the `nvs` data partition of the flashed partition table, offered as async NOR flash.
//!
//! `sysboy-device` keeps its settings there with sequential-storage; this module only finds the partition and
//! hands over the flash and the byte range.

use core::{fmt, ops::Range};

use embassy_embedded_hal::adapter::BlockingAsync;
use esp_bootloader_esp_idf::partitions::{self, DataPartitionSubType, PartitionType};
use esp_hal::peripherals::FLASH;
use esp_storage::FlashStorage;

/// Why the settings partition is unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsFlashError {
    /// The partition table could not be read or parsed.
    PartitionTable,
    /// The partition table has no `nvs` data partition.
    NoNvsPartition,
}

impl fmt::Display for SettingsFlashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PartitionTable => "the partition table at 0x8000 could not be read",
            Self::NoNvsPartition => "the partition table has no nvs data partition for the settings",
        })
    }
}

impl core::error::Error for SettingsFlashError {}

/// The flash and the part of it that holds the settings.
pub struct SettingsFlash {
    /// The whole flash; only `range` may be written.
    pub flash: BlockingAsync<FlashStorage<'static>>,
    /// Byte addresses of the `nvs` partition.
    pub range: Range<u32>,
}

impl SettingsFlash {
    /// Reads the partition table and finds the settings partition.
    pub fn open(flash: FLASH<'static>) -> Result<Self, SettingsFlashError> {
        let mut storage = FlashStorage::new(flash);
        let mut table = [0u8; partitions::PARTITION_TABLE_MAX_LEN];
        let range = {
            let table = partitions::read_partition_table(&mut storage, &mut table)
                .map_err(|_| SettingsFlashError::PartitionTable)?;
            let nvs = table
                .find_partition(PartitionType::Data(DataPartitionSubType::Nvs))
                .map_err(|_| SettingsFlashError::PartitionTable)?
                .ok_or(SettingsFlashError::NoNvsPartition)?;
            nvs.offset()..nvs.offset() + nvs.len()
        };
        Ok(Self { flash: BlockingAsync::new(storage), range })
    }
}
