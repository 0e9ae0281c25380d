//! The `otadata` partition and the boot policy over it: which of the two app slots boots, and the rollback of an
//! image that restarted without reaching the host.
//!
//! The model is ESP-IDF's (`espressif/esp-idf`):
//! - `components/bootloader_support/include/esp_flash_partitions.h`: `esp_ota_select_entry_t` (32 bytes:
//!   `ota_seq`, `seq_label[20]`, `ota_state`, `crc`, "CRC32 of ota_seq field only"), two copies, and the states
//!   `ESP_OTA_IMG_NEW 0`, `PENDING_VERIFY 1`, `VALID 2`, `INVALID 3`, `ABORTED 4`, `UNDEFINED 0xFFFFFFFF`.
//! - `components/bootloader_support/src/bootloader_common_loader.c`: `bootloader_common_ota_select_crc` is
//!   `esp_rom_crc32_le(UINT32_MAX, &ota_seq, 4)`; an entry is invalid when its seq is erased or its state is
//!   INVALID or ABORTED, valid when not invalid and its CRC matches; the active entry is the valid one with the
//!   highest seq (`bootloader_common_get_active_otadata`).
//! - `components/bootloader_support/src/bootloader_utility.c`, `bootloader_utility_get_selected_boot_partition`:
//!   with `CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE` every PENDING_VERIFY entry becomes ABORTED first (an image that
//!   was started once and never confirmed), then the active entry picks slot `(ota_seq - 1) % app_count`, and a
//!   NEW one becomes PENDING_VERIFY; with no usable entry and no factory app, ota_0 boots. The first copy sits in
//!   the partition's first sector, the second in the next (`ota_info.offset + FLASH_SECTOR_SIZE * i`).
//! - `components/app_update/esp_ota_ops.c`: `esp_rewrite_ota_data` (what `esp_ota_set_boot_partition` does)
//!   writes the copy that is not active, with the smallest seq above the active one that selects the new slot and
//!   state NEW when rollback is enabled; `esp_ota_mark_app_valid_cancel_rollback` sets the running entry VALID.
//!
//! Rollback: the bootloader espflash ships is built without `CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE`, so on the
//! board the firmware applies [`Otadata::boot`] itself at start (and restarts when it says the running slot was
//! abandoned); the simulator applies it as its bootloader.

use core::fmt;

/// Bytes of one `esp_ota_select_entry_t`.
pub const ENTRY_LEN: usize = 32;
/// The flash sector each copy sits in.
pub const SECTOR: u32 = 4096;
/// Bytes of the otadata partition: two sectors.
pub const OTADATA_LEN: u32 = 2 * SECTOR;
/// The two app slots, ota_0 and ota_1.
pub const SLOTS: u32 = 2;
/// An erased word.
const ERASED: u32 = u32::MAX;

/// `esp_ota_img_states_t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtaState {
    /// `ESP_OTA_IMG_NEW`: activated, not started yet.
    New,
    /// `ESP_OTA_IMG_PENDING_VERIFY`: started once, not confirmed yet.
    PendingVerify,
    /// `ESP_OTA_IMG_VALID`: confirmed.
    Valid,
    /// `ESP_OTA_IMG_INVALID`: refused; never booted.
    Invalid,
    /// `ESP_OTA_IMG_ABORTED`: restarted without being confirmed; never booted.
    Aborted,
    /// `ESP_OTA_IMG_UNDEFINED` (erased), or any other word: boots without limits.
    Undefined(u32),
}

impl OtaState {
    /// The state a stored word means.
    pub const fn from_word(word: u32) -> Self {
        match word {
            0 => Self::New,
            1 => Self::PendingVerify,
            2 => Self::Valid,
            3 => Self::Invalid,
            4 => Self::Aborted,
            other => Self::Undefined(other),
        }
    }

    /// The word stored for this state.
    pub const fn word(self) -> u32 {
        match self {
            Self::New => 0,
            Self::PendingVerify => 1,
            Self::Valid => 2,
            Self::Invalid => 3,
            Self::Aborted => 4,
            Self::Undefined(word) => word,
        }
    }
}

/// `esp_rom_crc32_le(UINT32_MAX, bytes)`: the reflected CRC-32 (polynomial 0xEDB88320) starting from 0 and
/// inverted at the end, i.e. zlib's `crc32(bytes, 0xFFFFFFFF)`.
pub fn crc32_le(bytes: &[u8]) -> u32 {
    let mut crc = 0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// One `esp_ota_select_entry_t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OtaEntry {
    /// The sequence number; the highest valid one wins.
    pub seq: u32,
    /// `seq_label`, unused by the bootloader.
    pub label: [u8; 20],
    /// The image's state.
    pub state: OtaState,
    /// CRC-32 of `seq`.
    pub crc: u32,
}

impl OtaEntry {
    /// An erased entry.
    pub const ERASED: Self = Self { seq: ERASED, label: [0xFF; 20], state: OtaState::Undefined(ERASED), crc: ERASED };

    /// An entry selecting `seq`, in `state`, with its CRC.
    pub fn new(seq: u32, state: OtaState) -> Self {
        Self { seq, label: [0xFF; 20], state, crc: crc32_le(&seq.to_le_bytes()) }
    }

    /// Reads an entry from its 32 bytes.
    pub fn parse(bytes: &[u8; ENTRY_LEN]) -> Self {
        let word = |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        let mut label = [0u8; 20];
        label.copy_from_slice(&bytes[4..24]);
        Self { seq: word(0), label, state: OtaState::from_word(word(24)), crc: word(28) }
    }

    /// The entry's 32 bytes.
    pub fn to_bytes(&self) -> [u8; ENTRY_LEN] {
        let mut bytes = [0u8; ENTRY_LEN];
        bytes[0..4].copy_from_slice(&self.seq.to_le_bytes());
        bytes[4..24].copy_from_slice(&self.label);
        bytes[24..28].copy_from_slice(&self.state.word().to_le_bytes());
        bytes[28..32].copy_from_slice(&self.crc.to_le_bytes());
        bytes
    }

    /// `bootloader_common_ota_select_invalid`: erased, refused or abandoned.
    pub fn is_invalid(&self) -> bool {
        self.seq == ERASED || matches!(self.state, OtaState::Invalid | OtaState::Aborted)
    }

    /// `bootloader_common_ota_select_valid`: not invalid, and the CRC matches.
    pub fn is_valid(&self) -> bool {
        !self.is_invalid() && self.crc == crc32_le(&self.seq.to_le_bytes())
    }

    /// The app slot this entry selects: `(ota_seq - 1) % app_count`.
    pub fn slot(&self) -> u32 {
        self.seq.wrapping_sub(1) % SLOTS
    }
}

/// The two copies in the otadata partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Otadata {
    /// Copy 0 (first sector) and copy 1 (second sector).
    pub entries: [OtaEntry; 2],
}

/// What the boot step decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Boot {
    /// The slot to start (0 or 1).
    pub slot: u32,
    /// The copies the step changed, which must be written back (erase the copy's sector, write its 32 bytes).
    pub rewrite: [bool; 2],
    /// A slot whose image was started once and never confirmed, now ABORTED: the board reports `rolled_back`.
    pub rolled_back: Option<u32>,
    /// Whether the chosen slot runs unconfirmed (NEW became PENDING_VERIFY): it must reach the host, or the next
    /// boot abandons it.
    pub pending: bool,
}

/// Why an otadata change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtadataError {
    /// There is no slot with that number.
    NoSuchSlot(u32),
}

impl fmt::Display for OtadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoSuchSlot(slot) => write!(f, "there is no app slot {slot} (there are {SLOTS})"),
        }
    }
}

impl core::error::Error for OtadataError {}

impl Otadata {
    /// Erased otadata: ota_0 boots.
    pub const ERASED: Self = Self { entries: [OtaEntry::ERASED; 2] };

    /// Reads both copies from the partition's bytes (at least [`SECTOR`] + [`ENTRY_LEN`] of them; a shorter
    /// partition reads as erased past its end).
    pub fn parse(partition: &[u8]) -> Self {
        let entry = |at: usize| {
            let mut bytes = [0xFF; ENTRY_LEN];
            if let Some(stored) = partition.get(at..at + ENTRY_LEN) {
                bytes.copy_from_slice(stored);
            }
            OtaEntry::parse(&bytes)
        };
        Self { entries: [entry(0), entry(SECTOR as usize)] }
    }

    /// Where copy `index` sits in the partition.
    pub fn offset(index: usize) -> u32 {
        index as u32 * SECTOR
    }

    /// The active copy: the valid one with the highest seq (`bootloader_common_get_active_otadata`).
    pub fn active(&self) -> Option<usize> {
        let [first, second] = &self.entries;
        match (first.is_valid(), second.is_valid()) {
            (true, true) if second.seq > first.seq => Some(1),
            (true, _) => Some(0),
            (false, true) => Some(1),
            (false, false) => None,
        }
    }

    /// The slot the active copy selects, or ota_0 when none is usable.
    pub fn selected_slot(&self) -> u32 {
        self.active().map_or(0, |index| self.entries[index].slot())
    }

    /// The bootloader's step with rollback enabled: abandon every image left PENDING_VERIFY (it was started and
    /// never confirmed), pick the slot, and move a NEW image to PENDING_VERIFY.
    pub fn boot(&mut self) -> Boot {
        let mut rewrite = [false; 2];
        let mut rolled_back = None;
        for (index, entry) in self.entries.iter_mut().enumerate() {
            if entry.state == OtaState::PendingVerify {
                entry.state = OtaState::Aborted;
                rewrite[index] = true;
                if entry.crc == crc32_le(&entry.seq.to_le_bytes()) && entry.seq != ERASED {
                    rolled_back = Some(entry.slot());
                }
            }
        }
        let mut pending = false;
        let slot = match self.active() {
            Some(index) => {
                let entry = &mut self.entries[index];
                if entry.state == OtaState::New {
                    entry.state = OtaState::PendingVerify;
                    rewrite[index] = true;
                    pending = true;
                }
                entry.slot()
            }
            None => 0,
        };
        // The abandoned slot is the one that did not boot; a rollback onto itself would be no rollback.
        let rolled_back = rolled_back.filter(|&abandoned| abandoned != slot);
        Boot { slot, rewrite, rolled_back, pending }
    }

    /// Makes `slot` boot next, as `esp_rewrite_ota_data` does: the copy that is not active takes the smallest seq
    /// above the active one that selects `slot`, in state NEW. Returns the copy to write.
    pub fn activate(&mut self, slot: u32) -> Result<usize, OtadataError> {
        if slot >= SLOTS {
            return Err(OtadataError::NoSuchSlot(slot));
        }
        let (index, seq) = match self.active() {
            Some(active) => {
                let current = self.entries[active].seq;
                // The smallest seq >= current with (seq - 1) % SLOTS == slot.
                let mut seq = (slot + 1) % SLOTS;
                while seq < current {
                    seq += SLOTS;
                }
                // A seq of 0 would select slot u32::MAX % 2; the loop only leaves 0 when current is 0 (never valid).
                (1 - active, seq.max(slot + 1))
            }
            None => (0, slot + 1),
        };
        self.entries[index] = OtaEntry::new(seq, OtaState::New);
        Ok(index)
    }

    /// The running image reached the host: its copy becomes VALID (`esp_ota_mark_app_valid_cancel_rollback`).
    /// Returns the copy to write, or `None` when there is nothing to confirm (already valid, or no copy active).
    pub fn mark_valid(&mut self) -> Option<usize> {
        let index = self.active()?;
        let entry = &mut self.entries[index];
        if matches!(entry.state, OtaState::New | OtaState::PendingVerify) {
            entry.state = OtaState::Valid;
            Some(index)
        } else {
            None
        }
    }
}
