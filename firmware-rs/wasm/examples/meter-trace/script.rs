//! The scripted meter sequence the trace example prints and host/wasm/virtual-meter.test.ts replays through the
//! WebAssembly module: two outputs (10 and 16 bits) watched by a dashboard drawing frames every 16 ms, with steps,
//! a calibration curve (and a refused one), slower ballistics, a stale timeout, a hidden tab, and an unknown figure.

use sysboy_device::meter::{NeedleState, NoData, Reading};
use sysboy_protocol::CalibrationPoint;
use sysboy_wasm::{MeterAbiError, MeterSlots, Needle};

/// One call on the meter slots.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Create { slot: u32, bits: u32, stale_after_ms: u32 },
    Ballistics { slot: u32, settle_ms: u32, overshoot_pct: f64 },
    Calibration { slot: u32, points: Vec<(f64, u16)> },
    /// A figure at `at`, or none (`value` `None`) for `reason`.
    Show { slot: u32, at: u64, value: Option<f32>, reason: &'static str },
    Tick { slot: u32, at: u64 },
}

/// An op and what it gave: the needle after a tick, or why the op was refused.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub op: Op,
    pub outcome: Result<Option<Needle>, MeterAbiError>,
}

/// Frames every 16 ms, with the tab hidden (no frames) from 5.7 s to 6.4 s.
const FRAME_MS: u64 = 16;
const HIDDEN_MS: (u64, u64) = (5_700, 6_400);
const END_MS: u64 = 9_300;

/// The ops, in order: at each frame the events due by then, then a tick of each slot.
pub fn script() -> Vec<Op> {
    let events: Vec<(u64, Op)> = vec![
        (0, Op::Create { slot: 0, bits: 10, stale_after_ms: 2_000 }),
        (0, Op::Ballistics { slot: 0, settle_ms: 300, overshoot_pct: 1.0 }),
        (0, Op::Create { slot: 1, bits: 16, stale_after_ms: 500 }),
        (0, Op::Calibration { slot: 1, points: vec![(0.0, 1_000), (25.0, 20_000), (75.0, 50_000), (100.0, 64_000)] }),
        (100, Op::Show { slot: 1, at: 100, value: Some(50.0), reason: "" }),
        (200, Op::Show { slot: 0, at: 200, value: Some(60.0), reason: "" }),
        (400, Op::Show { slot: 1, at: 400, value: Some(12.5), reason: "" }),
        (800, Op::Calibration { slot: 0, points: vec![(0.0, 0), (50.0, 700), (100.0, 1_023)] }),
        (1_000, Op::Calibration { slot: 0, points: vec![(0.0, 0), (50.0, 700), (40.0, 800)] }),
        (1_200, Op::Show { slot: 0, at: 1_200, value: Some(20.0), reason: "" }),
        (1_500, Op::Show { slot: 1, at: 1_500, value: Some(99.75), reason: "" }),
        (1_800, Op::Ballistics { slot: 0, settle_ms: 1_200, overshoot_pct: 0.0 }),
        (1_800, Op::Show { slot: 0, at: 1_800, value: Some(90.25), reason: "" }),
        (5_200, Op::Show { slot: 0, at: 5_200, value: Some(35.5), reason: "" }),
        (5_200, Op::Show { slot: 1, at: 5_200, value: Some(-5.0), reason: "" }),
        (6_500, Op::Show { slot: 0, at: 6_500, value: None, reason: "NVML not found" }),
        (6_500, Op::Show { slot: 1, at: 6_500, value: Some(150.0), reason: "" }),
        (7_800, Op::Show { slot: 0, at: 7_800, value: Some(100.0), reason: "" }),
    ];
    let mut events = events.into_iter().peekable();
    let mut ops = Vec::new();
    let frames = (0..=END_MS).step_by(FRAME_MS as usize).filter(|at| !(HIDDEN_MS.0 < *at && *at < HIDDEN_MS.1));
    for at in frames.chain([HIDDEN_MS.1]).collect::<std::collections::BTreeSet<_>>() {
        while let Some((_, op)) = events.next_if(|(due, _)| *due <= at) {
            ops.push(op);
        }
        ops.extend([Op::Tick { slot: 0, at }, Op::Tick { slot: 1, at }]);
    }
    ops
}

/// Runs `ops` on fresh meter slots.
pub fn run(ops: Vec<Op>) -> Vec<Step> {
    let mut meters = MeterSlots::new();
    ops.into_iter()
        .map(|op| {
            let outcome = match &op {
                Op::Create { slot, bits, stale_after_ms } => meters.create(*slot, *bits, *stale_after_ms).map(|()| None),
                Op::Ballistics { slot, settle_ms, overshoot_pct } => {
                    meters.set_ballistics(*slot, *settle_ms, *overshoot_pct).map(|()| None)
                }
                Op::Calibration { slot, points } => {
                    let points: Vec<_> = points.iter().map(|&(percent, code)| CalibrationPoint { percent, code }).collect();
                    meters.set_calibration(*slot, &points).map(|()| None)
                }
                Op::Show { slot, at, value, reason } => {
                    let reading = value.map_or_else(|| Reading::Unknown((*reason).into()), Reading::Value);
                    meters.show(*slot, *at, reading).map(|()| None)
                }
                Op::Tick { slot, at } => meters.tick(*slot, *at).map(Some),
            };
            Step { op, outcome }
        })
        .collect()
}

/// The name host/wasm/virtual-meter.ts gives a needle state.
pub fn state_name(state: &NeedleState) -> &'static str {
    match state {
        NeedleState::Live => "live",
        NeedleState::Parked(NoData::Waiting) => "waiting",
        NeedleState::Parked(NoData::Stale) => "stale",
        NeedleState::Parked(NoData::Unknown(_)) => "unknown",
        NeedleState::Sweeping => "sweeping",
        NeedleState::Portal => "portal",
    }
}

fn text(value: &str) -> String {
    let mut quoted = String::from("\"");
    for c in value.chars() {
        match c {
            '"' | '\\' => quoted.extend(['\\', c]),
            c if c < ' ' => quoted.push_str(&format!("\\u{:04x}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted + "\""
}

/// One line of JSON for a step: the op's fields, then `code`, `percent` and `state` (and `reason`) after a tick, or
/// `refused` with the reason.
pub fn json(step: &Step) -> String {
    let op = match &step.op {
        Op::Create { slot, bits, stale_after_ms } => {
            format!(r#""op":"create","slot":{slot},"bits":{bits},"stale_after_ms":{stale_after_ms}"#)
        }
        Op::Ballistics { slot, settle_ms, overshoot_pct } => {
            format!(r#""op":"ballistics","slot":{slot},"settle_ms":{settle_ms},"overshoot_pct":{overshoot_pct:?}"#)
        }
        Op::Calibration { slot, points } => {
            let points: Vec<String> = points.iter().map(|(percent, code)| format!(r#"{{"percent":{percent:?},"code":{code}}}"#)).collect();
            format!(r#""op":"calibration","slot":{slot},"points":[{}]"#, points.join(","))
        }
        Op::Show { slot, at, value: Some(value), .. } => format!(r#""op":"show","slot":{slot},"at":{at},"value":{value:?}"#),
        Op::Show { slot, at, value: None, reason } => format!(r#""op":"show","slot":{slot},"at":{at},"value":null,"reason":{}"#, text(reason)),
        Op::Tick { slot, at } => format!(r#""op":"tick","slot":{slot},"at":{at}"#),
    };
    let outcome = match &step.outcome {
        Ok(None) => String::new(),
        Ok(Some(Needle { code, percent, state })) => {
            let reason = match state {
                NeedleState::Parked(NoData::Unknown(reason)) => format!(r#","reason":{}"#, text(reason)),
                _ => String::new(),
            };
            format!(r#","code":{code},"percent":{percent:?},"state":"{}"{reason}"#, state_name(state))
        }
        Err(error) => format!(r#","refused":{}"#, text(&error.to_string())),
    };
    format!("{{{op}{outcome}}}")
}
