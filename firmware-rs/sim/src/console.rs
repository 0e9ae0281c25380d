//! The simulated button and the test's hand on the device: lines on stdin (`press short`, `press long`) become
//! commands for the device tasks, `screen PATH` (or `screen oled PATH`) and `screen tft PATH` ask the screen task
//! for a PNG of the OLED or the TFT; `quit` stops the simulator.

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

/// Which of the simulated screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    /// The OLED (`--oled`).
    Oled,
    /// The TFT (`--tft`).
    Tft,
}

/// One line typed at the simulated device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// A command for the button task (or `quit`).
    Command(ConsoleCommand),
    /// Write this screen as PNG to this path.
    SaveScreen(Display, PathBuf),
}

/// Commands waiting for the device tasks.
pub type Commands = Channel<CriticalSectionRawMutex, ConsoleCommand, 8>;

/// PNG requests waiting for the screen task: which screen, and where.
pub type ScreenRequests = Channel<CriticalSectionRawMutex, (Display, PathBuf), 4>;

/// Parses one console line; blank lines are None, anything unknown is an error to report.
pub fn parse_line(line: &str) -> Result<Option<Typed>, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let command = match words.as_slice() {
        [] => return Ok(None),
        ["press", "short"] | ["press"] => ConsoleCommand::PressShort,
        ["press", "long"] => ConsoleCommand::PressLong,
        ["quit"] => ConsoleCommand::Quit,
        ["screen", _, ..] => {
            // The path is the rest of the line, spaces and all; a first word `oled` or `tft` before more names the
            // screen (a lone `screen tft` is the OLED written to a file called tft).
            let rest = line.trim_start()["screen".len()..].trim();
            let (display, path) = match rest.split_once(char::is_whitespace) {
                Some(("tft", path)) => (Display::Tft, path.trim()),
                Some(("oled", path)) => (Display::Oled, path.trim()),
                _ => (Display::Oled, rest),
            };
            return Ok(Some(Typed::SaveScreen(display, PathBuf::from(path))));
        }
        _ => return Err(format!("unknown command '{}'; expected `press short`, `press long`, `screen [tft|oled] PATH` or `quit`", line.trim())),
    };
    Ok(Some(Typed::Command(command)))
}

/// Reads stdin on its own thread (the executor must never block) and queues each command for the tasks; screen
/// requests go to `screen`, the screen task's queue, when the device has the screen asked for (`displays`).
pub fn spawn_reader(commands: &'static Commands, screen: Option<&'static ScreenRequests>, displays: &'static [Display]) -> std::io::Result<()> {
    std::thread::Builder::new().name("console".into()).spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            match parse_line(&line) {
                Ok(Some(Typed::Command(ConsoleCommand::Quit))) => std::process::exit(0),
                // A full queue means the tests type faster than a person could press; wait for room.
                Ok(Some(Typed::Command(command))) => send(commands, command),
                Ok(Some(Typed::SaveScreen(display, path))) => match screen.filter(|_| displays.contains(&display)) {
                    Some(requests) => send(requests, (display, path)),
                    None if display == Display::Tft => log::warn!("console: this device has no TFT; start it with --tft 320x240"),
                    None => log::warn!("console: this device has no OLED; start it with --oled 128x64"),
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
        assert_eq!(parse_line(" screen /tmp/my shots/hub.png "), Ok(Some(Typed::SaveScreen(Display::Oled, "/tmp/my shots/hub.png".into()))));
        assert_eq!(parse_line("screen tft /tmp/my shots/tft.png"), Ok(Some(Typed::SaveScreen(Display::Tft, "/tmp/my shots/tft.png".into()))));
        assert_eq!(parse_line("screen oled /tmp/o.png"), Ok(Some(Typed::SaveScreen(Display::Oled, "/tmp/o.png".into()))));
        assert_eq!(parse_line("screen tft"), Ok(Some(Typed::SaveScreen(Display::Oled, "tft".into()))), "a lone word is a path");
        assert_eq!(parse_line(""), Ok(None));
        assert!(parse_line("press hard").unwrap_err().contains("unknown command 'press hard'"));
        assert!(parse_line("screen").unwrap_err().contains("screen [tft|oled] PATH"), "a path is needed");
    }
}
