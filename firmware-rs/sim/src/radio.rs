//! The simulated radio: `sysboy_device::radio::Radio` over files and TAP devices. The scan list is a JSON file
//! (`--scan-list`); a join succeeds when the SSID and password match an entry of `--station-networks` (the home
//! networks "in range"); the access point is on the air when its gate is open.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::task::{Context, Waker};

use embassy_net::driver::{Capabilities, Driver, HardwareAddress, LinkState, RxToken};
use embassy_time::{Duration, Timer};
use sysboy_device::radio::{AccessPointConfig, JoinError, Radio, RadioError, ScanEntry};
use sysboy_device::settings::WifiCredentials;

use crate::tap::{TapDevice, TapRx, TapTx};

/// How long a join takes on the simulated air: long enough for the page to show progress.
const JOIN_TIME: Duration = Duration::from_millis(400);

/// Whether the access point is on the air, and who to wake when that changes.
pub struct AirGate {
    open: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl AirGate {
    /// A closed gate: the access point is off the air.
    pub const fn new() -> Self {
        Self { open: AtomicBool::new(false), waker: Mutex::new(None) }
    }

    /// Opens or closes the gate.
    pub fn set(&self, open: bool) {
        self.open.store(open, Ordering::Relaxed);
        if let Some(waker) = self.waker.lock().unwrap_or_else(|e| e.into_inner()).take() {
            waker.wake();
        }
    }

    /// Whether the gate is open.
    pub fn is_open(&self) -> bool {
        self.open.load(Ordering::Relaxed)
    }

    fn register(&self, cx: &Context<'_>) {
        *self.waker.lock().unwrap_or_else(|e| e.into_inner()) = Some(cx.waker().clone());
    }
}

/// The access point's interface: the TAP, silent while the gate is closed (frames both ways are lost, and the
/// link is down), as the ESP32's AP interface is while the AP is off.
pub struct AccessPointInterface {
    tap: TapDevice,
    gate: &'static AirGate,
}

impl AccessPointInterface {
    /// The interface over `tap`, on the air while `gate` is open.
    pub fn new(tap: TapDevice, gate: &'static AirGate) -> Self {
        Self { tap, gate }
    }
}

impl Driver for AccessPointInterface {
    type RxToken<'a> = TapRx;
    type TxToken<'a> = TapTx;

    fn receive(&mut self, cx: &mut Context<'_>) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        self.gate.register(cx);
        if self.gate.is_open() {
            return self.tap.receive(cx);
        }
        // Off the air: whatever the kernel side sends is lost.
        while let Some((rx, _)) = self.tap.receive(cx) {
            rx.consume(|_| ());
        }
        None
    }

    fn transmit(&mut self, cx: &mut Context<'_>) -> Option<Self::TxToken<'_>> {
        if self.gate.is_open() {
            self.tap.transmit(cx)
        } else {
            self.gate.register(cx);
            None
        }
    }

    fn link_state(&mut self, cx: &mut Context<'_>) -> LinkState {
        self.gate.register(cx);
        match (self.gate.is_open(), self.tap.link_state(cx)) {
            (true, LinkState::Up) => LinkState::Up,
            _ => LinkState::Down,
        }
    }

    fn capabilities(&self) -> Capabilities {
        self.tap.capabilities()
    }

    fn hardware_address(&self) -> HardwareAddress {
        self.tap.hardware_address()
    }
}

/// The simulated radio.
pub struct SimRadio {
    scan_list: Option<PathBuf>,
    networks: Option<PathBuf>,
    gate: &'static AirGate,
}

impl SimRadio {
    /// A radio that hears the networks in `scan_list` and can join those in `networks`.
    pub fn new(scan_list: Option<PathBuf>, networks: Option<PathBuf>, gate: &'static AirGate) -> Self {
        Self { scan_list, networks, gate }
    }
}

/// Reads a JSON list from `path`; a missing path is an empty list, an unreadable file is logged and empty.
fn read_list<T: serde::de::DeserializeOwned>(path: Option<&PathBuf>, what: &str) -> Vec<T> {
    let Some(path) = path else { return Vec::new() };
    let parsed = std::fs::read(path).map_err(|e| e.to_string()).and_then(|bytes| serde_json::from_slice(&bytes).map_err(|e| e.to_string()));
    parsed.unwrap_or_else(|error| {
        log::warn!("radio: cannot read the {what} {}: {error}", path.display());
        Vec::new()
    })
}

impl Radio for SimRadio {
    async fn scan(&mut self) -> Result<Vec<ScanEntry>, RadioError> {
        let mut networks: Vec<ScanEntry> = read_list(self.scan_list.as_ref(), "scan list");
        networks.sort_by_key(|n| std::cmp::Reverse(n.rssi));
        Ok(networks)
    }

    async fn start_access_point(&mut self, config: &AccessPointConfig) -> Result<(), RadioError> {
        log::info!("radio: access point \"{}\" on the air", config.ssid);
        self.gate.set(true);
        Ok(())
    }

    async fn stop_access_point(&mut self) -> Result<(), RadioError> {
        log::info!("radio: access point off the air");
        self.gate.set(false);
        Ok(())
    }

    async fn join(&mut self, credentials: &WifiCredentials) -> Result<(), JoinError> {
        Timer::after(JOIN_TIME).await;
        let networks: Vec<WifiCredentials> = read_list(self.networks.as_ref(), "station networks");
        match networks.iter().find(|n| n.ssid == credentials.ssid) {
            None => Err(JoinError::NotFound),
            Some(network) if network.password != credentials.password => Err(JoinError::WrongPassword),
            Some(_) => Ok(()),
        }
    }
}
