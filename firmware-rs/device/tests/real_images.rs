//! The image check on the firmware's real app images that `scripts/firmware-build.sh` writes to target/firmware
//! (`sysboy-<chip>-app.bin`, and the first app partition of the merged `sysboy-<chip>.bin`, found in its partition
//! table at 0x8000): they must pass as the bootloader checks them, with the right chip and a version.
//! Ignored by a plain `cargo test`, which has no images (the crafted images in the unit tests cover the format);
//! `npm test` runs it with `--ignored` right after the firmware build, and it fails when an image is missing. The
//! end-to-end test tests/sim-ota.test.ts boots the same images in the simulator.

use std::path::PathBuf;

use sysboy_device::ota::image::{check, CHIP_ID_ESP32C3, CHIP_ID_ESP32C6};

/// Where the partition table sits in the merged image.
const TABLE: usize = 0x8000;

/// The image `name` in target/firmware; panics, saying what makes it, when it cannot be read.
fn firmware(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../target/firmware/{name}"));
    std::fs::read(&path).unwrap_or_else(|error| {
        panic!("{}: {error}; scripts/firmware-build.sh writes the images this test checks", path.display())
    })
}

/// The first app partition's offset in a merged image (entries: magic 0x50AA, type 0 = app, offset).
fn app_offset(merged: &[u8]) -> usize {
    merged[TABLE..TABLE + 0xC00]
        .chunks(32)
        .take_while(|entry| entry[..2] == [0xAA, 0x50])
        .find(|entry| entry[2] == 0)
        .map(|entry| u32::from_le_bytes([entry[4], entry[5], entry[6], entry[7]]) as usize)
        .expect("the partition table has an app partition")
}

#[test]
#[ignore = "needs the images scripts/firmware-build.sh writes; npm test runs it after the firmware build"]
fn the_built_app_images_pass_the_bootloader_checks() {
    for (chip, id) in [("esp32c3", CHIP_ID_ESP32C3), ("esp32c6", CHIP_ID_ESP32C6)] {
        let merged = firmware(&format!("sysboy-{chip}.bin"));
        let at = app_offset(&merged);
        let info = check(&merged[at..], Some(id)).unwrap_or_else(|error| panic!("{chip}: {error}"));
        assert!(!info.version.is_empty(), "{chip}: the app descriptor carries a version");
        assert_eq!(at + info.len as usize, merged.len(), "{chip}: the merged image ends with the app");
        let app = firmware(&format!("sysboy-{chip}-app.bin"));
        assert_eq!(check(&app, Some(id)).unwrap_or_else(|error| panic!("{chip} app: {error}")), info);
        eprintln!("{chip}: app image {} bytes, version {}, project {}, {} segments", info.len, info.version, info.project, info.segments);
    }
}
