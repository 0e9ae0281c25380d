//! The ESP app image check: the bytes an app partition holds, checked as the ESP-IDF bootloader checks them before
//! it boots them, fed in any pieces (a download, a slot read back in chunks) and never held whole.
//!
//! The format and the checks, from ESP-IDF (`espressif/esp-idf`):
//! - `components/bootloader_support/include/esp_app_format.h`: the 24-byte `esp_image_header_t` (magic `0xE9`,
//!   `segment_count`, `chip_id` at byte 12 of the "extended header", `hash_appended` at byte 23), the chip ids
//!   (`ESP_CHIP_ID_ESP32C3 = 0x0005`, `ESP_CHIP_ID_ESP32C6 = 0x000D`), the 8-byte `esp_image_segment_header_t`
//!   (`load_addr`, `data_len`), `ESP_IMAGE_MAX_SEGMENTS 16`, and `esp_app_desc_t` (magic `0xABCD5432`, then
//!   `secure_version`, two reserved words, `version[32]`, `project_name[32]`, ...).
//! - `components/bootloader_support/src/esp_image_format.c`: `verify_image_header` (the magic, the chip through
//!   `bootloader_common_check_chip_validity`, at most 16 segments), `verify_segment_header` (a length that is a
//!   multiple of 4 and under 16 MiB; a segment the flash cache maps must sit at the same offset modulo the 64 KiB
//!   MMU page in flash as in the address space), `process_segment_data` (the checksum XORs every word of segment
//!   data, starting from `ESP_ROM_CHECKSUM_INITIAL 0xEF`), `process_checksum` (the checksum byte is the last byte of
//!   the padding that brings the image to a multiple of 16 bytes), `process_appended_hash` and `verify_simple_hash`
//!   (with `hash_appended`, a SHA-256 of every byte before it follows), and the image's length within its partition.
//! - `components/app_update/esp_ota_ops.c`, `esp_ota_get_partition_description`: the app descriptor is the first
//!   thing in the first segment, right after the image and segment headers (offset 32), and is found by its magic.
//!
//! What the bootloader checks that this does not: the chip revision range (`min_chip_rev_full`/`max_chip_rev_full`
//! against the eFuses, which only the board can read), load addresses against the bootloader's own RAM, and secure
//! boot signatures (not used here).

use alloc::string::String;
use core::fmt;

use sha2::{Digest, Sha256};

/// `ESP_IMAGE_HEADER_MAGIC`.
pub const IMAGE_MAGIC: u8 = 0xE9;
/// `ESP_APP_DESC_MAGIC_WORD`.
pub const APP_DESC_MAGIC: u32 = 0xABCD_5432;
/// `ESP_IMAGE_MAX_SEGMENTS`.
pub const MAX_SEGMENTS: u8 = 16;
/// `ESP_CHIP_ID_ESP32`.
pub const CHIP_ID_ESP32: u16 = 0x0000;
/// `ESP_CHIP_ID_ESP32C3`.
pub const CHIP_ID_ESP32C3: u16 = 0x0005;
/// `ESP_CHIP_ID_ESP32C6`.
pub const CHIP_ID_ESP32C6: u16 = 0x000D;
/// `sizeof(esp_image_header_t)`.
pub const HEADER_LEN: usize = 24;
/// `sizeof(esp_image_segment_header_t)`.
pub const SEGMENT_HEADER_LEN: usize = 8;
/// `ESP_ROM_CHECKSUM_INITIAL`.
const CHECKSUM_INITIAL: u8 = 0xEF;
/// The bootloader refuses segments (and partitions) of 16 MiB or more.
const SIXTEEN_MB: u32 = 0x0100_0000;
/// The flash cache's MMU page: a mapped segment's flash offset and address agree modulo this.
const MMU_PAGE: u32 = 0x1_0000;
/// The bytes of `esp_app_desc_t` read: magic, secure_version, reserv1[2], version[32], project_name[32].
const APP_DESC_READ: usize = 80;
/// SHA-256 digest length.
pub const HASH_LEN: usize = 32;

/// The ESP-IDF chip id an image for this board carries; `None` for the simulator, which has no image of its own.
pub fn chip_id(chip: sysboy_protocol::Chip) -> Option<u16> {
    match chip {
        sysboy_protocol::Chip::Esp32c3 => Some(CHIP_ID_ESP32C3),
        sysboy_protocol::Chip::Esp32c6 => Some(CHIP_ID_ESP32C6),
        sysboy_protocol::Chip::Esp32 => Some(CHIP_ID_ESP32),
        sysboy_protocol::Chip::Sim => None,
    }
}

/// Whether the flash cache maps `address` (instruction or data ROM) on the C3 and C6: `should_map` in
/// esp_image_format.c with the chips' `SOC_IROM_*`/`SOC_DROM_*` (C3: DROM 0x3C00_0000.., IROM 0x4200_0000..;
/// C6: IROM 0x4200_0000.., DROM 0x4280_0000..).
fn mapped(address: u32) -> bool {
    (0x3C00_0000..0x3C80_0000).contains(&address) || (0x4200_0000..0x4300_0000).contains(&address)
}

/// Why an image is refused; each names what the bootloader would have said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageError {
    /// The first byte is not `0xE9` (an erased or foreign slot).
    BadMagic(u8),
    /// The image is built for another chip.
    WrongChip {
        /// The header's chip id.
        found: u16,
        /// The board's.
        expected: u16,
    },
    /// More segments than `ESP_IMAGE_MAX_SEGMENTS`, or none (then there is no app descriptor).
    SegmentCount(u8),
    /// A segment's length is not a multiple of 4, or is 16 MiB or more.
    SegmentLength {
        /// Segment index.
        index: u8,
        /// Its `data_len`.
        len: u32,
    },
    /// A segment the cache maps does not sit at its address's offset in the 64 KiB MMU page.
    SegmentMapping {
        /// Segment index.
        index: u8,
        /// Its load address.
        address: u32,
        /// Where its data starts in the image.
        offset: u32,
    },
    /// The first segment does not start with an app descriptor (`0xABCD5432`).
    NoAppDescriptor,
    /// The app descriptor's version is not a NUL-terminated UTF-8 string.
    BadVersion,
    /// The image is longer than the slot it must fit.
    TooLong {
        /// Bytes the image needs so far.
        len: u32,
        /// Bytes of the slot.
        max: u32,
    },
    /// The XOR checksum byte does not match the segments.
    Checksum {
        /// Calculated.
        calculated: u8,
        /// Read from the image.
        read: u8,
    },
    /// The appended SHA-256 does not match the image.
    AppendedHash,
    /// The bytes ended before the image did.
    Truncated {
        /// Bytes given.
        len: u32,
    },
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::BadMagic(byte) => write!(f, "not an app image (first byte 0x{byte:02x}, not 0xe9)"),
            Self::WrongChip { found, expected } => {
                write!(f, "the image is for chip id {found} ({}), this board is {expected} ({})", chip_name(found), chip_name(expected))
            }
            Self::SegmentCount(count) => write!(f, "{count} segments (an app image has 1 to {MAX_SEGMENTS})"),
            Self::SegmentLength { index, len } => write!(f, "segment {index} is {len} bytes (not a multiple of 4, or 16 MiB or more)"),
            Self::SegmentMapping { index, address, offset } => {
                write!(f, "segment {index} at 0x{address:08x} starts at image offset 0x{offset:x}: not the same place in the 64 KiB page")
            }
            Self::NoAppDescriptor => f.write_str("the first segment holds no app descriptor (magic 0xabcd5432)"),
            Self::BadVersion => f.write_str("the app descriptor's version is not a terminated UTF-8 string"),
            Self::TooLong { len, max } => write!(f, "the image needs {len} bytes, the slot holds {max}"),
            Self::Checksum { calculated, read } => write!(f, "checksum failed: calculated 0x{calculated:02x}, read 0x{read:02x}"),
            Self::AppendedHash => f.write_str("the appended SHA-256 does not match: the image is corrupt"),
            Self::Truncated { len } => write!(f, "the image ends early, after {len} bytes"),
        }
    }
}

impl core::error::Error for ImageError {}

/// The chip an ESP-IDF chip id names, for messages.
pub fn chip_name(id: u16) -> &'static str {
    match id {
        CHIP_ID_ESP32 => "esp32",
        0x0002 => "esp32s2",
        CHIP_ID_ESP32C3 => "esp32c3",
        0x0009 => "esp32s3",
        0x000C => "esp32c2",
        CHIP_ID_ESP32C6 => "esp32c6",
        0x0010 => "esp32h2",
        _ => "unknown",
    }
}

/// What a checked image is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// The header's chip id.
    pub chip_id: u16,
    /// The entry point.
    pub entry: u32,
    /// How many segments.
    pub segments: u8,
    /// Bytes of the whole image: headers, segments, padding and checksum, and the appended hash if any.
    pub len: u32,
    /// The app descriptor's version (what the board reports as its firmware).
    pub version: String,
    /// The app descriptor's project name.
    pub project: String,
    /// Whether a SHA-256 was appended (and matched).
    pub hash_appended: bool,
    /// SHA-256 of all `len` bytes, as a host computes it over the file.
    pub sha256: [u8; HASH_LEN],
}

/// Where the checker is in the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Header,
    SegmentHeader { index: u8 },
    SegmentData { index: u8, left: u32 },
    /// The padding up to the checksum byte (`left` bytes, the last of them the checksum).
    Checksum { left: u32 },
    Hash { left: u32 },
    Done,
}

/// Checks an app image fed in pieces of any size, as the bootloader's `image_load` does over flash.
///
/// ```
/// use sysboy_device::ota::image::{ImageChecker, CHIP_ID_ESP32C3};
/// let mut checker = ImageChecker::new(Some(CHIP_ID_ESP32C3), 0x18_0000);
/// assert!(checker.feed(&[0xFF; 24]).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct ImageChecker {
    expected_chip: Option<u16>,
    max_len: u32,
    part: Part,
    /// Bytes of the image taken so far.
    offset: u32,
    /// The header or segment header being read.
    head: [u8; HEADER_LEN],
    head_len: usize,
    header: [u8; HEADER_LEN],
    desc: [u8; APP_DESC_READ],
    desc_len: usize,
    checksum: u8,
    read_checksum: u8,
    hasher: Sha256,
    /// The hash of every byte before the appended one, kept when it starts.
    before_hash: Option<[u8; HASH_LEN]>,
    appended: [u8; HASH_LEN],
    appended_len: usize,
}

impl ImageChecker {
    /// A checker for an image of chip `expected_chip` (any chip when `None`) that must fit `max_len` bytes.
    pub fn new(expected_chip: Option<u16>, max_len: u32) -> Self {
        Self {
            expected_chip,
            max_len,
            part: Part::Header,
            offset: 0,
            head: [0; HEADER_LEN],
            head_len: 0,
            header: [0; HEADER_LEN],
            desc: [0; APP_DESC_READ],
            desc_len: 0,
            checksum: CHECKSUM_INITIAL,
            read_checksum: 0,
            hasher: Sha256::new(),
            before_hash: None,
            appended: [0; HASH_LEN],
            appended_len: 0,
        }
    }

    /// Takes the next bytes of the image; returns how many belong to it (fewer than given once it has ended). A
    /// refusal here is final: the bytes can never make a bootable image.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<usize, ImageError> {
        let mut used = 0;
        while used < bytes.len() && self.part != Part::Done {
            // One byte past the slot is enough to know the image does not fit.
            let room = (self.max_len - self.offset) as usize + 1;
            let input = &bytes[used..];
            let taken = self.step(&input[..input.len().min(room)])?;
            self.hasher.update(&bytes[used..used + taken]);
            used += taken;
            self.offset += taken as u32;
            if self.offset > self.max_len {
                return Err(ImageError::TooLong { len: self.offset, max: self.max_len });
            }
        }
        Ok(used)
    }

    /// Whether the image has ended (every byte it needs was fed).
    pub fn is_done(&self) -> bool {
        self.part == Part::Done
    }

    /// Bytes of the image taken so far.
    pub fn len(&self) -> u32 {
        self.offset
    }

    /// Whether nothing was taken yet.
    pub fn is_empty(&self) -> bool {
        self.offset == 0
    }

    /// The last checks (checksum, appended hash) once every byte is in, and what the image is.
    pub fn finish(self) -> Result<ImageInfo, ImageError> {
        if self.part != Part::Done {
            return Err(ImageError::Truncated { len: self.offset });
        }
        if self.checksum != self.read_checksum {
            return Err(ImageError::Checksum { calculated: self.checksum, read: self.read_checksum });
        }
        let hash_appended = self.header[23] != 0;
        if hash_appended && self.before_hash != Some(self.appended) {
            return Err(ImageError::AppendedHash);
        }
        let version = c_string(&self.desc[16..48]).ok_or(ImageError::BadVersion)?;
        let project = c_string(&self.desc[48..80]).unwrap_or_default();
        Ok(ImageInfo {
            chip_id: u16::from_le_bytes([self.header[12], self.header[13]]),
            entry: u32::from_le_bytes([self.header[4], self.header[5], self.header[6], self.header[7]]),
            segments: self.header[1],
            len: self.offset,
            version,
            project,
            hash_appended,
            sha256: self.hasher.finalize().into(),
        })
    }

    /// Takes what the current part needs from `bytes`; returns how many.
    fn step(&mut self, bytes: &[u8]) -> Result<usize, ImageError> {
        match self.part {
            Part::Header => {
                let taken = self.gather(bytes, HEADER_LEN);
                if self.head_len == HEADER_LEN {
                    self.header = self.head;
                    self.head_len = 0;
                    self.check_header()?;
                    self.part = Part::SegmentHeader { index: 0 };
                }
                Ok(taken)
            }
            Part::SegmentHeader { index } => {
                let taken = self.gather(bytes, SEGMENT_HEADER_LEN);
                if self.head_len == SEGMENT_HEADER_LEN {
                    self.head_len = 0;
                    let address = u32::from_le_bytes([self.head[0], self.head[1], self.head[2], self.head[3]]);
                    let len = u32::from_le_bytes([self.head[4], self.head[5], self.head[6], self.head[7]]);
                    // The data starts right after this header.
                    let data_offset = self.offset + taken as u32;
                    if !len.is_multiple_of(4) || len >= SIXTEEN_MB {
                        return Err(ImageError::SegmentLength { index, len });
                    }
                    if mapped(address) && data_offset % MMU_PAGE != address % MMU_PAGE {
                        return Err(ImageError::SegmentMapping { index, address, offset: data_offset });
                    }
                    if index == 0 && (len as usize) < APP_DESC_READ {
                        return Err(ImageError::NoAppDescriptor);
                    }
                    self.part = Part::SegmentData { index, left: len };
                    if len == 0 {
                        self.next_segment(index, data_offset)?;
                    }
                }
                Ok(taken)
            }
            Part::SegmentData { index, left } => {
                let taken = bytes.len().min(left as usize);
                for &byte in &bytes[..taken] {
                    self.checksum ^= byte;
                }
                if index == 0 && self.desc_len < APP_DESC_READ {
                    let wanted = (APP_DESC_READ - self.desc_len).min(taken);
                    self.desc[self.desc_len..self.desc_len + wanted].copy_from_slice(&bytes[..wanted]);
                    self.desc_len += wanted;
                    if self.desc_len == APP_DESC_READ && u32::from_le_bytes([self.desc[0], self.desc[1], self.desc[2], self.desc[3]]) != APP_DESC_MAGIC {
                        return Err(ImageError::NoAppDescriptor);
                    }
                }
                let left = left - taken as u32;
                self.part = Part::SegmentData { index, left };
                if left == 0 {
                    self.next_segment(index, self.offset + taken as u32)?;
                }
                Ok(taken)
            }
            Part::Checksum { left } => {
                let taken = bytes.len().min(left as usize);
                let left = left - taken as u32;
                if left == 0 {
                    self.read_checksum = bytes[taken - 1];
                    self.part = if self.header[23] != 0 { Part::Hash { left: HASH_LEN as u32 } } else { Part::Done };
                } else {
                    self.part = Part::Checksum { left };
                }
                Ok(taken)
            }
            Part::Hash { left } => {
                if self.before_hash.is_none() {
                    // `verify_simple_hash` hashes everything before the digest; the file's hash goes on past it.
                    self.before_hash = Some(self.hasher.clone().finalize().into());
                }
                let taken = bytes.len().min(left as usize);
                self.appended[self.appended_len..self.appended_len + taken].copy_from_slice(&bytes[..taken]);
                self.appended_len += taken;
                let left = left - taken as u32;
                self.part = if left == 0 { Part::Done } else { Part::Hash { left } };
                Ok(taken)
            }
            Part::Done => Ok(0),
        }
    }

    /// Copies into the header buffer up to `len` bytes; returns how many were taken.
    fn gather(&mut self, bytes: &[u8], len: usize) -> usize {
        let taken = (len - self.head_len).min(bytes.len());
        self.head[self.head_len..self.head_len + taken].copy_from_slice(&bytes[..taken]);
        self.head_len += taken;
        taken
    }

    fn check_header(&self) -> Result<(), ImageError> {
        if self.header[0] != IMAGE_MAGIC {
            return Err(ImageError::BadMagic(self.header[0]));
        }
        let found = u16::from_le_bytes([self.header[12], self.header[13]]);
        if let Some(expected) = self.expected_chip.filter(|&expected| expected != found) {
            return Err(ImageError::WrongChip { found, expected });
        }
        let count = self.header[1];
        if count == 0 || count > MAX_SEGMENTS {
            return Err(ImageError::SegmentCount(count));
        }
        Ok(())
    }

    /// After segment `index`, which ends at image offset `after`: the next segment's header, or the checksum's
    /// padding.
    fn next_segment(&mut self, index: u8, after: u32) -> Result<(), ImageError> {
        if index == 0 && self.desc_len < APP_DESC_READ {
            return Err(ImageError::NoAppDescriptor);
        }
        self.part = if index + 1 < self.header[1] {
            Part::SegmentHeader { index: index + 1 }
        } else {
            // `process_checksum`: one byte for the checksum, padded to the next 16-byte boundary.
            let padded = (after + 1 + 15) & !15;
            Part::Checksum { left: padded - after }
        };
        Ok(())
    }
}

/// A NUL-terminated string from a fixed field; `None` when it is not terminated or not UTF-8.
fn c_string(field: &[u8]) -> Option<String> {
    let end = field.iter().position(|&byte| byte == 0)?;
    core::str::from_utf8(&field[..end]).ok().map(String::from)
}

/// Checks a whole image held in `bytes` (a slot's contents may run on past it); see [`ImageChecker`].
pub fn check(bytes: &[u8], expected_chip: Option<u16>) -> Result<ImageInfo, ImageError> {
    let max = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    let mut checker = ImageChecker::new(expected_chip, max);
    checker.feed(bytes)?;
    checker.finish()
}
