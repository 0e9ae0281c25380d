//! Prints the calibration maths of the native build for a table of curves, one JSON object a line: the code at a
//! percent, the percent at a code, or the check of a curve, and what each gave (or why it was refused).
//! host/wasm/curves.test.ts asks the WebAssembly module the same through its TypeScript wrapper and compares.
//!
//! `cargo run -q -p sysboy-wasm --example curve-table`

use std::io::{self, Write};

use sysboy_protocol::CalibrationPoint;
use sysboy_wasm::{abi, curves, MeterAbiError};

/// A curve as (percent, code) pairs; codes are `f64`, as the host passes them, so that a bad one can be asked about.
type Curve = &'static [(f64, f64)];

const BENT: Curve = &[(0.0, 10.0), (50.0, 400.0), (100.0, 1000.0)];
const INSET: Curve = &[(10.0, 100.0), (50.0, 300.0), (100.0, 900.0)];
const WIDE: Curve = &[(0.0, 1_000.0), (25.0, 20_000.0), (75.0, 50_000.0), (100.0, 64_000.0)];
/// Curves the board refuses: flat, falling back, one point, a code above 10 bits, a percent past 100, a fraction.
const REFUSED: &[Curve] = &[
    &[(0.0, 0.0), (50.0, 600.0), (100.0, 600.0)],
    &[(0.0, 0.0), (50.0, 10.0), (40.0, 20.0)],
    &[(0.0, 0.0)],
    &[(0.0, 0.0), (100.0, 2_000.0)],
    &[(0.0, 0.0), (120.0, 10.0)],
    &[(0.0, 0.0), (100.0, 1.5)],
];

fn protocol(curve: Curve) -> Result<Vec<CalibrationPoint>, MeterAbiError> {
    // As the module reads the scratch buffer: a code that is not a whole u16 is refused with its point's index.
    curve
        .iter()
        .enumerate()
        .map(|(index, &(percent, code))| {
            let code = abi::output_code(code).map_err(|_| MeterAbiError::BadPointCode(index))?;
            Ok(CalibrationPoint { percent, code })
        })
        .collect()
}

fn points_json(curve: Option<Curve>) -> String {
    match curve {
        None => "null".into(),
        Some(curve) => {
            let points: Vec<String> = curve.iter().map(|(percent, code)| format!(r#"{{"percent":{percent:?},"code":{code:?}}}"#)).collect();
            format!("[{}]", points.join(","))
        }
    }
}

fn outcome(result: Result<String, MeterAbiError>) -> String {
    match result {
        Ok(value) => format!(r#""result":{value}"#),
        Err(error) => format!(r#""refused":"{}""#, error.to_string().replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

/// A number as JSON: the shortest form that reads back as the same `f32` (NaN never comes here: refusals do).
fn number(value: f32) -> String {
    format!("{value:?}")
}

fn main() -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    let linear: [(Option<Curve>, u32); 3] = [(None, 10), (None, 12), (None, 16)];
    let curves: Vec<(Option<Curve>, u32)> =
        linear.into_iter().chain([(Some(BENT), 10), (Some(INSET), 12), (Some(WIDE), 16)]).chain(REFUSED.iter().map(|&c| (Some(c), 10))).collect();
    for &(curve, bits) in &curves {
        let points = protocol(curve.unwrap_or(&[]));
        let json = points_json(curve);
        for percent in [-5.0, 0.0, 0.1, 12.345, 25.0, 33.3, 50.0, 62.5, 75.0, 99.99, 100.0, 150.0] {
            let code = points.clone().and_then(|points| curves::code_at(&points, bits, percent)).map(|code| code.to_string());
            writeln!(out, r#"{{"op":"code_at","points":{json},"bits":{bits},"percent":{percent:?},{}}}"#, outcome(code))?;
        }
        for code in [0.0, 3.0, 10.0, 205.0, 341.0, 600.0, 700.0, 1023.0, 4095.0, 33_333.0, 65_535.0, 1.5, -1.0] {
            let percent = points.clone().and_then(|points| curves::percent_at(&points, bits, code)).map(number);
            writeln!(out, r#"{{"op":"percent_at","points":{json},"bits":{bits},"code":{code:?},{}}}"#, outcome(percent))?;
        }
        if curve.is_some() {
            let checked = points.clone().and_then(|points| curves::check(&points, bits)).map(|()| "null".to_string());
            writeln!(out, r#"{{"op":"check","points":{json},"bits":{bits},{}}}"#, outcome(checked))?;
        }
    }
    // Bits the module does not take, and no points at all to check.
    writeln!(out, r#"{{"op":"code_at","points":null,"bits":17,"percent":50.0,{}}}"#, outcome(curves::code_at(&[], 17, 50.0).map(|c| c.to_string())))?;
    writeln!(out, r#"{{"op":"check","points":[],"bits":10,{}}}"#, outcome(curves::check(&[], 10).map(|()| "null".to_string())))?;
    out.flush()
}
