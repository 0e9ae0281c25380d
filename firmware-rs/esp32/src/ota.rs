//! Updates over the air, the board's side: the two app slots and the otadata partition of `partitions.csv`,
//! found through esp-bootloader-esp-idf's partition table reader and written through esp-storage. [`at_boot`]
//! settles a new image's trial before anything else runs, [`boot_report`] tells the link what it found once the
//! heap is up, [`confirm`] keeps the image once the board has reached the host, and [`Slots`] is the flash an
//! update writes, then activates.
//!
//! The rollback is the app's. espflash 4.7 bundles ESP-IDF v6.1 bootloaders built without
//! `CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE` (espflash `resources/bootloaders/manifest.yaml`: the C3 and C6 entries
//! set only the flash size), and ESP-IDF compiles the New → PendingVerify → Aborted steps of
//! `bootloader_utility_get_selected_boot_partition` (`components/bootloader_support/src/bootloader_utility.c`)
//! only with it. What the bundled bootloader does on its own: it boots the otadata entry with the highest sequence
//! number whose state is neither Invalid nor Aborted and whose CRC matches (`bootloader_common_ota_select_valid`,
//! `bootloader_common_loader.c`), and when that slot's image does not load it tries the other
//! (`bootloader_utility_load_boot_image`). So the firmware takes the rollback-enabled bootloader's step itself, at
//! start, over `sysboy-device`'s otadata model (the simulator's bootloader runs the same [`Otadata::boot`]): a
//! New image's first start marks it PendingVerify; a start that finds it still PendingVerify (it restarted before
//! reaching the host: a panic, the watchdog, a power cut) marks it Aborted and restarts into the other slot.
//!
//! With a bootloader built with rollback, every new image would already be PendingVerify at its first start and
//! be rolled back at once: this firmware assumes espflash's bootloader.

use alloc::string::String;
use core::{
    cell::Cell,
    fmt,
    ops::Range,
    sync::atomic::{AtomicBool, Ordering},
};

use embassy_sync::{
    blocking_mutex::{Mutex, raw::CriticalSectionRawMutex},
    once_lock::OnceLock,
};
use esp_bootloader_esp_idf::partitions::{self, AppPartitionSubType, DataPartitionSubType, PartitionEntry, PartitionType};
use esp_hal::peripherals::FLASH;
use esp_storage::{FlashStorage, FlashStorageError};
use sysboy_device::ota::{
    SlotError, UpdateSlots, check_erase, check_write,
    otadata::{ENTRY_LEN, OtaEntry, OtaState, Otadata},
};
use sysboy_device::status_light::Heard;
use sysboy_protocol::{UpdateProgress, UpdateState};

/// The partitions of an update, found at boot.
#[derive(Clone, Copy)]
struct Layout {
    otadata: PartitionEntry,
    /// ota_0 and ota_1.
    slots: [PartitionEntry; 2],
    /// The slot the bootloader started (0 or 1).
    booted: u32,
}

impl Layout {
    fn inactive(&self) -> u32 {
        1 - self.booted
    }
}

/// What [`at_boot`] found; unset when the flash has no update partitions.
static LAYOUT: OnceLock<Layout> = OnceLock::new();
/// Whether the running image is on trial: started from an update and not yet marked valid.
static ON_TRIAL: AtomicBool = AtomicBool::new(false);

/// Why an update's flash work failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtaError {
    /// The partition table could not be read.
    PartitionTable,
    /// The partition table has no otadata partition or not two OTA app slots (flashed with an older table), or
    /// the running image is in neither slot.
    NoSlots,
    /// The flash refused a read, an erase or a write.
    Flash(FlashStorageError),
}

impl fmt::Display for OtaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PartitionTable => f.write_str("the partition table at 0x8000 could not be read"),
            Self::NoSlots => f.write_str("the partition table has no otadata and two OTA app slots (flash partitions.csv)"),
            Self::Flash(error) => write!(f, "the flash refused: {error:?}"),
        }
    }
}

impl core::error::Error for OtaError {}

impl From<FlashStorageError> for OtaError {
    fn from(error: FlashStorageError) -> Self {
        Self::Flash(error)
    }
}

/// What the boot found, for the link's updater ([`boot_report`]).
#[derive(Debug, Clone, Default)]
pub struct BootReport {
    /// Bytes the inactive slot holds; 0 when the board cannot update (no slots, unreadable otadata).
    pub slot_size: u32,
    /// The image that was rolled back since the last start, reported once.
    pub rolled_back: Option<UpdateProgress>,
}

/// Reads the update partitions and takes the bootloader's rollback step: a New image's first start marks it
/// PendingVerify, and a start that finds it PendingVerify (it restarted before it reached the host) marks it
/// Aborted and restarts into the other slot. It needs the flash and nothing else (no heap, no executor, no timer),
/// so `main` runs it first, before anything a new image could fail at; see `main` for what runs before it.
pub fn at_boot(flash: FLASH<'_>) {
    let mut flash = FlashStorage::new(flash);
    match settle(&mut flash) {
        Ok((layout, on_trial)) => {
            ON_TRIAL.store(on_trial, Ordering::Relaxed);
            let _ = LAYOUT.init(layout);
        }
        Err(error) => log::warn!("ota: {error}; no updates over the air"),
    }
}

/// What [`at_boot`] found, and the image the previous start rolled back (its version read from its slot, reported
/// once). Allocates, so call it once the heap is set up.
pub fn boot_report() -> BootReport {
    let Some(layout) = LAYOUT.try_get() else { return BootReport::default() };
    let slot_size = layout.slots[layout.inactive() as usize].len();
    let mut flash = flash();
    let rolled_back = read_otadata(&mut flash, layout).and_then(|mut otadata| report_rollback(&mut flash, layout, &mut otadata));
    match rolled_back {
        Ok(rolled_back) => BootReport { slot_size, rolled_back },
        Err(error) => {
            log::warn!("ota: the rolled-back image cannot be read: {error}");
            BootReport { slot_size, rolled_back: None }
        }
    }
}

/// The running slot's layout and whether it is on trial.
type Settled = (Layout, bool);

fn settle(flash: &mut FlashStorage<'_>) -> Result<Settled, OtaError> {
    let layout = read_layout(flash)?;
    let booted = layout.booted;
    let mut otadata = read_otadata(flash, &layout)?;
    if let Some(index) = otadata.active()
        && otadata.entries[index].slot() != booted
    {
        // The bootloader passed over the selected slot: its image did not load. Refused for good, so the step below
        // and the next update see the running slot as the one to keep.
        log::warn!("ota: ota_{} did not load; the bootloader started ota_{booted}", otadata.entries[index].slot());
        otadata.entries[index].state = OtaState::Invalid;
        write_entry(flash, &layout, index, &otadata.entries[index])?;
    }
    let boot = otadata.boot();
    for index in 0..2 {
        if boot.rewrite[index] {
            write_entry(flash, &layout, index, &otadata.entries[index])?;
        }
    }
    if boot.rolled_back == Some(booted) && boot.slot != booted {
        log::warn!("ota: the new image in ota_{booted} restarted before it reached the host; back to ota_{}", boot.slot);
        restart();
    }
    if boot.slot != booted {
        // No usable entry points here, yet the bootloader started this slot (the other did not load): keep running.
        log::warn!("ota: running ota_{booted}, which otadata does not select");
    }
    let running = otadata.active().map(|index| otadata.entries[index]).filter(|entry| entry.slot() == booted);
    let on_trial = running.is_some_and(|entry| entry.state == OtaState::PendingVerify);
    log::info!("ota: running ota_{booted}{}", if on_trial { ", a new image on trial until it reaches the host" } else { "" });
    Ok((layout, on_trial))
}

/// The image the previous start rolled back: the other slot's copy, ABORTED, with a higher seq than the running
/// one. It was aborted by that image's own start (which restarted here), so only otadata remembers it; marked
/// INVALID once reported (the bootloader skips both alike), so it is reported once.
fn report_rollback(flash: &mut FlashStorage<'_>, layout: &Layout, otadata: &mut Otadata) -> Result<Option<UpdateProgress>, OtaError> {
    let Some(active) = otadata.active() else { return Ok(None) };
    let other = 1 - active;
    let (running, aborted) = (otadata.entries[active], otadata.entries[other]);
    let intact = aborted.crc == sysboy_device::ota::otadata::crc32_le(&aborted.seq.to_le_bytes());
    if aborted.state != OtaState::Aborted || !intact || aborted.seq <= running.seq || aborted.slot() == layout.booted {
        return Ok(None);
    }
    let version = app_version(flash, &layout.slots[aborted.slot() as usize]).unwrap_or_else(|| String::from("unknown"));
    log::warn!("ota: version {version} in ota_{} was rolled back: it restarted before it reached the host", aborted.slot());
    otadata.entries[other].state = OtaState::Invalid;
    write_entry(flash, layout, other, &otadata.entries[other])?;
    Ok(Some(UpdateProgress {
        state: UpdateState::RolledBack,
        version,
        written: 0,
        total: 0,
        reason: Some(String::from("the new image restarted before it reached the host")),
    }))
}

/// The version in the app descriptor of the image in `slot` (`esp_app_desc_t` right after the image and first
/// segment headers, at 32; its version at 16 in it).
fn app_version(flash: &mut FlashStorage<'_>, slot: &PartitionEntry) -> Option<String> {
    const DESC: u32 = 32;
    let mut desc = WordAligned([0u8; 48]);
    flash.read(slot.offset() + DESC, &mut desc.0).ok()?;
    if u32::from_le_bytes([desc.0[0], desc.0[1], desc.0[2], desc.0[3]]) != 0xABCD_5432 {
        return None;
    }
    let version = &desc.0[16..];
    let len = version.iter().position(|&byte| byte == 0).unwrap_or(version.len());
    core::str::from_utf8(&version[..len]).ok().filter(|version| !version.is_empty()).map(String::from)
}

/// Keeps the running image: marks it valid if it is on trial. Call once the board has reached the host.
pub fn confirm() -> Result<(), OtaError> {
    let Some(layout) = LAYOUT.try_get() else { return Ok(()) };
    mark_valid(&mut flash(), layout)
}

fn mark_valid(flash: &mut FlashStorage<'_>, layout: &Layout) -> Result<(), OtaError> {
    if !ON_TRIAL.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut otadata = read_otadata(flash, layout)?;
    if otadata.selected_slot() == layout.booted
        && let Some(index) = otadata.mark_valid()
    {
        write_entry(flash, layout, index, &otadata.entries[index])?;
        log::info!("ota: the new image in ota_{} reached the host; kept", layout.booted);
    }
    ON_TRIAL.store(false, Ordering::Relaxed);
    Ok(())
}

/// Restarts the board, into the slot otadata selects.
pub fn restart() -> ! {
    crate::status_light::hear(Heard::Restarting);
    log::info!("ota: restarting");
    esp_hal::system::software_reset()
}

/// The board's app slots as an update writes them ([`UpdateSlots`]): the slot the running image is not in, at
/// offsets from its start, and otadata.
pub struct Slots {
    flash: FlashStorage<'static>,
    layout: Layout,
}

const SECTOR: u32 = FlashStorage::SECTOR_SIZE;
const WORD: u32 = FlashStorage::WRITE_SIZE as u32;
const _: () = assert!(SECTOR == sysboy_device::ota::SECTOR && WORD == sysboy_device::ota::WORD);
/// Writes go to the flash through a word-aligned buffer this long.
const WRITE_CHUNK: usize = 256;

#[repr(align(4))]
struct WordAligned<const N: usize>([u8; N]);

impl Slots {
    /// The slots [`at_boot`] found; `None` when the board cannot update. Call once: the link owns them.
    pub fn take() -> Option<Self> {
        // No atomic swap on the C3 (riscv32imc): a lock instead.
        static TAKEN: Mutex<CriticalSectionRawMutex, Cell<bool>> = Mutex::new(Cell::new(false));
        let layout = *LAYOUT.try_get()?;
        (!TAKEN.lock(|taken| taken.replace(true))).then(|| Self { flash: flash(), layout })
    }

    /// The inactive slot's partition, as a range of flash addresses.
    fn inactive(&self) -> Range<u32> {
        let slot = self.layout.slots[self.layout.inactive() as usize];
        slot.offset()..slot.offset() + slot.len()
    }
}

impl UpdateSlots for Slots {
    fn erase(&mut self, offset: u32) -> Result<(), SlotError> {
        let slot = self.inactive();
        check_erase(offset, slot.end - slot.start)?;
        // Inside the slot, so no overflow.
        let at = slot.start + offset;
        if offset == 0 {
            // The first sector of an image: the light says "updating" until the restart or the session's end.
            crate::status_light::hear(Heard::UpdateStarted);
        }
        self.flash.erase(at, at + SECTOR).map_err(|_| SlotError::Flash)
    }

    fn write(&mut self, offset: u32, data: &[u8]) -> Result<(), SlotError> {
        let slot = self.inactive();
        check_write(offset, data.len(), slot.end - slot.start)?;
        // Inside the slot, so no overflow.
        let at = slot.start + offset;
        // Through a small word-aligned copy: the piece lies anywhere in the fetch's buffer, and esp-storage copies
        // an unaligned slice through a 4 KiB sector buffer on the stack. write_nor takes whole words (WRITE_SIZE 4)
        // at any word offset, across pages and sectors, into sectors erased by `erase`.
        let mut aligned = WordAligned([0xFF; WRITE_CHUNK]);
        for (index, chunk) in data.chunks(WRITE_CHUNK).enumerate() {
            aligned.0[..chunk.len()].copy_from_slice(chunk);
            let chunk_at = at + (index * WRITE_CHUNK) as u32;
            self.flash.write_nor(chunk_at, &aligned.0[..chunk.len()]).map_err(|_| SlotError::Flash)?;
        }
        Ok(())
    }

    fn activate(&mut self, size: u32) -> Result<(), SlotError> {
        let slot = self.inactive();
        if size > slot.end - slot.start {
            return Err(SlotError::OutOfSlot);
        }
        let activated = read_otadata(&mut self.flash, &self.layout).and_then(|mut otadata| {
            let index = otadata.activate(self.layout.inactive()).map_err(|_| OtaError::NoSlots)?;
            write_entry(&mut self.flash, &self.layout, index, &otadata.entries[index])
        });
        if let Err(error) = activated {
            log::error!("ota: ota_{} cannot be activated: {error}", self.layout.inactive());
            crate::status_light::hear(Heard::UpdateEnded);
            return Err(SlotError::Otadata);
        }
        // The running image's own trial ends with it: it is leaving for an image it checked.
        ON_TRIAL.store(false, Ordering::Relaxed);
        log::info!("ota: ota_{} activated ({size} bytes); it starts at the next restart", self.layout.inactive());
        Ok(())
    }

    fn mark_valid(&mut self) -> Result<(), SlotError> {
        mark_valid(&mut self.flash, &self.layout).map_err(|_| SlotError::Otadata)
    }
}

/// A second handle on the flash, beside the settings store's.
fn flash() -> FlashStorage<'static> {
    // SAFETY: esp-storage keeps no state in the peripheral: each read, erase or write is a ROM call completed
    // before it returns, inside its critical section, so two handles never interleave on the one executor. This
    // one touches only otadata and the slot the board is not running; the settings store touches only nvs.
    FlashStorage::new(unsafe { FLASH::steal() })
}

fn read_layout(flash: &mut FlashStorage<'_>) -> Result<Layout, OtaError> {
    let mut buffer = [0u8; partitions::PARTITION_TABLE_MAX_LEN];
    let table = partitions::read_partition_table(flash, &mut buffer).map_err(|_| OtaError::PartitionTable)?;
    let find = |kind| table.find_partition(kind).map_err(|_| OtaError::PartitionTable)?.ok_or(OtaError::NoSlots);
    let otadata = find(PartitionType::Data(DataPartitionSubType::Ota))?;
    let slots = [find(PartitionType::App(AppPartitionSubType::Ota0))?, find(PartitionType::App(AppPartitionSubType::Ota1))?];
    let booted = table.booted_partition().map_err(|_| OtaError::PartitionTable)?.ok_or(OtaError::NoSlots)?;
    let booted = slots.iter().position(|slot| slot.offset() == booted.offset()).ok_or(OtaError::NoSlots)?;
    Ok(Layout { otadata, slots, booted: booted as u32 })
}

/// The two copies, each at the start of its sector of the otadata partition.
fn read_otadata(flash: &mut FlashStorage<'_>, layout: &Layout) -> Result<Otadata, OtaError> {
    let mut entries = [OtaEntry::ERASED; 2];
    for (index, entry) in entries.iter_mut().enumerate() {
        let mut bytes = WordAligned([0u8; ENTRY_LEN]);
        flash.read(layout.otadata.offset() + Otadata::offset(index), &mut bytes.0)?;
        *entry = OtaEntry::parse(&bytes.0);
    }
    Ok(Otadata { entries })
}

/// Rewrites copy `index`: its sector erased, then its 32 bytes. A cut in between leaves the copy erased, which the
/// bootloader skips for the other.
fn write_entry(flash: &mut FlashStorage<'_>, layout: &Layout, index: usize, entry: &OtaEntry) -> Result<(), OtaError> {
    let at = layout.otadata.offset() + Otadata::offset(index);
    flash.erase(at, at + SECTOR)?;
    flash.write_nor(at, &WordAligned(entry.to_bytes()).0)?;
    Ok(())
}
