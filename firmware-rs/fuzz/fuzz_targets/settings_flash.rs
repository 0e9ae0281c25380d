//! Settings read back from any flash contents: a load never fails and gives settings that keep their rules, the
//! same twice over; and what it gives, saved, loads back the same. The first byte picks how the rest reaches the
//! store: as the raw flash (a corrupt store), or as the data of a settings record or of a first-format record that
//! passed its CRC (a record of this format, another version, or garbage).
#![no_main]

use embassy_futures::block_on;
use libfuzzer_sys::fuzz_target;
use sequential_storage::cache::{Cache, Uncached};
use sequential_storage::map::{MapConfig, MapStorage};
use sysboy_device::settings::{Loaded, SettingsStore, BUFFER_LEN};
use sysboy_fuzz::{RamFlash, PAGE};

const PAGES: usize = 4;
/// The settings record's key, then the first format's network and calibration keys.
const KEYS: [u8; 4] = [2, 1, 0x10, 0x13];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let range = 0..(PAGE * PAGES) as u32;
    let flash = match mode % 5 {
        0 => {
            let mut bytes = vec![0xff; PAGE * PAGES];
            // The input fills the flash from a page boundary the mode picks, the rest reads erased.
            let at = usize::from(mode / 5) % PAGES * PAGE;
            let len = rest.len().min(bytes.len() - at);
            bytes[at..at + len].copy_from_slice(&rest[..len]);
            RamFlash { bytes }
        }
        key => {
            let cache: Cache<Uncached, Uncached, Uncached, u8> = Cache::new_uncached();
            let mut map = MapStorage::new(RamFlash { bytes: vec![0xff; PAGE * PAGES] }, MapConfig::new(range.clone()), cache);
            let mut buffer = [0u8; BUFFER_LEN];
            // Records too big for a page are refused by the map, and the flash stays blank.
            let _ = block_on(map.store_item(&mut buffer, &KEYS[usize::from(key) - 1], &rest));
            map.destroy().0
        }
    };
    let mut store = SettingsStore::new(flash, range.clone()).expect("whole pages");
    let mut buffer = [0u8; BUFFER_LEN];
    let first = block_on(store.load(&mut buffer));
    assert!(first.settings.is_valid(), "loaded settings that break a rule: {first:?}");
    let again = block_on(store.load(&mut buffer));
    assert_eq!(again, first, "a second load read something else");
    if block_on(store.save(&first.settings, &mut buffer)).is_ok() {
        let saved: Loaded = block_on(store.load(&mut buffer));
        assert_eq!(saved.settings, first.settings, "saved settings read back otherwise");
        assert!(saved.problems.is_empty(), "{:?}", saved.problems);
    }
});
