//! The keeper over an in-RAM flash: what it reports is what a fresh load of the flash reads back.

use alloc::string::String;
use alloc::vec::Vec;

use embassy_futures::block_on;
use sysboy_protocol::{Binding, CalibrationPoint};

use super::*;
use crate::settings::tests::{range, RamFlash};
use crate::settings::Loaded;

type Keeper = SettingsKeeper<RamFlash>;

fn keeper() -> Keeper {
    SettingsKeeper::new(Some(SettingsStore::new(RamFlash::new(), range()).unwrap()), Settings::default())
}

fn bindings(metric: &str) -> SettingsChange {
    SettingsChange::Bindings(alloc::vec![Binding { output: "vu".into(), metric: metric.into() }])
}

fn calibration(top: u16) -> SettingsChange {
    let points = |top: u16| alloc::vec![CalibrationPoint { percent: 0.0, code: 3 }, CalibrationPoint { percent: 100.0, code: top }];
    SettingsChange::Calibration(StoredCalibration { output: "vu".into(), current: points(top), previous: Some(points(1023)) })
}

/// A [`Kept`] that outlives the call that reported it.
#[derive(Debug, PartialEq)]
enum Heard {
    Saved(SettingsChange),
    NotSaved(SettingsChange, String),
    Erased(Result<(), String>),
}

impl From<Kept<'_>> for Heard {
    fn from(kept: Kept<'_>) -> Self {
        match kept {
            Kept::Saved(change) => Self::Saved(change.clone()),
            Kept::NotSaved { change, reason } => Self::NotSaved(change.clone(), reason.into()),
            Kept::Erased(erased) => Self::Erased(erased.map_err(Into::into)),
        }
    }
}

/// Applies `change` and gives back what was reported.
fn apply(keeper: &mut Keeper, change: SettingsChange) -> Vec<Heard> {
    let mut heard = Vec::new();
    block_on(keeper.apply(change, |kept| heard.push(kept.into())));
    heard
}

fn erase(keeper: &mut Keeper) -> Vec<Heard> {
    let mut heard = Vec::new();
    block_on(keeper.erase(|kept| heard.push(kept.into())));
    heard
}

/// What a fresh boot would read from the keeper's flash.
fn reload(keeper: Keeper) -> Loaded {
    let mut store = SettingsStore::new(keeper.store.unwrap().into_flash(), range()).unwrap();
    block_on(store.load(&mut [0u8; RECORD_BUFFER]))
}

#[test]
fn new_bindings_are_saved_once_and_read_back() {
    let mut keeper = keeper();
    let change = bindings("gpu_util");
    assert_eq!(apply(&mut keeper, change.clone()), [Heard::Saved(change.clone())]);
    assert!(apply(&mut keeper, change.clone()).is_empty(), "the same bindings again write nothing");
    let loaded = reload(keeper);
    assert!(loaded.problems.is_empty());
    let SettingsChange::Bindings(expected) = change else { unreachable!() };
    assert_eq!(loaded.settings.network.bindings, expected);
}

#[test]
fn a_calibration_stands_in_for_the_outputs_earlier_one() {
    let mut keeper = keeper();
    assert_eq!(apply(&mut keeper, calibration(1000)).len(), 1);
    let undone = calibration(990);
    assert_eq!(apply(&mut keeper, undone.clone()), [Heard::Saved(undone.clone())]);
    let SettingsChange::Calibration(expected) = undone else { unreachable!() };
    assert_eq!(reload(keeper).settings.calibrations, [expected]);
}

#[test]
fn the_erase_forgets_everything_and_nothing_is_saved_after_it() {
    let mut keeper = keeper();
    apply(&mut keeper, bindings("vram"));
    assert_eq!(erase(&mut keeper), [Heard::Erased(Ok(()))]);
    assert_eq!(keeper.settings(), &Settings::default());
    let change = bindings("gpu_util");
    assert_eq!(apply(&mut keeper, change.clone()), [Heard::NotSaved(change.clone(), ERASED.into())]);
    assert_eq!(reload(keeper).settings, Settings::default());
}

#[test]
fn without_a_flash_a_change_is_used_and_reported_unsaved() {
    let mut keeper: Keeper = SettingsKeeper::new(None, Settings::default());
    let change = bindings("cpu");
    assert_eq!(apply(&mut keeper, change.clone()), [Heard::NotSaved(change, NO_FLASH.into())]);
    assert_eq!(keeper.settings().network.bindings.len(), 1);
    assert_eq!(erase(&mut keeper), [Heard::Erased(Err(NO_FLASH.into()))]);
}

#[test]
fn an_issued_credential_is_saved_as_the_token_and_read_back() {
    let mut keeper = keeper();
    let change = SettingsChange::Token("Zm9vYmFyLWJvYXJk".into());
    assert_eq!(apply(&mut keeper, change.clone()), [Heard::Saved(change.clone())]);
    assert!(apply(&mut keeper, change).is_empty(), "the same token again writes nothing");
    let loaded = reload(keeper);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    assert_eq!(loaded.settings.network.token.as_deref(), Some("Zm9vYmFyLWJvYXJk"));
}
