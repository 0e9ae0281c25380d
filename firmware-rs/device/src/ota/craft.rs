//! Small valid ESP app images built from scratch, laid out as espflash lays them out: for the tests, the fuzz
//! seeds and the simulator's own checks, so none of them needs a firmware build.

use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use super::image::{APP_DESC_MAGIC, IMAGE_MAGIC};

/// What to put in a crafted image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Craft<'a> {
    /// The ESP-IDF chip id.
    pub chip_id: u16,
    /// The app descriptor's version.
    pub version: &'a str,
    /// Bytes of the first (DROM, descriptor-carrying) segment after the descriptor; rounded up to 4.
    pub extra: usize,
    /// Further segments (loaded into RAM, never mapped), by length; each rounded up to 4.
    pub segments: &'a [usize],
    /// Whether to append the SHA-256.
    pub hash_appended: bool,
}

impl Default for Craft<'_> {
    fn default() -> Self {
        Self { chip_id: super::image::CHIP_ID_ESP32C3, version: "0.1.0", extra: 64, segments: &[256], hash_appended: true }
    }
}

/// Builds the image: header, a DROM segment at 0x3C00_0020 holding `esp_app_desc_t` (the data then starts at
/// image offset 0x20, matching the address within its 64 KiB page, as the bootloader wants), the RAM segments,
/// the checksum padding and, when asked, the SHA-256.
pub fn image(craft: &Craft<'_>) -> Vec<u8> {
    let round = |len: usize| len.div_ceil(4) * 4;
    let mut desc = alloc::vec![0u8; 256];
    desc[0..4].copy_from_slice(&APP_DESC_MAGIC.to_le_bytes());
    let version = craft.version.as_bytes();
    desc[16..16 + version.len().min(31)].copy_from_slice(&version[..version.len().min(31)]);
    desc[48..55].copy_from_slice(b"sysboy\0");
    let mut first = desc;
    first.extend((0..round(craft.extra)).map(|i| (i * 7 + 3) as u8));
    let mut segments: Vec<(u32, Vec<u8>)> = alloc::vec![(0x3C00_0020, first)];
    for (index, &len) in craft.segments.iter().enumerate() {
        let data = (0..round(len)).map(|i| (i * 13 + index * 31 + 1) as u8).collect();
        segments.push((0x4038_0000 + index as u32 * 0x1_0000, data));
    }
    // Magic, segment count, DIO, 80 MHz and 4 MB.
    let mut out = alloc::vec![IMAGE_MAGIC, segments.len() as u8, 2, 0x2F];
    out.extend_from_slice(&0x4038_0080u32.to_le_bytes());
    out.extend_from_slice(&[0xEE, 0, 0, 0]);
    out.extend_from_slice(&craft.chip_id.to_le_bytes());
    out.push(0); // min_chip_rev
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0xFFFFu16.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.push(u8::from(craft.hash_appended));
    let mut checksum = 0xEFu8;
    for (address, data) in &segments {
        out.extend_from_slice(&address.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
        checksum = data.iter().fold(checksum, |sum, byte| sum ^ byte);
    }
    let padded = (out.len() + 1).div_ceil(16) * 16;
    out.resize(padded - 1, 0);
    out.push(checksum);
    if craft.hash_appended {
        let digest: [u8; 32] = Sha256::digest(&out).into();
        out.extend_from_slice(&digest);
    }
    out
}

/// The SHA-256 of `bytes` in lowercase hex, as an offer carries it.
pub fn sha256_hex(bytes: &[u8]) -> alloc::string::String {
    Sha256::digest(bytes).iter().map(|byte| alloc::format!("{byte:02x}")).collect()
}
