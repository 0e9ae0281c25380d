//! Why the simulated device started. The chip keeps its reset cause in a register that a software reset leaves set;
//! the simulator's restart re-executes the process with [`RESET_ENV`] set to say the same, and a process started
//! without it is a power-on.

use sysboy_protocol::ResetReason;

/// The variable the simulator's own restart sets across the `exec`.
pub const RESET_ENV: &str = "SYSBOY_SIM_RESET";

/// The reason this process started: `software` after the simulator's own restart, else `power_on`.
pub fn reason() -> ResetReason {
    reason_from(std::env::var(RESET_ENV).ok().as_deref())
}

/// Restarts the simulator in place (same process id, same arguments, same stdout), as the board resets: after a
/// portal join, and into an update just activated.
pub fn restart() -> ! {
    use std::io::Write as _;
    use std::os::unix::process::CommandExt as _;
    let _ = std::io::stdout().flush();
    let mut args = std::env::args_os();
    let program = std::env::current_exe().ok().map(Into::into).or_else(|| args.next()).unwrap_or_default();
    let error = std::process::Command::new(program).args(std::env::args_os().skip(1)).env(RESET_ENV, "software").exec();
    eprintln!("sysboy-sim: cannot restart: {error}");
    std::process::exit(1);
}

fn reason_from(value: Option<&str>) -> ResetReason {
    match value {
        Some("software") => ResetReason::Software,
        _ => ResetReason::PowerOn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_process_is_a_power_on_and_a_restart_is_a_software_reset() {
        assert_eq!(reason_from(None), ResetReason::PowerOn);
        assert_eq!(reason_from(Some("software")), ResetReason::Software);
        assert_eq!(reason_from(Some("")), ResetReason::PowerOn);
    }
}
