//! What the fuzz targets share: splitting one input into several messages, a server's (unmasked) WebSocket frame,
//! and NOR flash in RAM for the settings store.

use embedded_storage_async::nor_flash::{ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash};
use sysboy_device::ws::{encode_frame, Opcode};

/// Splits `data` into messages, each a 2-byte big-endian length then that many bytes (the last one takes what is
/// left), so one input can drive a server or a parser through a sequence.
pub fn messages(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = data;
    core::iter::from_fn(move || {
        let (&[high, low], tail) = rest.split_first_chunk::<2>()?;
        let len = usize::from(u16::from_be_bytes([high, low])).min(tail.len());
        let (message, after) = tail.split_at(len);
        rest = after;
        Some(message)
    })
}

/// A final frame as a server sends it (RFC 6455 §5.1: never masked): the device's own encoder with a zero mask,
/// less the mask bit and key.
pub fn server_frame(opcode: Opcode, payload: &[u8]) -> Vec<u8> {
    let mut masked = vec![0u8; payload.len() + 14];
    let len = encode_frame(opcode, payload, [0; 4], &mut masked).expect("the buffer holds the frame");
    let header = len - payload.len() - 4;
    let mut frame = masked[..header].to_vec();
    frame[1] &= 0x7f;
    frame.extend_from_slice(payload);
    frame
}

/// The erase page of [`RamFlash`], as on the ESP32's flash.
pub const PAGE: usize = 4096;

/// NOR flash in RAM: erased bytes read 0xFF and a write can only clear bits, as on the chip.
pub struct RamFlash {
    /// The contents.
    pub bytes: Vec<u8>,
}

/// An access outside the flash or not aligned to its words.
#[derive(Debug)]
pub struct RamFlashError(NorFlashErrorKind);

impl NorFlashError for RamFlashError {
    fn kind(&self) -> NorFlashErrorKind {
        self.0
    }
}

impl RamFlash {
    fn range(&self, offset: u32, len: usize, align: usize) -> Result<core::ops::Range<usize>, RamFlashError> {
        let start = offset as usize;
        if start % align != 0 || len % align != 0 {
            return Err(RamFlashError(NorFlashErrorKind::NotAligned));
        }
        let end = start.checked_add(len).filter(|&end| end <= self.bytes.len());
        end.map(|end| start..end).ok_or(RamFlashError(NorFlashErrorKind::OutOfBounds))
    }
}

impl ErrorType for RamFlash {
    type Error = RamFlashError;
}

impl ReadNorFlash for RamFlash {
    const READ_SIZE: usize = 4;

    async fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        let range = self.range(offset, bytes.len(), Self::READ_SIZE)?;
        bytes.copy_from_slice(&self.bytes[range]);
        Ok(())
    }

    fn capacity(&self) -> usize {
        self.bytes.len()
    }
}

impl NorFlash for RamFlash {
    const WRITE_SIZE: usize = 4;
    const ERASE_SIZE: usize = PAGE;

    async fn erase(&mut self, from: u32, to: u32) -> Result<(), Self::Error> {
        let len = (to as usize).checked_sub(from as usize).ok_or(RamFlashError(NorFlashErrorKind::OutOfBounds))?;
        let range = self.range(from, len, Self::ERASE_SIZE)?;
        self.bytes[range].fill(0xff);
        Ok(())
    }

    async fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        let range = self.range(offset, bytes.len(), Self::WRITE_SIZE)?;
        for (cell, byte) in self.bytes[range].iter_mut().zip(bytes) {
            *cell &= byte;
        }
        Ok(())
    }
}
