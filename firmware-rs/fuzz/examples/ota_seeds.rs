//! Writes the ota_image target's seeds (firmware-rs/fuzz/seeds/ota_image/) from the crafted images of
//! sysboy_device::ota::craft, in the target's input layout: piece size, flags, head length, head, body.
//! `cargo run --example ota_seeds` in firmware-rs/fuzz (capture.ts runs it with the other seeds).

use std::path::Path;

use sysboy_device::ota::craft::{self, Craft};
use sysboy_device::ota::image::CHIP_ID_ESP32C6;

/// One input: `piece` and `flags` as the target reads them, then the head and the body.
fn input(piece: u8, flags: u8, head: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = vec![piece, flags];
    out.extend_from_slice(&(head.len() as u16).to_be_bytes());
    out.extend_from_slice(head);
    out.extend_from_slice(body);
    out
}

fn partial(len: usize) -> Vec<u8> {
    format!("HTTP/1.1 206 Partial Content\r\nContent-Length: {len}\r\nContent-Range: bytes 0-{}/{len}\r\nConnection: close\r\n\r\n", len - 1).into_bytes()
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds").join("ota_image");
    std::fs::create_dir_all(&dir).expect("the seeds folder");
    let c3 = craft::image(&Craft { version: "0.1.1", ..Craft::default() });
    let plain = craft::image(&Craft { version: "0.1.1", hash_appended: false, ..Craft::default() });
    let several = craft::image(&Craft { version: "0.2.0", extra: 100, segments: &[300, 500, 64], ..Craft::default() });
    let c6 = craft::image(&Craft { chip_id: CHIP_ID_ESP32C6, version: "0.1.1", ..Craft::default() });
    // The target's slot is three 4 KiB sectors: one image spans two of them, one is too large for it.
    let spanning = craft::image(&Craft { version: "0.1.1", segments: &[2500, 3000], ..Craft::default() });
    let big = craft::image(&Craft { version: "0.1.1", segments: &[13_000], ..Craft::default() });
    let mut flipped = c3.clone();
    flipped[300] ^= 0x40;
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("c3-206", input(3, 2, &[], &c3)),
        ("c3-head", input(7, 3, &partial(c3.len()), &c3)),
        ("c3-200", input(255, 6, &[], &c3)),
        ("c3-no-hash", input(0, 2, &[], &plain)),
        ("c3-segments", input(16, 2, &[], &several)),
        ("c3-flipped", input(5, 2, &[], &flipped)),
        ("c3-other-sha", input(5, 0, &[], &c3)),
        ("c6-on-c3", input(5, 2, &[], &c6)),
        ("c3-two-sectors", input(90, 2, &[], &spanning)),
        ("c3-too-large", input(31, 2, &[], &big)),
        ("head-401", input(1, 1, b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", &c3)),
        ("head-416", input(1, 3, b"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */600\r\n\r\n", &c3)),
    ];
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).expect("a seed file");
    }
}
