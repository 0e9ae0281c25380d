//! The simulated board's USB serial port (`--serial PATH`): a pseudo-terminal whose other end is linked at PATH,
//! carrying the log lines, as the C3/C6 USB-Serial-JTAG port carries the board's esp-println output, and Improv Wi-Fi
//! packets both ways (`sysboy_device::improv`), wired to the portal's submissions as on the board.
//!
//! The terminal is raw (no echo, no line editing), and the simulator holds its far end open too, so a client may come
//! and go. Writes never block: with nobody reading, what the terminal cannot hold is dropped, as esp-println drops
//! output no host reads. The terminal outlives the simulator's restart (the `exec` keeps its descriptors, named in
//! [`FD_ENV`]), as a board's USB port stays enumerated across a software reset, and an Improv answer owed to a client
//! when the board restarted is kept in [`OWED_ENV`], as a board keeps it in RTC RAM.

use core::cell::RefCell;
use std::ffi::CStr;
use std::io::Write;
use std::os::fd::RawFd;
use std::path::Path;
use std::sync::Mutex;

use embassy_net::Stack;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::pipe::Pipe;
use log::{Level, LevelFilter, Log, Metadata, Record};
use serde_json::json;
use sysboy_device::improv::io::{self as improv_io, ImprovPort, ImprovWiring};
use sysboy_device::improv::{DeviceInfo, Heard, ImprovService, Kept};
use sysboy_device::net::portal::Submissions;
use sysboy_device::portal::server::PortalServer;
use sysboy_device::settings::Settings;
use sysboy_protocol::{Hello, ResetReason};

use crate::now_ms;
use crate::panel::Panel;

/// The terminal's descriptors (`master,slave`), kept across the simulator's restart.
pub const FD_ENV: &str = "SYSBOY_SIM_SERIAL_FD";
/// The network whose join an Improv client waits for, kept across the simulator's restart.
pub const OWED_ENV: &str = "SYSBOY_SIM_IMPROV_OWED";

/// The terminal's own end, for the logger and the Improv task; none without `--serial`.
static PORT: Mutex<Option<RawFd>> = Mutex::new(None);
/// Bytes a client wrote, for the Improv task.
static INPUT: Pipe<CriticalSectionRawMutex, 1024> = Pipe::new();

/// Opens the terminal (or takes back the one from before a restart), links its far end at `path`, starts reading
/// it and installs the logger that writes to it as well as to stderr.
pub fn open(path: &Path) -> Result<(), String> {
    let (master, slave) = match inherited() {
        Some(fds) => fds,
        None => create()?,
    };
    // SAFETY: `slave` is a terminal descriptor this process holds; ttyname's buffer is copied at once.
    let name = unsafe { libc::ttyname(slave) };
    if name.is_null() {
        return Err(format!("the serial terminal has no name: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: non-null, NUL-terminated, as ttyname returns.
    let name = unsafe { CStr::from_ptr(name) }.to_string_lossy().into_owned();
    if std::fs::read_link(path).ok().as_deref() != Some(Path::new(&name)) {
        let _ = std::fs::remove_file(path);
        std::os::unix::fs::symlink(&name, path).map_err(|error| format!("cannot link {name} at {}: {error}", path.display()))?;
    }
    // Set before any thread starts, and inherited by the restart's exec.
    std::env::set_var(FD_ENV, format!("{master},{slave}"));
    *PORT.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(master);
    std::thread::Builder::new()
        .name("serial".into())
        .spawn(move || read(master))
        .map_err(|error| format!("cannot start the serial reader: {error}"))?;
    if log::set_logger(&SERIAL_LOG).is_ok() {
        let level = std::env::var("SYSBOY_SIM_LOG").ok().and_then(|name| name.parse::<Level>().ok()).map_or(LevelFilter::Info, |l| l.to_level_filter());
        log::set_max_level(level);
    }
    eprintln!("sysboy-sim: serial port {name}, linked at {}", path.display());
    Ok(())
}

/// The descriptors a restart handed down, when they are still a terminal pair.
fn inherited() -> Option<(RawFd, RawFd)> {
    let (master, slave) = std::env::var(FD_ENV).ok()?.split_once(',').and_then(|(m, s)| Some((m.parse().ok()?, s.parse().ok()?)))?;
    // SAFETY: isatty only asks about the descriptor numbers.
    (unsafe { libc::isatty(master) == 1 && libc::isatty(slave) == 1 }).then_some((master, slave))
}

fn create() -> Result<(RawFd, RawFd), String> {
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes the two descriptors; the name, termios and size pointers may be null.
    if unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), std::ptr::null()) } != 0 {
        return Err(format!("cannot open a pseudo-terminal: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: plain calls on descriptors this process just opened, with a termios it owns.
    unsafe {
        let mut termios: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(slave, &mut termios) == 0 {
            libc::cfmakeraw(&mut termios);
            libc::tcsetattr(slave, libc::TCSANOW, &termios);
        }
        for fd in [master, slave] {
            // Kept across the restart's exec.
            libc::fcntl(fd, libc::F_SETFD, 0);
        }
        let flags = libc::fcntl(master, libc::F_GETFL);
        libc::fcntl(master, libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
    Ok((master, slave))
}

/// Moves what a client writes into [`INPUT`], for ever.
fn read(master: RawFd) {
    let mut buffer = [0u8; 256];
    loop {
        let mut poll = libc::pollfd { fd: master, events: libc::POLLIN, revents: 0 };
        // SAFETY: one pollfd, and a buffer of the length given.
        let read = unsafe {
            libc::poll(&mut poll, 1, -1);
            libc::read(master, buffer.as_mut_ptr().cast(), buffer.len())
        };
        if read <= 0 {
            std::thread::sleep(std::time::Duration::from_millis(20));
            continue;
        }
        let mut bytes = &buffer[..read as usize];
        while !bytes.is_empty() {
            match INPUT.try_write(bytes) {
                Ok(written) => bytes = &bytes[written..],
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(1)),
            }
        }
    }
}

/// Writes `bytes` to the terminal whole, under the lock the log lines take, dropping what it cannot hold.
fn write(bytes: &[u8]) {
    let port = PORT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let Some(master) = *port else { return };
    let mut rest = bytes;
    for _ in 0..50 {
        if rest.is_empty() {
            return;
        }
        // SAFETY: a buffer of the length given, on the terminal's own end.
        let written = unsafe { libc::write(master, rest.as_ptr().cast(), rest.len()) };
        if written > 0 {
            rest = &rest[written as usize..];
        } else {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
}

/// Logs to stderr as `logger.rs` does, and to the serial port in esp-println's shape (`INFO - ...`).
struct SerialLog;

impl Log for SerialLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!("sysboy-sim {:<5} {}", record.level(), record.args());
            let mut line = Vec::new();
            let _ = writeln!(line, "{} - {}", record.level(), record.args());
            write(&line);
        }
    }

    fn flush(&self) {}
}

static SERIAL_LOG: SerialLog = SerialLog;

/// The simulator's port as the Improv task uses it: what it hears goes to the panel's events.
struct SimPort {
    panel: &'static RefCell<Panel>,
}

impl ImprovPort for SimPort {
    async fn read(&mut self, buffer: &mut [u8]) -> usize {
        INPUT.read(buffer).await
    }

    fn write(&mut self, bytes: &[u8]) {
        write(bytes);
    }

    fn heard(&mut self, heard: &Heard) {
        let detail = match heard {
            Heard::Submitted(submission) => json!({ "heard": "wifi_settings", "ssid": submission.wifi.ssid }),
            Heard::Answered(command) => json!({ "heard": "answered", "command": command }),
            Heard::Refused(refusal) => json!({ "heard": "refused", "reason": refusal.to_string(), "error": refusal.error() as u8 }),
        };
        match heard {
            Heard::Refused(refusal) => log::warn!("improv: {refusal}"),
            Heard::Submitted(submission) => log::info!("improv: Wi-Fi settings for \"{}\"", submission.wifi.ssid),
            Heard::Answered(_) => {}
        }
        self.panel.borrow_mut().event(now_ms(), "improv", detail);
    }

    fn owed(&mut self, ssid: Option<&str>) {
        // Only the executor's thread touches the environment after start-up.
        match ssid {
            Some(ssid) => std::env::set_var(OWED_ENV, ssid),
            None => std::env::remove_var(OWED_ENV),
        }
    }
}

/// Whether `--serial` opened the port.
pub fn is_open() -> bool {
    PORT.lock().map(|port| port.is_some()).unwrap_or(false)
}

/// Starts the Improv task on the port, when `--serial` opened one; the device's information comes from its `hello`,
/// and a Wi-Fi change keeps the host, token and country of `settings`.
pub fn spawn_improv(
    spawner: embassy_executor::Spawner,
    portal: &'static RefCell<PortalServer>,
    submissions: &'static Submissions,
    station: Stack<'static>,
    settings: &Settings,
    hello: &Hello,
    panel: &'static RefCell<Panel>,
) {
    if !is_open() {
        return;
    }
    let info = DeviceInfo::from_hello(hello);
    let kept = Kept::from_settings(settings);
    // An answer is owed only across the simulator's own restart; a fresh start owes nobody.
    let owed = (crate::reset::reason() == ResetReason::Software).then(|| std::env::var(OWED_ENV).ok()).flatten();
    let service = match owed {
        Some(ssid) => ImprovService::resume(info, kept.clone(), ssid),
        None => ImprovService::new(info, kept.clone()),
    };
    let wiring = ImprovWiring { portal, submissions, station, host: kept.host };
    spawner.spawn(improv(SimPort { panel }, service, wiring).expect("the Improv task is spawned once"));
}

#[embassy_executor::task]
async fn improv(port: SimPort, service: ImprovService, wiring: ImprovWiring<'static>) -> ! {
    improv_io::run(port, service, wiring).await
}
