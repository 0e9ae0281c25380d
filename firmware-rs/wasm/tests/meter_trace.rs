//! The scripted meter sequence (examples/meter-trace/script.rs) on the native build: what the trace must show for
//! each event, so the trace the WebAssembly module is compared with is itself right.

#[allow(dead_code)]
#[path = "../examples/meter-trace/script.rs"]
mod script;

use script::{Op, Step};
use sysboy_device::meter::{NeedleState, NoData};
use sysboy_wasm::{MeterAbiError, Needle};

fn trace() -> Vec<Step> {
    script::run(script::script())
}

/// The needle of `slot` after the tick at `at`.
fn at(trace: &[Step], slot: u32, at: u64) -> Needle {
    trace
        .iter()
        .find_map(|step| match (&step.op, &step.outcome) {
            (Op::Tick { slot: s, at: a }, Ok(Some(needle))) if *s == slot && *a == at => Some(needle.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no tick of slot {slot} at {at} ms"))
}

fn ticks(trace: &[Step], slot: u32, from: u64, to: u64) -> Vec<(u64, Needle)> {
    trace
        .iter()
        .filter_map(|step| match (&step.op, &step.outcome) {
            (Op::Tick { slot: s, at }, Ok(Some(needle))) if *s == slot && (from..=to).contains(at) => Some((*at, needle.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn every_op_but_the_bad_curve_is_taken() {
    let refused: Vec<_> = trace().into_iter().filter(|step| step.outcome.is_err()).collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    let error = refused[0].outcome.clone().unwrap_err();
    assert!(matches!(error, MeterAbiError::Calibration(_)));
    assert_eq!(error.to_string(), "calibration point 2 does not increase in both percent and code");
}

#[test]
fn parks_at_the_curve_s_first_code_until_the_first_figure() {
    let trace = trace();
    assert_eq!(at(&trace, 0, 96), Needle { code: 0, percent: 0.0, state: NeedleState::Parked(NoData::Waiting) });
    assert_eq!(at(&trace, 1, 96), Needle { code: 1_000, percent: 0.0, state: NeedleState::Parked(NoData::Waiting) });
}

#[test]
fn a_step_settles_within_its_settle_time_with_at_most_its_overshoot() {
    let trace = trace();
    // 60 % at 200 ms, 300 ms to 99 %, 1 % overshoot, a linear 10-bit output.
    let step = ticks(&trace, 0, 200, 784);
    assert!(step.iter().all(|(_, needle)| needle.percent <= 60.0 * 1.01 + 0.01 && needle.state == NeedleState::Live));
    assert!((at(&trace, 0, 512).percent - 60.0).abs() <= 0.6, "{:?}", at(&trace, 0, 512));
    // 614 is 60 % of 1023; the needle is still ringing within its 1 % overshoot.
    assert!((608..=620).contains(&at(&trace, 0, 784).code), "{:?}", at(&trace, 0, 784));
}

#[test]
fn the_calibration_curve_maps_the_needle_and_a_refused_curve_changes_nothing() {
    let trace = trace();
    // 60 % on (0, 0), (50, 700), (100, 1023): 700 + 10 / 50 * 323.
    assert_eq!(at(&trace, 0, 800).code, 765);
    assert_eq!(at(&trace, 0, 1_184).code, 765);
    // 20 % at 1.2 s: 280 once settled.
    assert!((279..=280).contains(&at(&trace, 0, 1_792).code));
}

#[test]
fn slower_critically_damped_ballistics_never_overshoot() {
    let trace = trace();
    let slow = ticks(&trace, 0, 1_800, 3_808);
    assert!(slow.iter().all(|(_, needle)| needle.percent <= 90.25 + 1e-3));
    assert!(at(&trace, 0, 2_400).percent < 85.0, "still moving after half its 1.2 s settle time");
    assert!(at(&trace, 0, 3_008).percent >= 90.25 - 0.01 * 70.25);
}

#[test]
fn a_figure_older_than_the_stale_timeout_parks_the_needle() {
    let trace = trace();
    // The last figure came at 1.8 s; the timeout is 2 s.
    assert_eq!(at(&trace, 0, 3_808).state, NeedleState::Live);
    assert_eq!(at(&trace, 0, 3_824).state, NeedleState::Parked(NoData::Stale));
    assert!(at(&trace, 0, 5_184).code <= 10);
    // Slot 1 times out after 0.5 s.
    assert_eq!(at(&trace, 1, 896).state, NeedleState::Live);
    assert_eq!(at(&trace, 1, 912).state, NeedleState::Parked(NoData::Stale));
}

#[test]
fn a_hidden_tab_catches_up_every_tick_it_missed() {
    let trace = trace();
    let before = at(&trace, 0, 5_696);
    let after = at(&trace, 0, 6_400);
    assert_eq!(before.state, NeedleState::Live);
    assert!((after.percent - 35.5).abs() < 0.5, "{after:?}");
}

#[test]
fn an_unknown_figure_parks_with_its_reason() {
    let trace = trace();
    let parked = at(&trace, 0, 7_792);
    assert_eq!(parked.state, NeedleState::Parked(NoData::Unknown("NVML not found".into())));
    assert!(parked.code <= 5);
    assert!(at(&trace, 0, 9_296).code >= 1_020);
}

#[test]
fn figures_outside_0_to_100_are_clamped_to_the_curve_s_ends() {
    let trace = trace();
    assert_eq!(at(&trace, 1, 5_504).code, 1_000);
    assert_eq!(at(&trace, 1, 6_992).code, 64_000);
}
