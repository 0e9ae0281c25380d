//! Logs to stderr, so stdout carries only the JSON status lines tests read. `SYSBOY_SIM_LOG=debug` says more.

use log::{Level, LevelFilter, Log, Metadata, Record};

struct StderrLog;

impl Log for StderrLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!("sysboy-sim {:<5} {}", record.level(), record.args());
        }
    }

    fn flush(&self) {}
}

static LOGGER: StderrLog = StderrLog;

/// Installs the logger at the level `SYSBOY_SIM_LOG` names (error, warn, info, debug, trace), info by default.
pub fn install() {
    let level = std::env::var("SYSBOY_SIM_LOG").ok().and_then(|name| name.parse::<Level>().ok()).map_or(LevelFilter::Info, |l| l.to_level_filter());
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(level);
    }
}
