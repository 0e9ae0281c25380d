//! The simulated button and the test's hand on the device: lines on stdin (`press short`, `press long`) become
//! commands for the device tasks, `screen PATH` asks the screen task for a PNG of the screen; `quit` stops the
//! simulator.

use std::io::BufRead;
use std::path::PathBuf;

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

/// One line typed at the simulated device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// A command for the button task (or `quit`).
    Command(ConsoleCommand),
    /// Write the screen as PNG to this path.
    SaveScreen(PathBuf),
}

/// Commands waiting for the device tasks.
pub type Commands = Channel<CriticalSectionRawMutex, ConsoleCommand, 8>;

/// PNG paths waiting for the screen task.
pub type ScreenRequests = Channel<CriticalSectionRawMutex, PathBuf, 4>;

/// Parses one console line; blank lines are None, anything unknown is an error to report.
pub fn parse_line(line: &str) -> Result<Option<Typed>, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let command = match words.as_slice() {
        [] => return Ok(None),
        ["press", "short"] | ["press"] => ConsoleCommand::PressShort,
        ["press", "long"] => ConsoleCommand::PressLong,
        ["quit"] => ConsoleCommand::Quit,
        // The path is the rest of the line, spaces and all.
        ["screen", _, ..] => return Ok(Some(Typed::SaveScreen(PathBuf::from(line.trim_start()["screen".len()..].trim())))),
        _ => return Err(format!("unknown command '{}'; expected `press short`, `press long`, `screen PATH` or `quit`", line.trim())),
    };
    Ok(Some(Typed::Command(command)))
}

/// Reads stdin on its own thread (the executor must never block) and queues each command for the tasks; screen
/// requests go to `screen`, the screen task's queue, when the device has a screen.
pub fn spawn_reader(commands: &'static Commands, screen: Option<&'static ScreenRequests>) -> std::io::Result<()> {
    std::thread::Builder::new().name("console".into()).spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            match parse_line(&line) {
                Ok(Some(Typed::Command(ConsoleCommand::Quit))) => std::process::exit(0),
                // A full queue means the tests type faster than a person could press; wait for room.
                Ok(Some(Typed::Command(command))) => send(commands, command),
                Ok(Some(Typed::SaveScreen(path))) => match screen {
                    Some(requests) => send(requests, path),
                    None => log::warn!("console: this device has no screen; start it with --oled 128x64"),
                },
                Ok(None) => {}
                Err(error) => log::warn!("console: {error}"),
            }
        }
    })?;
    Ok(())
}

/// Queues `item`, waiting for room.
fn send<T: Clone, const N: usize>(queue: &Channel<CriticalSectionRawMutex, T, N>, item: T) {
    while queue.try_send(item.clone()).is_err() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_presses_and_screen_requests_and_refuses_the_rest() {
        assert_eq!(parse_line("press short"), Ok(Some(Typed::Command(ConsoleCommand::PressShort))));
        assert_eq!(parse_line("  press   long "), Ok(Some(Typed::Command(ConsoleCommand::PressLong))));
        assert_eq!(parse_line("quit"), Ok(Some(Typed::Command(ConsoleCommand::Quit))));
        assert_eq!(parse_line(" screen /tmp/my shots/hub.png "), Ok(Some(Typed::SaveScreen("/tmp/my shots/hub.png".into()))));
        assert_eq!(parse_line(""), Ok(None));
        assert!(parse_line("press hard").unwrap_err().contains("unknown command 'press hard'"));
        assert!(parse_line("screen").unwrap_err().contains("screen PATH"), "a path is needed");
    }
}
