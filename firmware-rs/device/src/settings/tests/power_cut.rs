//! Power cuts during a save, at every write and erase the store issues: a reboot loads either all of the old
//! settings or all of the new, never a mix, and the store still saves afterwards.

use alloc::string::String;
use alloc::vec::Vec;

use sysboy_protocol::{Binding, CalibrationPoint};

use super::{first_format_flash, load, save, Cut, FlashOp, RamFlash};
use crate::settings::{Country, Network, Settings, StoredCalibration, WifiCredentials};

fn curve(points: &[(f64, u16)]) -> Vec<CalibrationPoint> {
    points.iter().map(|&(percent, code)| CalibrationPoint { percent, code }).collect()
}

/// Settings in which every field differs from [`new`]'s.
fn old() -> Settings {
    Settings {
        network: Network {
            wifi: Some(WifiCredentials { ssid: "home".into(), password: "correct horse".into() }),
            host: Some("192.168.1.20:7777".into()),
            token: Some("tok_0123456789abcdef".into()),
            bindings: alloc::vec![Binding { output: "vu".into(), metric: "vram".into() }],
            country: Country::WORLD,
        },
        calibrations: alloc::vec![StoredCalibration {
            output: "vu".into(),
            current: curve(&[(0.0, 3), (100.0, 1000)]),
            previous: Some(curve(&[(0.0, 3), (100.0, 1023)])),
        }],
    }
}

/// Settings in which every field differs from [`old`]'s: another network, host, token, bindings and Wi-Fi country,
/// another curve and undo curve for the same output, and a second output's calibration.
fn new() -> Settings {
    Settings {
        network: Network {
            wifi: Some(WifiCredentials { ssid: "office".into(), password: "battery staple".into() }),
            host: Some("desk-pc.local:8077".into()),
            token: Some("tok_fedcba9876543210".into()),
            bindings: alloc::vec![
                Binding { output: "vu".into(), metric: "gpu_util".into() },
                Binding { output: "aux".into(), metric: "cpu".into() },
            ],
            country: Country::from_code("DE").unwrap(),
        },
        calibrations: alloc::vec![
            StoredCalibration {
                output: "vu".into(),
                current: curve(&[(0.0, 5), (50.0, 600), (100.0, 990)]),
                previous: Some(curve(&[(0.0, 4), (100.0, 1010)])),
            },
            StoredCalibration { output: "aux".into(), current: curve(&[(0.0, 0), (100.0, 255)]), previous: None },
        ],
    }
}

/// Settings saved after a cut, to show the store was not left unable to save.
fn later() -> Settings {
    let mut later = new();
    later.network.wifi = Some(WifiCredentials { ssid: "cafe".into(), password: String::new() });
    later
}

fn describe(settings: &Settings) -> String {
    let ssid = settings.network.wifi.as_ref().map_or("none", |wifi| wifi.ssid.as_str());
    let tops: Vec<u16> = settings.calibrations.iter().filter_map(|c| c.current.last().map(|p| p.code)).collect();
    let network = &settings.network;
    alloc::format!("network {ssid:?} in {} with {} bindings, calibration tops {tops:?}", network.country, network.bindings.len())
}

/// How many cuts loaded the old settings and how many the new.
#[derive(Debug, Default)]
struct Outcomes {
    old: usize,
    new: usize,
    erase_cuts: usize,
    /// Records the save copied to a new page before erasing the old one (item headers are two words).
    copies: usize,
}

/// Saves `to` over `before` (whose settings are `from`), cut at every write and erase that save issues; after each
/// cut a reboot must load `from` or `to` whole, and a later save must still work.
fn cut_every_write(before: &RamFlash, from: &Settings, to: &Settings) -> Outcomes {
    assert_eq!(load(before.clone_contents()).0.settings, *from, "the flash before the save holds the old settings");
    let (result, whole) = save(before.clone_contents(), to);
    result.expect("the uncut save works");
    let log = whole.log().to_vec();
    let before_erase = log.iter().take_while(|op| !matches!(op, FlashOp::Erase { .. }));
    let copies = if log.iter().any(|op| matches!(op, FlashOp::Erase { .. })) {
        before_erase.filter(|op| matches!(op, FlashOp::Write { words: 2 })).count()
    } else {
        0
    };
    let mut outcomes = Outcomes { copies, ..Outcomes::default() };
    for cut in Cut::all(&log) {
        let (_, flash) = save(before.cut_at(cut), to);
        let (loaded, flash) = load(flash.power_on());
        let settings = loaded.settings;
        if settings == *from {
            outcomes.old += 1;
        } else if settings == *to {
            outcomes.new += 1;
        } else {
            panic!(
                "cut {cut:?} of {} operations loaded a mix: {}\n  old: {}\n  new: {}\n  problems: {:?}",
                log.len(),
                describe(&settings),
                describe(from),
                describe(to),
                loaded.problems
            );
        }
        if matches!(cut, Cut::Erase { .. }) {
            outcomes.erase_cuts += 1;
        }
        let (result, flash) = save(flash, &later());
        assert_eq!(result, Ok(()), "cut {cut:?}: the next save fails");
        assert_eq!(load(flash).0.settings, later(), "cut {cut:?}: the next save does not load back");
    }
    assert!(outcomes.old > 0 && outcomes.new > 0, "{outcomes:?}");
    outcomes
}

impl RamFlash {
    fn clone_contents(&self) -> RamFlash {
        RamFlash::with_bytes(self.bytes.clone())
    }
}

#[test]
fn a_cut_at_any_write_of_a_save_loads_all_the_old_settings_or_all_the_new() {
    let (result, with_old) = save(RamFlash::new(), &old());
    result.unwrap();
    cut_every_write(&with_old, &old(), &new());
    // And back: fewer calibrations than before.
    let (result, with_new) = save(with_old, &new());
    result.unwrap();
    cut_every_write(&with_new, &new(), &old());
}

/// Settings unlike both [`old`] and [`new`], to fill the flash with: a cut that loads one of them has loaded a
/// stale record from before the old settings.
fn filler(n: usize) -> Settings {
    let mut filler = old();
    filler.network.wifi = Some(WifiCredentials { ssid: alloc::format!("filler {n}"), password: String::new() });
    filler.network.token = None;
    filler
}

/// Fills `flash` with other settings until saving [`new`] over [`old`] has to erase a page to make room, then cuts
/// that save at every write and erase; the stale records on the page being erased are neither old nor new.
fn cut_a_save_that_migrates_a_page(mut flash: RamFlash) -> Outcomes {
    for n in 0..200 {
        let (result, filled) = save(flash, &filler(n));
        result.unwrap();
        let (result, with_old) = save(filled.clone_contents(), &old());
        result.unwrap();
        let (result, probe) = save(with_old.clone_contents(), &new());
        result.unwrap();
        let erases = |flash: &RamFlash| flash.log().iter().any(|op| matches!(op, FlashOp::Erase { .. }));
        if !erases(&with_old) && erases(&probe) {
            let outcomes = cut_every_write(&with_old.power_on(), &old(), &new());
            assert!(outcomes.erase_cuts >= 4, "the migrating save's erase was cut in every shape: {outcomes:?}");
            return outcomes;
        }
        flash = filled.power_on();
    }
    panic!("no save of the new settings erased a page");
}

#[test]
fn a_cut_at_any_write_or_erase_of_a_save_that_migrates_a_page_loads_old_or_new() {
    cut_a_save_that_migrates_a_page(RamFlash::new());
}

#[test]
fn a_cut_at_any_write_of_the_first_save_over_what_older_firmware_saved_loads_old_or_new() {
    cut_every_write(&first_format_flash(&old()), &old(), &new());
}

/// The blanked records of the first format stay live, so this migration also copies records to the new page
/// before it erases the old one, and the cuts fall in the copy too.
#[test]
fn a_cut_at_any_write_or_erase_of_a_migration_that_copies_records_loads_old_or_new() {
    let outcomes = cut_a_save_that_migrates_a_page(first_format_flash(&filler(1000)));
    assert!(outcomes.copies > 0, "{outcomes:?}");
}
