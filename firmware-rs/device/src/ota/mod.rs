//! Updates over the air, sans-IO: the ESP app image check, the download as a state machine, and the boot policy
//! over the two app slots and `otadata`.
//!
//! # Overview
//! - [`image`]: [`ImageChecker`] checks an ESP app image fed in pieces as the ESP-IDF bootloader does (header
//!   magic, chip id, segments and their bounds, the XOR checksum, the appended SHA-256, the app descriptor and its
//!   version), and gives the SHA-256 of the whole file; [`image::check`] does it on bytes held whole (a slot read
//!   back).
//! - [`Updater`]: the host's `update` offer → ranges to fetch ([`Updater::next_fetch`], multiples of the 4 KiB
//!   sector, [`CHUNK`] at a time) → the response head and body → for each piece of the body, [`Steps`] that
//!   borrow it: [`UpdateStep::Erase`] of each sector the writes enter, then [`UpdateStep::Write`] of its whole
//!   words where they go in the inactive slot (NOR flash takes writes into an erased sector in any pieces, so no
//!   sector is gathered in memory: only the up to 3 bytes that do not fill a word wait for the next piece) → size,
//!   SHA-256 and image check, fed in the same pieces → [`UpdateStep::Activate`] → restart. Progress goes in
//!   the status at each change of state and every 10 % ([`Updater::take_report`]); a short read, a wrong length,
//!   an HTTP error, a timeout or a hash mismatch ends in state failed with a reason, nothing activated.
//! - [`otadata`]: the two `esp_ota_select_entry_t` copies, which slot boots ([`Otadata::boot`]: an image started
//!   and never confirmed is ABORTED and the previous one boots, reported `rolled_back`), activation
//!   ([`Otadata::activate`]) and confirmation once the board reached the host ([`Otadata::mark_valid`]).
//! - [`http`]: the range request and the response head (206/200/401/416, `Content-Length`, `Content-Range`).
//!
//! The link ([`HostLink`](crate::link::HostLink)) owns the [`Updater`] and answers the offer; the session's IO
//! ([`crate::io`]) opens the second connection for the ranges ([`crate::io::Fetch`]) and hands flash work to the
//! board's [`UpdateSlots`].
//!
//! # Configuration
//! [`Updater::new`] takes the board's chip and the size of its inactive slot (0 when it cannot update);
//! [`Updater::with_outcome`] carries a `rolled_back` found at boot into the first status. The board gives the link
//! its updater with [`HostLink::with_updater`](crate::link::HostLink::with_updater).
//!
//! # Example
//! ```
//! use sysboy_device::ota::{Updater, UpdateStep};
//! use sysboy_device::ota::http::{ContentRange, ResponseHead};
//! use sysboy_protocol::{Chip, UpdateOffer};
//! let mut updater = Updater::new(Chip::Esp32c3, 0x18_0000);
//! let offer = UpdateOffer { version: "0.2.0".into(), chip: Chip::Esp32c3, size: 100_000, sha256: "0".repeat(64), path: "/firmware/esp32c3/app.bin".into() };
//! updater.offer(0, &offer).unwrap();
//! let range = updater.next_fetch(0).unwrap();
//! assert_eq!((range.start, range.end), (0, 65_535));
//! updater.response(1, &ResponseHead { status: 206, content_length: Some(65_536), content_range: Some(ContentRange { range: Some(range), total: Some(100_000) }) });
//! let piece = [0xE9; 4095];
//! let mut steps = updater.body(2, &piece);
//! assert_eq!(steps.next_step(), Some(UpdateStep::Erase { offset: 0 }));
//! assert_eq!(steps.next_step(), Some(UpdateStep::Write { offset: 0, data: &piece[..4092] }));
//! assert_eq!(steps.next_step(), None); // the last 3 bytes wait for the next piece
//! ```

pub mod craft;
pub mod http;
pub mod image;
pub mod otadata;
mod updater;

#[cfg(test)]
mod tests;

use core::fmt;

pub use image::{ImageChecker, ImageError, ImageInfo};
pub use otadata::{Boot, OtaEntry, OtaState, Otadata};
pub use updater::{OfferRefused, Steps, UpdateStep, Updater, CHUNK, FETCH_TIMEOUT_MS, SECTOR, WORD};

/// Why the board's slot work failed; the update ends failed with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotError {
    /// The erase, the write or the image runs past the slot.
    OutOfSlot,
    /// An erase not on a sector, or a write not of whole words.
    Unaligned,
    /// The flash refused an erase or a write.
    Flash,
    /// The otadata could not be read or written.
    Otadata,
}

impl fmt::Display for SlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::OutOfSlot => "the write runs past the slot",
            Self::Unaligned => "an erase not on a sector or a write not of whole words",
            Self::Flash => "the flash refused an erase or a write",
            Self::Otadata => "the otadata could not be written",
        })
    }
}

impl core::error::Error for SlotError {}

/// The checks every [`UpdateSlots::erase`] makes (the board's and the simulator's alike): `offset` is a multiple of
/// [`SECTOR`] ([`SlotError::Unaligned`] else), and the whole sector lies inside a slot of `slot_len` bytes
/// ([`SlotError::OutOfSlot`] else).
pub fn check_erase(offset: u32, slot_len: u32) -> Result<(), SlotError> {
    if !offset.is_multiple_of(SECTOR) {
        return Err(SlotError::Unaligned);
    }
    if u64::from(offset) + u64::from(SECTOR) > u64::from(slot_len) {
        return Err(SlotError::OutOfSlot);
    }
    Ok(())
}

/// The checks every [`UpdateSlots::write`] makes: `offset` and `len` are multiples of [`WORD`]
/// ([`SlotError::Unaligned`] else), and the `len` bytes at `offset` lie inside a slot of `slot_len` bytes
/// ([`SlotError::OutOfSlot`] else).
pub fn check_write(offset: u32, len: usize, slot_len: u32) -> Result<(), SlotError> {
    if !offset.is_multiple_of(WORD) || !len.is_multiple_of(WORD as usize) {
        return Err(SlotError::Unaligned);
    }
    if u64::from(offset) + len as u64 > u64::from(slot_len) {
        return Err(SlotError::OutOfSlot);
    }
    Ok(())
}

/// The board's app slots, as the update writes them. The ESP32 wires it to esp-bootloader-esp-idf's OTA updater
/// (`FlashRegion` of the next app partition, `Ota::set_current_app_partition`/`set_current_ota_state`); the
/// simulator to its flash file. Flash work is short and blocking, as the SPI flash's is.
///
/// The work comes as NOR flash takes it ([`Steps`]): a sector is erased once, before the first write into it, then
/// written in pieces of whole words, in order, each byte once (esp-storage's `FlashStorage`: `WRITE_SIZE` 4 and
/// `ERASE_SIZE` 4096). A piece may be anywhere in memory and of any length: no alignment of `data` is promised.
pub trait UpdateSlots {
    /// Erases the inactive slot's sector at `offset` (a multiple of [`SECTOR`]) to 0xFF.
    fn erase(&mut self, offset: u32) -> Result<(), SlotError>;
    /// Writes `data` at `offset` of the inactive slot: `offset` and the length are multiples of [`WORD`], and the
    /// sectors written were erased by [`UpdateSlots::erase`] since the update began.
    fn write(&mut self, offset: u32, data: &[u8]) -> Result<(), SlotError>;
    /// Makes the inactive slot, holding an image of `size` bytes, boot next, unconfirmed: [`Otadata::activate`]
    /// (`esp_ota_set_boot_partition` with rollback: the next seq, state NEW).
    fn activate(&mut self, size: u32) -> Result<(), SlotError>;
    /// The running image reached the host: confirm it ([`Otadata::mark_valid`],
    /// `esp_ota_mark_app_valid_cancel_rollback`); nothing to do when it is confirmed already.
    fn mark_valid(&mut self) -> Result<(), SlotError>;
}
