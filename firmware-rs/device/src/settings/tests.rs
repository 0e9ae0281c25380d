//! Settings over an in-RAM NOR flash that behaves like the real one (writes only clear bits) and can lose power
//! part-way through a write.

extern crate std;

use alloc::string::String;
use alloc::vec::Vec;

use embassy_futures::block_on;
use embedded_storage_async::nor_flash::{ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash};
use proptest::prelude::*;
use sequential_storage::cache::{Cache, Uncached};
use sequential_storage::map::{MapConfig, MapStorage};
use sysboy_protocol::{Binding, CalibrationPoint};

use super::*;

const PAGE: usize = 4096;
const PAGES: usize = 4;

/// NOR flash in RAM: erased bytes are 0xFF, a write ANDs into them, and `budget` bytes can be written before
/// the power goes (the write that crosses it stops part-way). Other modules' tests keep their settings in it too.
pub(crate) struct RamFlash {
    bytes: Vec<u8>,
    budget: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RamFlashError {
    PowerCut,
    Misaligned,
}

impl NorFlashError for RamFlashError {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            Self::PowerCut => NorFlashErrorKind::Other,
            Self::Misaligned => NorFlashErrorKind::NotAligned,
        }
    }
}

impl RamFlash {
    pub(crate) fn new() -> Self {
        Self { bytes: alloc::vec![0xFF; PAGE * PAGES], budget: None }
    }
}

impl ErrorType for RamFlash {
    type Error = RamFlashError;
}

impl ReadNorFlash for RamFlash {
    const READ_SIZE: usize = 1;

    async fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        let start = offset as usize;
        bytes.copy_from_slice(self.bytes.get(start..start + bytes.len()).ok_or(RamFlashError::Misaligned)?);
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
        if !(from as usize).is_multiple_of(PAGE) || !(to as usize).is_multiple_of(PAGE) || to as usize > self.bytes.len() {
            return Err(RamFlashError::Misaligned);
        }
        if self.budget == Some(0) {
            return Err(RamFlashError::PowerCut);
        }
        self.bytes[from as usize..to as usize].fill(0xFF);
        Ok(())
    }

    async fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        let start = offset as usize;
        if !start.is_multiple_of(4) || !bytes.len().is_multiple_of(4) || start + bytes.len() > self.bytes.len() {
            return Err(RamFlashError::Misaligned);
        }
        let allowed = self.budget.map_or(bytes.len(), |budget| budget.min(bytes.len()));
        for (cell, byte) in self.bytes[start..start + allowed].iter_mut().zip(bytes) {
            *cell &= byte;
        }
        if let Some(budget) = &mut self.budget {
            *budget -= allowed;
            if allowed < bytes.len() {
                return Err(RamFlashError::PowerCut);
            }
        }
        Ok(())
    }
}

/// The whole of a [`RamFlash`], as a store's range.
pub(crate) fn range() -> core::ops::Range<u32> {
    0..(PAGE * PAGES) as u32
}

fn sample(ssid: &str) -> Settings {
    let points = |top: u16| alloc::vec![CalibrationPoint { percent: 0.0, code: 3 }, CalibrationPoint { percent: 100.0, code: top }];
    Settings {
        network: Network {
            wifi: Some(WifiCredentials { ssid: ssid.into(), password: "correct horse".into() }),
            host: Some("192.168.1.20:7777".into()),
            token: Some("tok_0123456789abcdef".into()),
            bindings: alloc::vec![Binding { output: "vu".into(), metric: "vram".into() }],
        },
        calibrations: alloc::vec![StoredCalibration { output: "vu".into(), current: points(1000), previous: Some(points(1023)) }],
    }
}

fn load(flash: RamFlash) -> (Loaded, RamFlash) {
    let mut store = SettingsStore::new(flash, range()).unwrap();
    let loaded = block_on(store.load(&mut [0u8; 1024]));
    (loaded, store.into_flash())
}

fn save(flash: RamFlash, settings: &Settings) -> (Result<(), SettingsError>, RamFlash) {
    let mut store = SettingsStore::new(flash, range()).unwrap();
    let result = block_on(store.save(settings, &mut [0u8; 1024]));
    (result, store.into_flash())
}

#[test]
fn a_blank_flash_gives_defaults_without_complaint() {
    let (loaded, _) = load(RamFlash::new());
    assert_eq!(loaded, Loaded { settings: Settings::default(), problems: Vec::new() });
}

#[test]
fn saved_settings_load_back() {
    let (result, flash) = save(RamFlash::new(), &sample("home"));
    result.unwrap();
    let (loaded, flash) = load(flash);
    assert_eq!(loaded.settings, sample("home"));
    assert!(loaded.problems.is_empty());
    let (result, flash) = save(flash, &sample("office"));
    result.unwrap();
    assert_eq!(load(flash).0.settings, sample("office"));
}

#[test]
fn fewer_calibrations_than_before_forget_the_extra_ones() {
    let mut two = sample("home");
    two.calibrations.push(StoredCalibration { output: "aux".into(), ..two.calibrations[0].clone() });
    let (_, flash) = save(RamFlash::new(), &two);
    let (_, flash) = save(flash, &sample("home"));
    let (loaded, _) = load(flash);
    assert_eq!(loaded.settings, sample("home"));
    assert!(loaded.problems.is_empty());
}

#[test]
fn a_garbage_store_falls_back_to_defaults_and_can_be_saved_over() {
    let mut flash = RamFlash::new();
    for (index, byte) in flash.bytes.iter_mut().enumerate() {
        *byte = (index * 7 + 3) as u8;
    }
    let (loaded, flash) = load(flash);
    assert_eq!(loaded.settings, Settings::default());
    let (result, flash) = save(flash, &sample("home"));
    result.unwrap();
    assert_eq!(load(flash).0.settings, sample("home"));
}

#[test]
fn corrupted_bytes_in_a_record_fall_back_and_never_panic() {
    let (_, clean) = save(RamFlash::new(), &sample("home"));
    let used = clean.bytes.iter().rposition(|&b| b != 0xFF).unwrap() + 1;
    for at in 0..used {
        let mut flash = RamFlash { bytes: clean.bytes.clone(), budget: None };
        flash.bytes[at] ^= 0x5A;
        let (loaded, _) = load(flash);
        // Whatever survives is either what was saved or the default, part by part.
        let network_ok = loaded.settings.network == sample("home").network || loaded.settings.network == Network::default();
        assert!(network_ok, "byte {at}: {:?}", loaded.settings.network);
        assert!(loaded.settings.calibrations.is_empty() || loaded.settings.calibrations == sample("home").calibrations);
    }
}

#[test]
fn a_power_cut_during_a_save_leaves_the_old_or_the_new_settings() {
    let (_, first) = save(RamFlash::new(), &sample("home"));
    let mut outcomes = [0usize; 2];
    for budget in (0..1200).step_by(4) {
        let flash = RamFlash { bytes: first.bytes.clone(), budget: Some(budget) };
        let (_, mut flash) = save(flash, &sample("office"));
        flash.budget = None;
        let (loaded, _) = load(flash);
        let ssid = loaded.settings.network.wifi.as_ref().map(|w| w.ssid.clone());
        match ssid.as_deref() {
            Some("home") => outcomes[0] += 1,
            Some("office") => outcomes[1] += 1,
            other => panic!("budget {budget}: loaded {other:?}"),
        }
    }
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "old/new outcomes: {outcomes:?}");
}

#[test]
fn a_half_written_first_save_gives_defaults() {
    for budget in (0..200).step_by(4) {
        let (_, mut flash) = save(RamFlash { budget: Some(budget), ..RamFlash::new() }, &sample("home"));
        flash.budget = None;
        let (loaded, _) = load(flash);
        let network = loaded.settings.network;
        assert!(network == Network::default() || network == sample("home").network, "budget {budget}");
    }
}

#[test]
fn a_record_of_another_version_falls_back_to_defaults() {
    let (_, flash) = save(RamFlash::new(), &sample("home"));
    let mut map: MapStorage<u8, RamFlash, Cache<Uncached, Uncached, Uncached, u8>> =
        MapStorage::new(flash, MapConfig::new(range()), Cache::new_uncached());
    let mut future = alloc::vec![FORMAT_VERSION + 1];
    future.extend_from_slice(br#"{"wifi":null,"host":null,"token":null,"bindings":[],"mesh":true}"#);
    block_on(map.store_item(&mut [0u8; 1024], &1u8, &future.as_slice())).unwrap();
    let (loaded, _) = load(map.destroy().0);
    assert_eq!(loaded.settings.network, Network::default());
    assert_eq!(loaded.settings.calibrations, sample("home").calibrations);
    assert_eq!(loaded.problems, [LoadProblem::Record { key: 1, error: RecordError::WrongVersion(FORMAT_VERSION + 1) }]);
}

#[test]
fn invalid_contents_are_refused() {
    let mut bad = sample("home");
    bad.network.wifi = Some(WifiCredentials { ssid: String::from("x").repeat(40), password: String::new() });
    bad.calibrations[0].current.reverse();
    let (_, flash) = save(RamFlash::new(), &bad);
    let (loaded, _) = load(flash);
    assert_eq!(loaded.settings, Settings::default());
    assert_eq!(loaded.problems.len(), 2);
}

#[test]
fn reset_forgets_everything() {
    let (_, flash) = save(RamFlash::new(), &sample("home"));
    let mut store = SettingsStore::new(flash, range()).unwrap();
    block_on(store.reset()).unwrap();
    assert_eq!(block_on(store.load(&mut [0u8; 1024])).settings, Settings::default());
}

#[test]
fn refuses_a_range_that_is_not_whole_pages() {
    assert!(matches!(SettingsStore::new(RamFlash::new(), 0..100), Err(SettingsError::BadRange)));
    assert!(matches!(SettingsStore::new(RamFlash::new(), 0..PAGE as u32), Err(SettingsError::BadRange)));
}

// Each case scans 16 KiB of garbage with repair attempts (~0.2 s unoptimised), so fewer cases than elsewhere.
const CASES: u32 = 48;

proptest! {
    #![proptest_config({ std::println!("proptest: {CASES} cases"); ProptestConfig::with_cases(CASES) })]

    #[test]
    fn loading_arbitrary_flash_contents_never_panics(seed in proptest::collection::vec(any::<u8>(), 1..64), stride in 1usize..97) {
        let mut flash = RamFlash::new();
        for (index, byte) in flash.bytes.iter_mut().enumerate() {
            *byte = seed[(index * stride) % seed.len()];
        }
        let _ = load(flash);
    }
}
