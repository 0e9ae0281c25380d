//! The simulated flash: a NOR flash held in a file, with the rules of the real part (erase sets a whole sector
//! to 0xFF, a write can only clear bits), so the settings store meets the same constraints as on the ESP32.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use embedded_storage_async::nor_flash::{ErrorType, MultiwriteNorFlash, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash};

/// The ESP32's flash sector.
pub const SECTOR: usize = 4096;

/// Why a flash operation was refused or failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashError {
    /// An offset or length not on the required boundary.
    NotAligned,
    /// An access past the end of the flash.
    OutOfBounds,
    /// The backing file could not be written.
    Io,
}

impl NorFlashError for FlashError {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            Self::NotAligned => NorFlashErrorKind::NotAligned,
            Self::OutOfBounds => NorFlashErrorKind::OutOfBounds,
            Self::Io => NorFlashErrorKind::Other,
        }
    }
}

/// A NOR flash of whole sectors kept in memory and written through to a file.
pub struct FileFlash {
    file: File,
    contents: Vec<u8>,
}

impl FileFlash {
    /// Opens the first `sectors` sectors of `path` as a flash (the settings partition); a missing or short file
    /// is filled with erased bytes, and what the file holds past them (the app slots, see `ota.rs`) is left alone.
    pub fn open(path: &Path, sectors: usize) -> io::Result<Self> {
        let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)?;
        let size = sectors * SECTOR;
        // Exactly the flash's size, so the heap figures can leave out this image, which the ESP32 keeps in flash.
        let mut contents = Vec::with_capacity(size);
        (&mut file).take(size as u64).read_to_end(&mut contents)?;
        if contents.len() != size {
            contents.resize(size, 0xFF);
            file.seek(SeekFrom::Start(0))?;
            file.write_all(&contents)?;
            file.sync_data()?;
        }
        Ok(Self { file, contents })
    }

    fn range(&self, offset: u32, len: usize, align: usize) -> Result<std::ops::Range<usize>, FlashError> {
        let start = offset as usize;
        if !start.is_multiple_of(align) || !len.is_multiple_of(align) {
            return Err(FlashError::NotAligned);
        }
        let end = start.checked_add(len).filter(|&end| end <= self.contents.len()).ok_or(FlashError::OutOfBounds)?;
        Ok(start..end)
    }

    fn persist(&mut self, range: std::ops::Range<usize>) -> Result<(), FlashError> {
        let written = self
            .file
            .seek(SeekFrom::Start(range.start as u64))
            .and_then(|_| self.file.write_all(&self.contents[range]))
            .and_then(|()| self.file.sync_data());
        written.map_err(|error| {
            log::error!("flash: cannot write the backing file: {error}");
            FlashError::Io
        })
    }
}

impl ErrorType for FileFlash {
    type Error = FlashError;
}

impl ReadNorFlash for FileFlash {
    const READ_SIZE: usize = 1;

    async fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        let range = self.range(offset, bytes.len(), Self::READ_SIZE)?;
        bytes.copy_from_slice(&self.contents[range]);
        Ok(())
    }

    fn capacity(&self) -> usize {
        self.contents.len()
    }
}

impl NorFlash for FileFlash {
    const WRITE_SIZE: usize = 4;
    const ERASE_SIZE: usize = SECTOR;

    async fn erase(&mut self, from: u32, to: u32) -> Result<(), Self::Error> {
        if to < from {
            return Err(FlashError::OutOfBounds);
        }
        let range = self.range(from, (to - from) as usize, Self::ERASE_SIZE)?;
        self.contents[range.clone()].fill(0xFF);
        self.persist(range)
    }

    async fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        let range = self.range(offset, bytes.len(), Self::WRITE_SIZE)?;
        // NOR programming only pulls bits to 0.
        for (cell, byte) in self.contents[range.clone()].iter_mut().zip(bytes) {
            *cell &= byte;
        }
        self.persist(range)
    }
}

// Writing a word twice is allowed because programming only ANDs, as on the ESP32's SPI flash.
impl MultiwriteNorFlash for FileFlash {}

#[cfg(test)]
mod tests {
    use super::*;

    // The file flash never pends, so one poll finishes every operation.
    fn block_on<F: core::future::Future>(future: F) -> F::Output {
        use core::task::{Context, Poll, Waker};
        let mut future = core::pin::pin!(future);
        match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(output) => output,
            Poll::Pending => panic!("the file flash never pends"),
        }
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("sysboy-sim-flash-{name}-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        path
    }

    #[test]
    fn a_new_flash_is_erased_and_writes_only_clear_bits() {
        let path = scratch("clear");
        let mut flash = FileFlash::open(&path, 2).unwrap();
        let mut word = [0u8; 4];
        block_on(flash.read(4096, &mut word)).unwrap();
        assert_eq!(word, [0xFF; 4]);
        block_on(flash.write(4096, &[0x0F, 0xF0, 0xFF, 0x00])).unwrap();
        block_on(flash.write(4096, &[0xF3, 0xFF, 0x0F, 0xFF])).unwrap();
        block_on(flash.read(4096, &mut word)).unwrap();
        assert_eq!(word, [0x03, 0xF0, 0x0F, 0x00]);
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn contents_survive_a_reopen_and_erase_restores_ones() {
        let path = scratch("reopen");
        let mut flash = FileFlash::open(&path, 2).unwrap();
        block_on(flash.write(8, b"sysb")).unwrap();
        drop(flash);
        let mut flash = FileFlash::open(&path, 2).unwrap();
        let mut word = [0u8; 4];
        block_on(flash.read(8, &mut word)).unwrap();
        assert_eq!(&word, b"sysb");
        block_on(flash.erase(0, 4096)).unwrap();
        block_on(flash.read(8, &mut word)).unwrap();
        assert_eq!(word, [0xFF; 4]);
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn misaligned_and_out_of_range_accesses_are_refused() {
        let path = scratch("bounds");
        let mut flash = FileFlash::open(&path, 1).unwrap();
        assert_eq!(block_on(flash.write(2, &[0; 4])), Err(FlashError::NotAligned));
        assert_eq!(block_on(flash.erase(0, 100)), Err(FlashError::NotAligned));
        assert_eq!(block_on(flash.write(4096, &[0; 4])), Err(FlashError::OutOfBounds));
        std::fs::remove_file(path).unwrap();
    }
}
