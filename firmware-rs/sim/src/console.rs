//! The simulated button and the test's hand on the device: lines on stdin (`press short`, `press long`) become
//! commands for the device tasks; `quit` stops the simulator.

use std::io::BufRead;

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;

/// One thing typed at the simulated device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleCommand {
    /// Hold the button briefly.
    PressShort,
    /// Hold the button past the long-press time.
    PressLong,
    /// Stop the simulator.
    Quit,
}

/// Commands waiting for the device tasks.
pub type Commands = Channel<CriticalSectionRawMutex, ConsoleCommand, 8>;

/// Parses one console line; blank lines are None, anything unknown is an error to report.
pub fn parse_line(line: &str) -> Result<Option<ConsoleCommand>, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [] => Ok(None),
        ["press", "short"] | ["press"] => Ok(Some(ConsoleCommand::PressShort)),
        ["press", "long"] => Ok(Some(ConsoleCommand::PressLong)),
        ["quit"] => Ok(Some(ConsoleCommand::Quit)),
        _ => Err(format!("unknown command '{}'; expected `press short`, `press long` or `quit`", line.trim())),
    }
}

/// Reads stdin on its own thread (the executor must never block) and queues each command for the tasks.
pub fn spawn_reader(commands: &'static Commands) -> std::io::Result<()> {
    std::thread::Builder::new().name("console".into()).spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            match parse_line(&line) {
                Ok(Some(ConsoleCommand::Quit)) => std::process::exit(0),
                Ok(Some(command)) => {
                    // A full queue means the tests type faster than a person could press; wait for room.
                    while commands.try_send(command).is_err() {
                        std::thread::sleep(std::time::Duration::from_millis(10));
                    }
                }
                Ok(None) => {}
                Err(error) => log::warn!("console: {error}"),
            }
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_presses_and_refuses_the_rest() {
        assert_eq!(parse_line("press short"), Ok(Some(ConsoleCommand::PressShort)));
        assert_eq!(parse_line("  press   long "), Ok(Some(ConsoleCommand::PressLong)));
        assert_eq!(parse_line("quit"), Ok(Some(ConsoleCommand::Quit)));
        assert_eq!(parse_line(""), Ok(None));
        assert!(parse_line("press hard").unwrap_err().contains("unknown command 'press hard'"));
    }
}
