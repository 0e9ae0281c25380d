//! The simulated board's app slots and bootloader: the flash file holds `otadata` and two app slots beside the
//! settings, laid out like the ESP32's two-OTA partition table, and each start picks the slot to run as the
//! ESP-IDF bootloader would (`sysboy_device::ota::otadata`), checks its image, and reports its version.
//!
//! The flash file (offsets in the file):
//!
//! | what     | offset     | size                   |
//! |----------|------------|------------------------|
//! | settings | 0x000000   | 0x4000 (as before)     |
//! | otadata  | 0x010000   | 0x2000 (two sectors)   |
//! | ota_0    | 0x020000   | 0x1F0000 (1.94 MiB)    |
//! | ota_1    | 0x210000   | 0x1F0000               |
//!
//! otadata and the app slots sit where the ESP32 build's partition table puts them (read from the table at 0x8000
//! of target/firmware/sysboy-esp32c3.bin: nvs 0x9000, otadata 0x10000, ota_0 0x20000 and ota_1 0x210000 of
//! 0x1F0000 each, app partitions 64 KiB aligned as they must be), so the file is a 4 MiB flash; the settings stay
//! at the file's start, where the settings store has always kept them, so an existing flash file keeps them. `--image FILE` writes an app image into
//! ota_0 when ota_0 and otadata are both erased (a factory flash); an update writes the inactive slot and
//! restarts the simulator by re-executing it (same process id, arguments and stdout), as the board resets.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

use sysboy_device::ota::image::{self, ImageInfo};
use sysboy_device::ota::otadata::{Otadata, ENTRY_LEN, OTADATA_LEN, SECTOR};
use sysboy_device::ota::{check_erase, check_write, SlotError, UpdateSlots, Updater};
use sysboy_protocol::{Chip, UpdateProgress, UpdateState};

/// Where otadata starts in the flash file.
pub const OTADATA: u32 = 0x1_0000;
/// Where ota_0 starts.
pub const SLOT_0: u32 = 0x2_0000;
/// Bytes of each app slot.
pub const SLOT_SIZE: u32 = 0x1F_0000;
/// The flash file's size with both slots.
pub const FLASH_END: u32 = SLOT_0 + 2 * SLOT_SIZE;

/// Where slot `slot` starts.
pub const fn slot_offset(slot: u32) -> u32 {
    SLOT_0 + slot * SLOT_SIZE
}

/// What the boot found.
#[derive(Debug, Clone, PartialEq)]
pub struct Booted {
    /// The slot running.
    pub slot: u32,
    /// Its image, when it holds a good one; without one the simulator runs as its own firmware.
    pub image: Option<ImageInfo>,
    /// The image the boot abandoned (started once and never confirmed), to report as `rolled_back`.
    pub rolled_back: Option<UpdateProgress>,
    /// Whether the running image is unconfirmed (it must reach the host or the next start abandons it).
    pub pending: bool,
    /// Whether `--image` was written into ota_0 on this start.
    pub factory_flashed: bool,
}

/// The `boot` event: the chip, the slot, the version it runs and what the boot did.
pub fn boot_event(chip: Chip, firmware: &str, booted: &Booted) -> serde_json::Value {
    serde_json::json!({
        "chip": chip.as_str(),
        "slot": booted.slot,
        "firmware": firmware,
        "image": booted.image.is_some(),
        "pending": booted.pending,
        "factory_flashed": booted.factory_flashed,
        "rolled_back": booted.rolled_back.as_ref().map(|progress| &progress.version),
    })
}

/// The link's updater for this board: its chip, the slot size, and a rollback the boot found.
pub fn updater(chip: Chip, rolled_back: Option<UpdateProgress>) -> Updater {
    let updater = Updater::new(chip, SLOT_SIZE);
    match rolled_back {
        Some(outcome) => updater.with_outcome(outcome),
        None => updater,
    }
}

/// The app slots in the flash file, as the update writes them.
pub struct SimSlots {
    file: File,
    otadata: Otadata,
    running: u32,
}

impl SimSlots {
    /// Opens the slots of the flash file at `path`, growing it with erased bytes to hold them.
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)?;
        let len = file.metadata()?.len();
        if len < u64::from(FLASH_END) {
            // Erased NOR reads 0xFF; a sparse extension would read 0x00.
            let erased = vec![0xFF; (u64::from(FLASH_END) - len) as usize];
            file.write_all_at(&erased, len)?;
            file.sync_data()?;
        }
        let mut raw = vec![0u8; OTADATA_LEN as usize];
        file.read_exact_at(&mut raw, u64::from(OTADATA))?;
        Ok(Self { file, otadata: Otadata::parse(&raw), running: 0 })
    }

    /// The bootloader's work at start: a factory flash of `image` into an erased ota_0, the otadata step (an
    /// image started and never confirmed is abandoned, a new one becomes pending), then the chosen slot's image
    /// check, falling back to the other slot as the bootloader does when it does not pass.
    pub fn boot(&mut self, chip: Chip, image: Option<&Path>) -> Result<Booted, String> {
        let chip_id = image::chip_id(chip);
        let mut factory_flashed = false;
        if let Some(path) = image {
            let Some(chip_id) = chip_id else {
                return Err(String::from("--image: no image for chip sim; give --chip esp32c3 or esp32c6"));
            };
            let bytes = std::fs::read(path).map_err(|error| format!("--image {}: {error}", path.display()))?;
            image::check(&bytes, Some(chip_id)).map_err(|error| format!("--image {}: {error}", path.display()))?;
            if bytes.len() > SLOT_SIZE as usize {
                return Err(format!("--image {}: {} bytes, larger than the {SLOT_SIZE}-byte slot", path.display(), bytes.len()));
            }
            if self.otadata == Otadata::ERASED && self.read(slot_offset(0), 1).map_err(|e| e.to_string())? == [0xFF] {
                self.write_slot(0, &bytes).map_err(|error| format!("writing --image into ota_0: {error}"))?;
                factory_flashed = true;
            }
        }
        let boot = self.otadata.boot();
        for (index, changed) in boot.rewrite.into_iter().enumerate() {
            if changed {
                self.write_otadata(index).map_err(|error| format!("writing otadata: {error}"))?;
            }
        }
        let checked = |slots: &Self, slot: u32| chip_id.and_then(|id| slots.check(slot, id).ok());
        let (slot, image) = match checked(self, boot.slot) {
            Some(info) => (boot.slot, Some(info)),
            None => match checked(self, 1 - boot.slot) {
                // The bootloader tries the other slot when the chosen one does not load.
                Some(info) => (1 - boot.slot, Some(info)),
                None => (boot.slot, None),
            },
        };
        self.running = slot;
        let running = image.as_ref().map_or_else(|| String::from(env!("CARGO_PKG_VERSION")), |info| info.version.clone());
        let rolled_back = boot.rolled_back.map(|abandoned| {
            let failed = chip_id.and_then(|id| self.check(abandoned, id).ok());
            let (version, len) = failed.map_or((String::from("unknown"), 0), |info| (info.version, info.len));
            UpdateProgress {
                state: UpdateState::RolledBack,
                version,
                written: len,
                total: len,
                reason: Some(format!("the new image restarted without reaching the host; back on {running}")),
            }
        });
        Ok(Booted { slot, image, rolled_back, pending: boot.pending && slot == boot.slot, factory_flashed })
    }

    /// Checks the image in `slot` as the bootloader does.
    pub fn check(&self, slot: u32, chip_id: u16) -> Result<ImageInfo, String> {
        let bytes = self.read(slot_offset(slot), SLOT_SIZE as usize).map_err(|error| error.to_string())?;
        image::check(&bytes, Some(chip_id)).map_err(|error| error.to_string())
    }

    /// The slot an update writes.
    pub fn inactive(&self) -> u32 {
        1 - self.running
    }

    fn read(&self, offset: u32, len: usize) -> io::Result<Vec<u8>> {
        let mut bytes = vec![0u8; len];
        self.file.read_exact_at(&mut bytes, u64::from(offset))?;
        Ok(bytes)
    }

    /// Erases the sectors `data` covers from `offset` of the file and writes it, as NOR flash takes it: the data,
    /// then erased bytes to the end of its last sector. No sector-sized copy on the heap, which the board's write
    /// never makes (firmware-rs/esp32/src/ota.rs) and which would count in the device logic's heap figures.
    fn program(&self, offset: u32, data: &[u8]) -> io::Result<()> {
        let sectors = data.len().div_ceil(SECTOR as usize).max(1) * SECTOR as usize;
        self.file.write_all_at(data, u64::from(offset))?;
        self.fill_erased(u64::from(offset) + data.len() as u64, sectors - data.len())?;
        self.file.sync_data()
    }

    /// Writes `len` erased bytes (0xFF) at `at` of the file, from a small constant rather than the heap.
    fn fill_erased(&self, at: u64, len: usize) -> io::Result<()> {
        const ERASED: [u8; 256] = [0xFF; 256];
        let mut done = 0;
        while done < len {
            let n = (len - done).min(ERASED.len());
            self.file.write_all_at(&ERASED[..n], at + done as u64)?;
            done += n;
        }
        Ok(())
    }

    /// Whether the `len` bytes at `at` of the file all read 0xFF (erased), read back through a small buffer on the
    /// stack rather than the heap.
    fn is_erased(&self, at: u64, len: usize) -> io::Result<bool> {
        let mut buffer = [0u8; 256];
        let mut done = 0;
        while done < len {
            let n = (len - done).min(buffer.len());
            self.file.read_exact_at(&mut buffer[..n], at + done as u64)?;
            if buffer[..n].iter().any(|&byte| byte != 0xFF) {
                return Ok(false);
            }
            done += n;
        }
        Ok(true)
    }

    /// A factory flash of a whole image into `slot` (the slot's first sectors; the rest stays as it was).
    fn write_slot(&self, slot: u32, bytes: &[u8]) -> io::Result<()> {
        self.program(slot_offset(slot), bytes)
    }

    fn write_otadata(&self, index: usize) -> io::Result<()> {
        let entry = self.otadata.entries[index].to_bytes();
        debug_assert_eq!(entry.len(), ENTRY_LEN);
        self.program(OTADATA + Otadata::offset(index), &entry)
    }
}

/// The flash file refused a read or a write.
fn file_error(error: io::Error) -> SlotError {
    log::error!("ota: cannot write the flash file: {error}");
    SlotError::Flash
}

impl UpdateSlots for SimSlots {
    fn erase(&mut self, offset: u32) -> Result<(), SlotError> {
        check_erase(offset, SLOT_SIZE)?;
        self.fill_erased(u64::from(slot_offset(self.inactive()) + offset), SECTOR as usize).map_err(file_error)
    }

    /// As NOR flash takes a write: programming only clears bits (1 to 0), so a write over bytes that are not 0xFF
    /// would AND into them on the board (esp-storage's `FlashStorage::write_nor`, through the ROM's
    /// `esp_rom_spiflash_write`, programs without erasing or reading back). Here a write over any byte that does not
    /// read 0xFF is refused instead, where the board would AND into it: a missing erase or a second write shows
    /// where the slot holds earlier bytes (an earlier image, say), as it would corrupt the image on the board. The
    /// device crate's own flash model (`ota/tests.rs`) refuses every write before its erase and every second write.
    fn write(&mut self, offset: u32, data: &[u8]) -> Result<(), SlotError> {
        check_write(offset, data.len(), SLOT_SIZE)?;
        let at = u64::from(slot_offset(self.inactive()) + offset);
        if !self.is_erased(at, data.len()).map_err(file_error)? {
            log::error!("ota: a write at 0x{offset:x} of the slot ({} bytes) covers bytes not erased", data.len());
            return Err(SlotError::Flash);
        }
        self.file.write_all_at(data, at).map_err(file_error)
    }

    fn activate(&mut self, size: u32) -> Result<(), SlotError> {
        if size > SLOT_SIZE {
            return Err(SlotError::OutOfSlot);
        }
        // The slot's bytes reach the file before the otadata that boots them.
        self.file.sync_data().map_err(file_error)?;
        let index = self.otadata.activate(self.inactive()).map_err(|_| SlotError::Otadata)?;
        self.write_otadata(index).map_err(|_| SlotError::Otadata)
    }

    fn mark_valid(&mut self) -> Result<(), SlotError> {
        match self.otadata.mark_valid() {
            Some(index) => self.write_otadata(index).map_err(|_| SlotError::Otadata),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use sysboy_device::ota::craft::{self, Craft};
    use sysboy_device::ota::WORD;

    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("sysboy-sim-ota-{name}-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        path
    }

    fn image_file(name: &str, version: &str) -> (std::path::PathBuf, Vec<u8>) {
        let bytes = craft::image(&Craft { version, segments: &[20_000], ..Craft::default() });
        let path = scratch(name);
        std::fs::write(&path, &bytes).unwrap();
        (path, bytes)
    }

    /// Writes `bytes` as an update would: each sector erased, then written in pieces that cross sectors, then
    /// activates the slot.
    fn update(slots: &mut SimSlots, bytes: &[u8]) {
        let padded = bytes.len().next_multiple_of(SECTOR as usize);
        for offset in (0..padded).step_by(SECTOR as usize) {
            slots.erase(offset as u32).unwrap();
        }
        let mut data = bytes.to_vec();
        data.resize(bytes.len().next_multiple_of(WORD as usize), 0xFF);
        for (index, piece) in data.chunks(1460).enumerate() {
            slots.write((index * 1460) as u32, piece).unwrap();
        }
        slots.activate(bytes.len() as u32).unwrap();
    }

    #[test]
    fn a_write_into_a_sector_not_erased_or_not_of_words_is_refused() {
        let flash = scratch("unerased");
        let mut slots = SimSlots::open(&flash).unwrap();
        // An earlier image left bytes in sector 1 of the slot.
        slots.file.write_all_at(&[0x5A; 8], u64::from(slot_offset(slots.inactive()) + SECTOR)).unwrap();
        slots.erase(0).unwrap();
        slots.write(0, &[1; 4096]).unwrap();
        assert_eq!(slots.write(4096, &[1; 4]), Err(SlotError::Flash), "sector 1 was never erased");
        assert_eq!(slots.write(4092, &[1; 8]), Err(SlotError::Flash), "nor is a write that runs into it");
        assert_eq!(slots.write(0, &[1; 4]), Err(SlotError::Flash), "nor a second write over written bytes");
        assert_eq!(slots.write(2, &[1; 4]), Err(SlotError::Unaligned));
        assert_eq!(slots.write(0, &[1; 3]), Err(SlotError::Unaligned));
        assert_eq!(slots.erase(100), Err(SlotError::Unaligned));
        assert_eq!(slots.erase(SLOT_SIZE), Err(SlotError::OutOfSlot));
        slots.erase(4096).unwrap();
        slots.write(4096, &[2; 8]).unwrap();
        slots.write(4104, &[2; 8]).unwrap();
        // A new image starts over: what sector 1 holds stays until it is erased again.
        slots.erase(0).unwrap();
        assert_eq!(slots.write(4096, &[1; 4]), Err(SlotError::Flash));
        slots.write(0, &[3; 8]).unwrap();
        slots.erase(4096).unwrap();
        slots.write(4096, &[1; 4]).unwrap();
        assert_eq!(slots.read(slot_offset(slots.inactive()) + 4096, 8).unwrap(), [1, 1, 1, 1, 0xFF, 0xFF, 0xFF, 0xFF]);
        std::fs::remove_file(flash).unwrap();
    }

    #[test]
    fn a_factory_flash_boots_ota_0_and_keeps_the_settings_area() {
        let flash = scratch("factory");
        std::fs::write(&flash, vec![0x5A; 0x4000]).unwrap();
        let (image, _) = image_file("factory-image", "0.1.0");
        let mut slots = SimSlots::open(&flash).unwrap();
        let booted = slots.boot(Chip::Esp32c3, Some(&image)).unwrap();
        assert_eq!((booted.slot, booted.factory_flashed, booted.image.unwrap().version.as_str()), (0, true, "0.1.0"));
        let file = std::fs::read(&flash).unwrap();
        assert_eq!(file.len(), FLASH_END as usize);
        assert!(file[..0x4000].iter().all(|&byte| byte == 0x5A), "the settings are untouched");
        // A second start does not flash again.
        let mut slots = SimSlots::open(&flash).unwrap();
        assert!(!slots.boot(Chip::Esp32c3, Some(&image)).unwrap().factory_flashed);
        assert!(SimSlots::open(&flash).unwrap().boot(Chip::Sim, Some(&image)).unwrap_err().contains("no image for chip sim"));
        for path in [flash, image] {
            std::fs::remove_file(path).unwrap();
        }
    }

    #[test]
    fn an_update_boots_pending_then_is_kept_or_rolled_back() {
        let flash = scratch("update");
        let (image, _) = image_file("update-image", "0.1.0");
        let newer = craft::image(&Craft { version: "0.2.0", segments: &[30_000], ..Craft::default() });
        let mut slots = SimSlots::open(&flash).unwrap();
        slots.boot(Chip::Esp32c3, Some(&image)).unwrap();
        update(&mut slots, &newer);
        // The restart: the new image runs, unconfirmed.
        let mut slots = SimSlots::open(&flash).unwrap();
        let booted = slots.boot(Chip::Esp32c3, Some(&image)).unwrap();
        assert_eq!((booted.slot, booted.pending, booted.image.unwrap().version.as_str()), (1, true, "0.2.0"));
        // It never reached the host: the next start is back on 0.1.0 and says so.
        let mut rolled = SimSlots::open(&flash).unwrap();
        let booted = rolled.boot(Chip::Esp32c3, Some(&image)).unwrap();
        assert_eq!((booted.slot, booted.image.unwrap().version.as_str()), (0, "0.1.0"));
        let report = booted.rolled_back.unwrap();
        assert_eq!((report.state, report.version.as_str()), (UpdateState::RolledBack, "0.2.0"));
        // Another update, confirmed this time, stays.
        update(&mut rolled, &newer);
        let mut slots = SimSlots::open(&flash).unwrap();
        assert_eq!(slots.boot(Chip::Esp32c3, None).unwrap().slot, 1);
        slots.mark_valid().unwrap();
        let mut slots = SimSlots::open(&flash).unwrap();
        let booted = slots.boot(Chip::Esp32c3, None).unwrap();
        assert_eq!((booted.slot, booted.pending, booted.rolled_back), (1, false, None));
        for path in [flash, image] {
            std::fs::remove_file(path).unwrap();
        }
    }

    #[test]
    fn a_half_written_slot_leaves_the_running_image_booting() {
        let flash = scratch("cut");
        let (image, _) = image_file("cut-image", "0.1.0");
        let newer = craft::image(&Craft { version: "0.2.0", segments: &[30_000], ..Craft::default() });
        let mut slots = SimSlots::open(&flash).unwrap();
        slots.boot(Chip::Esp32c3, Some(&image)).unwrap();
        // The power goes mid-download: some sectors written, nothing activated.
        slots.erase(0).unwrap();
        slots.write(0, &newer[..SECTOR as usize]).unwrap();
        let mut slots = SimSlots::open(&flash).unwrap();
        let booted = slots.boot(Chip::Esp32c3, Some(&image)).unwrap();
        assert_eq!((booted.slot, booted.image.unwrap().version.as_str()), (0, "0.1.0"));
        for path in [flash, image] {
            std::fs::remove_file(path).unwrap();
        }
    }
}
