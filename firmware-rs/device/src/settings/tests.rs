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
use crate::portal::form;

mod power_cut;

const PAGE: usize = 4096;
const PAGES: usize = 4;

/// NOR flash in RAM: erased bytes are 0xFF, a write ANDs into them, and `budget` bytes can be written before
/// the power goes (the write that crosses it stops part-way). Other modules' tests keep their settings in it too.
///
/// It also logs every write and erase it is asked for, and can lose power in the middle of any one of them
/// ([`Cut`]): the power-cut tests in [`power_cut`] replay a save and cut it at each.
pub(crate) struct RamFlash {
    bytes: Vec<u8>,
    budget: Option<usize>,
    log: Vec<FlashOp>,
    cut: Option<Cut>,
    powered: bool,
}

/// One write or erase the store asked of the flash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlashOp {
    /// A write of this many words.
    Write { words: usize },
    /// An erase of this many bytes.
    Erase { bytes: usize },
}

/// What is left of an erase the power cut short. Real NOR erases a sector with no defined order, so a cut leaves
/// any mix of erased words and old data; these shapes cover where the page markers (first and last word) end up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HalfErase {
    /// Nothing was erased yet.
    Untouched,
    /// The lower half of the range reads 0xFF, the upper half still holds old data.
    LowHalf,
    /// The upper half reads 0xFF, the lower half still holds old data.
    HighHalf,
    /// Every other word reads 0xFF (the first kept, the last erased on a page).
    EveryOtherWord,
}

/// Where the power goes: during the flash's `op`th write or erase (from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cut {
    /// The write lands only its first `words` words.
    Write { op: usize, words: usize },
    /// The erase stops with this shape.
    Erase { op: usize, shape: HalfErase },
}

impl Cut {
    fn op(self) -> usize {
        match self {
            Self::Write { op, .. } | Self::Erase { op, .. } => op,
        }
    }

    /// Every cut of an operation in `log`: a write cut before any word, after the first, half-way, before its last
    /// word and after it (the power gone as the write ends); an erase cut in each [`HalfErase`] shape.
    pub(crate) fn all(log: &[FlashOp]) -> Vec<Cut> {
        let mut cuts = Vec::new();
        for (op, entry) in log.iter().enumerate() {
            match *entry {
                FlashOp::Write { words } => {
                    let mut landed = alloc::vec![0, 1, words / 2, words.saturating_sub(1), words];
                    landed.retain(|&n| n <= words);
                    landed.sort_unstable();
                    landed.dedup();
                    cuts.extend(landed.into_iter().map(|words| Cut::Write { op, words }));
                }
                FlashOp::Erase { .. } => {
                    let shapes = [HalfErase::Untouched, HalfErase::LowHalf, HalfErase::HighHalf, HalfErase::EveryOtherWord];
                    cuts.extend(shapes.into_iter().map(|shape| Cut::Erase { op, shape }));
                }
            }
        }
        cuts
    }
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
        Self::with_bytes(alloc::vec![0xFF; PAGE * PAGES])
    }

    /// A flash holding `bytes`, with power.
    pub(crate) fn with_bytes(bytes: Vec<u8>) -> Self {
        Self { bytes, budget: None, log: Vec::new(), cut: None, powered: true }
    }

    /// A copy of this flash's contents that will lose power at `cut`.
    pub(crate) fn cut_at(&self, cut: Cut) -> Self {
        Self { cut: Some(cut), ..Self::with_bytes(self.bytes.clone()) }
    }

    /// The same contents with the power back on (a reboot).
    pub(crate) fn power_on(self) -> Self {
        Self::with_bytes(self.bytes)
    }

    /// Every write and erase asked of this flash so far.
    pub(crate) fn log(&self) -> &[FlashOp] {
        &self.log
    }

    /// Logs `op` and says whether the power goes during it.
    fn begin(&mut self, op: FlashOp) -> Result<Option<Cut>, RamFlashError> {
        if !self.powered {
            return Err(RamFlashError::PowerCut);
        }
        let index = self.log.len();
        self.log.push(op);
        let cut = self.cut.filter(|cut| cut.op() == index);
        if cut.is_some() {
            self.powered = false;
        }
        Ok(cut)
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
        let range = from as usize..to as usize;
        match self.begin(FlashOp::Erase { bytes: range.len() })? {
            None => {
                self.bytes[range].fill(0xFF);
                Ok(())
            }
            Some(cut) => {
                let words = self.bytes[range].chunks_mut(4);
                let half = (to - from) as usize / 8;
                for (index, word) in words.enumerate() {
                    let erased = match cut {
                        Cut::Erase { shape: HalfErase::LowHalf, .. } => index < half,
                        Cut::Erase { shape: HalfErase::HighHalf, .. } => index >= half,
                        Cut::Erase { shape: HalfErase::EveryOtherWord, .. } => index % 2 == 1,
                        Cut::Erase { shape: HalfErase::Untouched, .. } | Cut::Write { .. } => false,
                    };
                    if erased {
                        word.fill(0xFF);
                    }
                }
                Err(RamFlashError::PowerCut)
            }
        }
    }

    async fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        let start = offset as usize;
        if !start.is_multiple_of(4) || !bytes.len().is_multiple_of(4) || start + bytes.len() > self.bytes.len() {
            return Err(RamFlashError::Misaligned);
        }
        let cut = self.begin(FlashOp::Write { words: bytes.len() / 4 })?;
        let landed = match cut {
            Some(Cut::Write { words, .. }) => words * 4,
            Some(Cut::Erase { .. }) => 0,
            None => bytes.len(),
        };
        let allowed = self.budget.map_or(landed, |budget| budget.min(landed));
        for (cell, byte) in self.bytes[start..start + allowed].iter_mut().zip(bytes) {
            *cell &= byte;
        }
        if let Some(budget) = &mut self.budget {
            *budget -= allowed;
        }
        if allowed < bytes.len() || cut.is_some() {
            return Err(RamFlashError::PowerCut);
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
            country: Country::default(),
        },
        calibrations: alloc::vec![StoredCalibration { output: "vu".into(), current: points(1000), previous: Some(points(1023)) }],
    }
}

fn load(flash: RamFlash) -> (Loaded, RamFlash) {
    let mut store = SettingsStore::new(flash, range()).unwrap();
    let loaded = block_on(store.load(&mut [0u8; BUFFER_LEN]));
    (loaded, store.into_flash())
}

fn save(flash: RamFlash, settings: &Settings) -> (Result<(), SettingsError>, RamFlash) {
    let mut store = SettingsStore::new(flash, range()).unwrap();
    let result = block_on(store.save(settings, &mut [0u8; BUFFER_LEN]));
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
        let mut flash = RamFlash::with_bytes(clean.bytes.clone());
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
        let flash = RamFlash { budget: Some(budget), ..RamFlash::with_bytes(first.bytes.clone()) };
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

/// Writes `bytes` under `key` as a record, the way some other firmware might have.
fn write_raw(flash: RamFlash, key: u8, bytes: &[u8]) -> RamFlash {
    let mut map: MapStorage<u8, RamFlash, Cache<Uncached, Uncached, Uncached, u8>> =
        MapStorage::new(flash, MapConfig::new(range()), Cache::new_uncached());
    block_on(map.store_item(&mut [0u8; BUFFER_LEN], &key, &bytes)).unwrap();
    map.destroy().0
}

/// The flash of a board that older firmware saved `settings` on: one JSON record per part.
pub(crate) fn first_format_flash(settings: &Settings) -> RamFlash {
    let mut flash = write_raw(RamFlash::new(), 1, &record::encode(&settings.network));
    for (index, calibration) in settings.calibrations.iter().enumerate() {
        flash = write_raw(flash, 0x10 + index as u8, &record::encode(calibration));
    }
    flash
}

#[test]
fn a_record_of_another_version_falls_back_to_defaults_and_says_so() {
    let (_, flash) = save(RamFlash::new(), &sample("home"));
    // A later firmware's record keeps the header (version, generation) and is the newest, so it is not skipped
    // for the older one under it.
    let mut future = alloc::vec![FORMAT_VERSION + 1];
    future.extend_from_slice(&7u32.to_le_bytes());
    future.extend_from_slice(b"mesh");
    let (loaded, _) = load(write_raw(flash, 2, &future));
    assert_eq!(loaded.settings, Settings::default());
    assert_eq!(loaded.problems, [LoadProblem::Record { key: 2, error: RecordError::WrongVersion(FORMAT_VERSION + 1) }]);
}

/// Found by `npm run fuzz` (settings_flash): under a record holding the last generation (here one of another
/// version, `0x60` then `u32::MAX`), a save numbered the next record 0 by wrapping, so every load kept reading the
/// old record and no save was ever seen again.
#[test]
fn a_save_after_a_record_of_the_last_generation_is_the_one_read_back() {
    let flash = write_raw(RamFlash::new(), 2, &[0x60, 0xff, 0xff, 0xff, 0xff]);
    let (loaded, flash) = load(flash);
    assert_eq!(loaded.problems, [LoadProblem::Record { key: 2, error: RecordError::WrongVersion(0x60) }]);
    let (saved, flash) = save(flash, &sample("home"));
    assert_eq!(saved, Ok(()));
    let (loaded, flash) = load(flash);
    assert_eq!((loaded.settings, loaded.problems), (sample("home"), alloc::vec![]));
    // And the saves after it are read back too.
    let (saved, flash) = save(flash, &sample("office"));
    assert_eq!(saved, Ok(()));
    assert_eq!(load(flash).0.settings, sample("office"));
}

#[test]
fn a_first_format_record_of_another_version_falls_back_to_defaults_for_that_part() {
    let mut future = alloc::vec![LEGACY_VERSION + 1];
    future.extend_from_slice(br#"{"wifi":null,"host":null,"token":null,"bindings":[],"mesh":true}"#);
    let (loaded, _) = load(write_raw(first_format_flash(&sample("home")), 1, &future));
    assert_eq!(loaded.settings.network, Network::default());
    assert_eq!(loaded.settings.calibrations, sample("home").calibrations);
    assert_eq!(loaded.problems, [LoadProblem::Record { key: 1, error: RecordError::WrongVersion(LEGACY_VERSION + 1) }]);
}

#[test]
fn a_flash_older_firmware_saved_still_loads_and_the_next_save_replaces_it() {
    let mut two = sample("home");
    two.calibrations.push(StoredCalibration { output: "aux".into(), ..two.calibrations[0].clone() });
    let (loaded, flash) = load(first_format_flash(&two));
    assert_eq!(loaded, Loaded { settings: two.clone(), problems: Vec::new() });
    let (result, flash) = save(flash, &sample("office"));
    result.unwrap();
    let (loaded, flash) = load(flash);
    assert_eq!(loaded, Loaded { settings: sample("office"), problems: Vec::new() });
    // The first format's records were blanked: none holds data any more.
    let mut map: MapStorage<u8, RamFlash, Cache<Uncached, Uncached, Uncached, u8>> =
        MapStorage::new(flash, MapConfig::new(range()), Cache::new_uncached());
    for key in [1u8, 0x10, 0x11] {
        let mut buffer = [0u8; BUFFER_LEN];
        let stored = block_on(map.fetch_item::<&[u8]>(&mut buffer, &key)).unwrap();
        assert_eq!(stored, Some(&[][..]), "record {key:#x}");
    }
}

#[test]
fn settings_that_break_a_rule_are_refused_and_the_saved_ones_kept() {
    let mut bad = sample("office");
    bad.network.wifi = Some(WifiCredentials { ssid: String::from("x").repeat(40), password: String::new() });
    let (_, flash) = save(RamFlash::new(), &sample("home"));
    let (result, flash) = save(flash, &bad);
    assert_eq!(result, Err(SettingsError::Invalid));
    let mut falling = sample("office");
    falling.calibrations[0].current.reverse();
    let (result, flash) = save(flash, &falling);
    assert_eq!(result, Err(SettingsError::Invalid));
    assert_eq!(load(flash).0, Loaded { settings: sample("home"), problems: Vec::new() });
}

#[test]
fn a_stored_record_that_breaks_a_rule_is_refused_at_load() {
    let mut bad = sample("home");
    bad.calibrations[0].current.reverse();
    let (_, flash) = save(RamFlash::new(), &sample("home"));
    let (loaded, _) = load(write_raw(flash, 2, &encoding::encode(&bad, 9).unwrap()));
    assert_eq!(loaded.settings, Settings::default());
    assert_eq!(loaded.problems, [LoadProblem::Record { key: 2, error: RecordError::Invalid }]);
}

/// The longest of everything: 8 outputs bound and calibrated with 16-point curves and undo curves, every string
/// at its longest and needing escapes in JSON.
fn largest() -> Settings {
    let name = |n: usize| std::format!("{n}{}", "o".repeat(31));
    let curve = |top: u16| -> Vec<CalibrationPoint> {
        (0..16u16).map(|i| CalibrationPoint { percent: f64::from(i) * (100.0 / 15.0) - 1e-13 * f64::from(i.min(1)), code: top - 15 + i }).collect()
    };
    Settings {
        network: Network {
            wifi: Some(WifiCredentials { ssid: "\"".repeat(32), password: "\\".repeat(63) }),
            host: Some(std::format!("{}.{}.local:65535", "h".repeat(63), "h".repeat(51))),
            token: Some("t".repeat(128)),
            bindings: (0..MAX_OUTPUTS).map(|n| Binding { output: name(n), metric: std::format!("{}{n}", "m".repeat(31)) }).collect(),
            country: Country::from_code("nz").unwrap(),
        },
        calibrations: (0..MAX_OUTPUTS).map(|n| StoredCalibration { output: name(n), current: curve(4000), previous: Some(curve(65535)) }).collect(),
    }
}

#[test]
fn the_largest_settings_fit_one_record_and_read_back_exactly() {
    let largest = largest();
    assert!(largest.is_valid());
    let bytes = encoding::encode(&largest, 1).unwrap();
    assert!(bytes.len() < BUFFER_LEN, "{} bytes", bytes.len());
    let (result, flash) = save(RamFlash::new(), &largest);
    result.unwrap();
    let (result, flash) = save(flash, &sample("home"));
    result.unwrap();
    let (result, flash) = save(flash, &largest);
    result.unwrap();
    assert_eq!(load(flash).0, Loaded { settings: largest, problems: Vec::new() });
}

#[test]
fn the_wifi_country_is_world_safe_until_chosen_and_only_a_radio_code_is_taken() {
    assert_eq!(Country::default(), Country::WORLD);
    assert_eq!(Country::WORLD.code(), *b"01");
    assert_eq!(Network::default().country, Country::WORLD);
    assert_eq!(Country::from_code("de").map(|c| c.code()), Ok(*b"DE"));
    for (country, name) in Country::all() {
        assert_eq!(Country::from_code(country.as_str()), Ok(country));
        assert!(!name.is_empty(), "{country}");
    }
    for bad in ["", "0", "1", "ZZ", "EU", "DEU", "D", "01 ", "é"] {
        assert_eq!(Country::from_code(bad), Err(CountryError::Unknown), "{bad:?}");
    }
    assert!(alloc::string::ToString::to_string(&CountryError::Unknown).contains("choose a country"));
}

#[test]
fn the_wifi_country_is_saved_with_the_rest_and_an_unknown_one_is_refused_at_load() {
    let mut japan = sample("home");
    japan.network.country = Country::from_code("JP").unwrap();
    let (result, flash) = save(RamFlash::new(), &japan);
    result.unwrap();
    let (loaded, flash) = load(flash);
    assert_eq!(loaded.settings.network.country.as_str(), "JP");
    // A record whose country the radio does not know (here "ZZ" written over "JP" by hand).
    let mut bytes = encoding::encode(&japan, 5).unwrap();
    let at = bytes.windows(2).rposition(|pair| pair == b"JP").unwrap();
    bytes[at..at + 2].copy_from_slice(b"ZZ");
    let (loaded, _) = load(write_raw(flash, 2, &bytes));
    assert_eq!(loaded.settings, Settings::default());
    assert_eq!(loaded.problems, [LoadProblem::Record { key: 2, error: RecordError::Invalid }]);
}

#[test]
fn reset_forgets_everything() {
    let (_, flash) = save(RamFlash::new(), &sample("home"));
    let mut store = SettingsStore::new(flash, range()).unwrap();
    block_on(store.reset()).unwrap();
    assert_eq!(block_on(store.load(&mut [0u8; BUFFER_LEN])).settings, Settings::default());
}

#[test]
fn refuses_a_range_that_is_not_whole_pages() {
    assert!(matches!(SettingsStore::new(RamFlash::new(), 0..100), Err(SettingsError::BadRange)));
    assert!(matches!(SettingsStore::new(RamFlash::new(), 0..PAGE as u32), Err(SettingsError::BadRange)));
}

/// The form body a browser sends for these fields: every byte but letters and digits percent-escaped.
fn form_body(fields: &[(&str, &str)]) -> String {
    let mut body = String::new();
    for (name, value) in fields {
        if !body.is_empty() {
            body.push('&');
        }
        body.push_str(name);
        body.push('=');
        for byte in value.bytes() {
            if byte.is_ascii_alphanumeric() {
                body.push(char::from(byte));
            } else {
                body.push_str(&std::format!("%{byte:02X}"));
            }
        }
    }
    body
}

/// Submits the form for a hidden network (not in the scan, so only the stored rules apply); when the form takes
/// it, checks the record written from it reads back the same. `Err` carries the form's reasons.
fn submit_and_store(ssid: &str, password: &str, host: &str, token: &str) -> Result<Network, form::FieldErrors> {
    let body = form_body(&[("ssid", ssid), ("password", password), ("host", host), ("token", token)]);
    let submission = form::read(body.as_bytes(), &[]).map_err(|refused| refused.errors)?;
    let network = Network { wifi: Some(submission.wifi), host: submission.host, token: submission.token, ..Network::default() };
    let settings = Settings { network: network.clone(), calibrations: Vec::new() };
    assert!(settings.is_valid(), "{body}");
    assert_eq!(encoding::decode(&encoding::encode(&settings, 1).unwrap()), Ok(settings), "{body}");
    Ok(network)
}

const SSID: &str = "Home";
const PASSWORD: &str = "correct horse";
const HOST: &str = "desk-pc.local:8077";
const TOKEN: &str = "tok_0123456789abcdef";

#[test]
fn every_value_the_portal_form_takes_is_stored_and_read_back() {
    let long_label = "a".repeat(63);
    let host_128 = std::format!("{long_label}.{}:8077", "b".repeat(59));
    let host_129 = std::format!("{long_label}.{}:8077", "b".repeat(60));
    let long_name = [long_label.as_str(); 4].join(".");
    let ssids = [String::from("a"), "x".repeat(32), "x".repeat(33), "é".repeat(16), "é".repeat(17), String::from(" Home Wi-Fi ")];
    let passwords = [
        String::new(),
        "p".repeat(7),
        "p".repeat(8),
        "p".repeat(63),
        "p".repeat(64),
        "é".repeat(4),
        "é".repeat(40),
        String::from("tab\there!"),
        String::from(" ~!@#$%^&*()_+{}|:\"<>?"),
    ];
    let hosts = [String::from("192.168.1.20"), host_128.clone(), host_129.clone(), long_name.clone(), String::from("pc:0")];
    let tokens = [String::from("abc"), "t".repeat(8), "t".repeat(128), "t".repeat(129), String::from("a b c d e"), String::from("A-z_09-Z")];

    let mut stored = Vec::new();
    for ssid in &ssids {
        stored.push((submit_and_store(ssid, PASSWORD, HOST, TOKEN), Network { wifi: Some(WifiCredentials { ssid: ssid.clone(), password: PASSWORD.into() }), ..good() }));
    }
    for password in &passwords {
        stored.push((submit_and_store(SSID, password, HOST, TOKEN), Network { wifi: Some(WifiCredentials { ssid: SSID.into(), password: password.clone() }), ..good() }));
    }
    for host in &hosts {
        stored.push((submit_and_store(SSID, PASSWORD, host, TOKEN), Network { host: Some(host.clone()), ..good() }));
    }
    for token in &tokens {
        stored.push((submit_and_store(SSID, PASSWORD, HOST, token), Network { token: Some(token.clone()), ..good() }));
    }
    // One set of rules: the form takes a value exactly when the stored record would.
    for (from_form, direct) in &stored {
        assert_eq!(from_form.is_ok(), direct.is_valid(), "{direct:?}: form said {from_form:?}");
    }

    // The cases that used to pass the form and then be refused at boot, each now refused with a reason.
    let accents = submit_and_store(SSID, &"é".repeat(40), HOST, TOKEN).unwrap_err();
    assert!(accents.password.unwrap().contains("ASCII"), "{accents:?}");
    let long = submit_and_store(SSID, PASSWORD, &long_name, TOKEN).unwrap_err();
    assert!(long.host.unwrap().contains("at most 128"), "{long:?}");
    assert!(submit_and_store(SSID, PASSWORD, &host_129, TOKEN).unwrap_err().host.is_some());
    assert_eq!(submit_and_store(SSID, PASSWORD, &host_128, TOKEN).unwrap().host, Some(host_128));
    let short = submit_and_store(SSID, PASSWORD, HOST, "abc").unwrap_err();
    assert!(short.token.unwrap().contains("8 to 128"), "{short:?}");
    assert_eq!(submit_and_store(SSID, &"p".repeat(63), HOST, TOKEN).unwrap().wifi.unwrap().password, "p".repeat(63));
    // Empty host and token are "none" (find the PC by mDNS, no pairing), which the record holds as such.
    let bare = submit_and_store(SSID, "", "", "").unwrap();
    assert_eq!((bare.host, bare.token), (None, None));
}

/// Network settings that pass every rule.
fn good() -> Network {
    Network {
        wifi: Some(WifiCredentials { ssid: SSID.into(), password: PASSWORD.into() }),
        host: Some(HOST.into()),
        token: Some(TOKEN.into()),
        bindings: Vec::new(),
        country: Country::default(),
    }
}

#[test]
fn more_bindings_than_outputs_are_refused() {
    let binding = Binding { output: "vu".into(), metric: "vram".into() };
    let full = Network { bindings: alloc::vec![binding.clone(); MAX_OUTPUTS], ..good() };
    assert!(full.is_valid());
    let over = Settings { network: Network { bindings: alloc::vec![binding; MAX_OUTPUTS + 1], ..good() }, calibrations: Vec::new() };
    assert!(!over.is_valid());
    assert_eq!(save(RamFlash::new(), &over).0, Err(SettingsError::Invalid));
}

proptest! {
    #[test]
    fn any_form_the_portal_takes_reads_back_from_the_record(
        ssid in "\\PC{0,36}",
        password in "[ -~éü\t]{0,70}",
        host in "[a-z0-9.:-]{0,140}",
        token in "[A-Za-z0-9_ -]{0,140}",
    ) {
        // submit_and_store asserts the round trip whenever the form takes the values.
        let _ = submit_and_store(&ssid, &password, &host, &token);
    }
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
