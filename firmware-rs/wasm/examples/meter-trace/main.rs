//! Prints the meter trace of the scripted sequence in `script.rs`, one JSON object a line: every op on the native
//! build of the module's meter slots, and after each tick the output code, the needle's percent and its state.
//! host/wasm/virtual-meter.test.ts runs the same ops through the WebAssembly module and compares them tick by tick.
//!
//! `cargo run -q -p sysboy-wasm --example meter-trace`

mod script;

use std::io::{self, Write};

fn main() -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    for step in script::run(script::script()) {
        writeln!(out, "{}", script::json(&step))?;
    }
    out.flush()
}
