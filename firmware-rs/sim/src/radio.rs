//! The simulated radio: `sysboy_device::radio::Radio` over files and TAP devices, as strict as esp-radio. The scan
//! list is a JSON file (`--scan-list`); a join succeeds when the SSID and password match an entry of
//! `--station-networks` (the home networks "in range", each on a channel) and the station's TAP is up.
//!
//! Every row of the contract table in `sysboy_device::radio` is modelled here:
//! 1. a mode change stops Wi-Fi: the station is disassociated (its link goes down) and the access point's clients
//!    are dropped (the AP TAP's carrier goes off for [`DROP_TIME`], so the phone's connections fail);
//! 2. nothing rejoins on its own: the station stays down after a stop, a failed join or a lost network (its TAP
//!    going down) until the next successful [`Radio::join`];
//! 3. a scan fails unless the mode has a station side (and before Wi-Fi was started);
//! 4. in AP+STA a join to a network on another channel moves the access point there and drops its clients;
//! 5. the station's link is up only while associated, the access point's only while it is on the air;
//! 6. failed joins report `not_found` (no such network, or its TAP is down) and `wrong_password`;
//! 7. a restart of the radio stops Wi-Fi like a mode change.

use core::cell::RefCell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::task::{Context, Waker};

use embassy_net::driver::{Capabilities, Driver, HardwareAddress, LinkState, RxToken};
use embassy_time::{Duration, Timer};
use serde::Deserialize;
use serde_json::json;
use sysboy_device::radio::{AccessPointConfig, JoinError, Radio, RadioError, RadioMode, ScanEntry};
use sysboy_device::settings::WifiCredentials;

use crate::panel::Panel;
use crate::tap::{Carrier, TapDevice, TapRx, TapTx};

/// How long a join takes on the simulated air: long enough for the page to show progress.
const JOIN_TIME: Duration = Duration::from_millis(400);
/// How long the access point's clients are cut off when it stops or changes channel: about what a phone takes to
/// notice and look for the network again.
pub const DROP_TIME: Duration = Duration::from_millis(1_500);
/// The access point's channel after a start (esp-radio's `AccessPointConfig::default`).
const AP_CHANNEL: u8 = 1;
/// The channel of a home network whose entry names none.
const DEFAULT_CHANNEL: u8 = 6;

/// A flag the radio sets and a network interface reads, with a waker for the interface's runner.
pub struct AirGate {
    open: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl AirGate {
    /// A closed gate.
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

/// Whether the station is associated with a home network (contract rows 2 and 5).
pub static ASSOCIATION: AirGate = AirGate::new();

/// What an interface of the radio is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The access point: on the air while its gate is open.
    AccessPoint,
    /// The station: associated while its gate is open; a home network that goes away (the kernel side of the TAP
    /// going down) disassociates it for good, and only a new join brings it back (contract row 2).
    Station,
}

/// One of the radio's interfaces over a TAP: silent while its gate is closed (frames both ways are lost, and the
/// link is down), as the ESP32's interfaces are while the AP is off or the station unassociated. Without a gate
/// it is a plain wire that follows the TAP (the simulator's station-only mode, which has no radio).
pub struct AirInterface {
    tap: TapDevice,
    gate: Option<&'static AirGate>,
    role: Role,
}

impl AirInterface {
    /// The interface over `tap` in `role`, on the air while `gate` is open (always, when None).
    pub fn new(tap: TapDevice, gate: Option<&'static AirGate>, role: Role) -> Self {
        Self { tap, gate, role }
    }

    fn on_air(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(gate) = self.gate else { return true };
        gate.register(cx);
        if self.role == Role::Station && gate.is_open() && self.tap.link_state(cx) == LinkState::Down {
            log::info!("radio: the home network went away (beacon lost); the station stays down until a join");
            gate.set(false);
        }
        gate.is_open()
    }
}

impl Driver for AirInterface {
    type RxToken<'a> = TapRx;
    type TxToken<'a> = TapTx;

    fn receive(&mut self, cx: &mut Context<'_>) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        if self.on_air(cx) {
            return self.tap.receive(cx);
        }
        // Off the air: whatever the kernel side sends is lost.
        while let Some((rx, _)) = self.tap.receive(cx) {
            rx.consume(|_| ());
        }
        None
    }

    fn transmit(&mut self, cx: &mut Context<'_>) -> Option<Self::TxToken<'_>> {
        if self.on_air(cx) {
            self.tap.transmit(cx)
        } else {
            None
        }
    }

    fn link_state(&mut self, cx: &mut Context<'_>) -> LinkState {
        match (self.on_air(cx), self.tap.link_state(cx)) {
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

/// A home network in range, as the `--station-networks` file lists it.
#[derive(Debug, Clone, Deserialize)]
struct HomeNetwork {
    ssid: String,
    password: String,
    #[serde(default)]
    channel: Option<u8>,
}

/// The simulated radio.
pub struct SimRadio {
    scan_list: Option<PathBuf>,
    networks: Option<PathBuf>,
    /// The access point on the air.
    gate: &'static AirGate,
    /// The kernel side of the access point's TAP: its carrier drops the phone.
    ap_carrier: Carrier,
    /// Whether the station's TAP is up (the home network exists at all).
    station_up: Box<dyn Fn() -> bool>,
    /// The mode Wi-Fi runs in; None before the first configuration (Wi-Fi not started).
    mode: Option<RadioMode>,
    /// The access point is wanted.
    access_point: bool,
    /// The access point's channel.
    channel: u8,
    /// Where the radio's doings are reported, once the panel exists.
    panel: Option<&'static RefCell<Panel>>,
}

impl SimRadio {
    /// A radio that hears the networks in `scan_list` and can join those in `networks`; its access point is the
    /// TAP behind `gate` and `ap_carrier`, its station is associated through [`ASSOCIATION`].
    pub fn new(
        scan_list: Option<PathBuf>,
        networks: Option<PathBuf>,
        gate: &'static AirGate,
        ap_carrier: Carrier,
        station_up: Box<dyn Fn() -> bool>,
    ) -> Self {
        Self { scan_list, networks, gate, ap_carrier, station_up, mode: None, access_point: false, channel: AP_CHANNEL, panel: None }
    }

    /// Reports the radio's doings (dropped clients, mode changes) to `panel` from now on.
    pub fn report_to(&mut self, panel: &'static RefCell<Panel>) {
        self.panel = Some(panel);
    }

    fn event(&self, name: &str, detail: serde_json::Value) {
        if let Some(panel) = self.panel {
            panel.borrow_mut().event(crate::now_ms(), name, detail);
        }
    }

    /// Puts the wanted mode on the air; a different mode stops Wi-Fi first (row 1).
    async fn apply(&mut self) {
        let wanted = RadioMode::wanted(self.access_point);
        if let Some(previous) = self.mode.filter(|previous| *previous != wanted) {
            self.stop(&format!("mode change {previous:?} → {wanted:?}")).await;
        }
        self.mode = Some(wanted);
        let on_air = matches!(wanted, RadioMode::AccessPoint | RadioMode::AccessPointStation);
        self.gate.set(on_air);
    }

    /// `esp_wifi_stop`: the station is disassociated and the access point's clients are dropped.
    async fn stop(&mut self, why: &str) {
        log::info!("radio: Wi-Fi stops ({why}): the station is dropped");
        let station = ASSOCIATION.is_open();
        ASSOCIATION.set(false);
        self.channel = AP_CHANNEL;
        self.event("radio_stopped", json!({ "why": why, "station_dropped": station }));
        if self.gate.is_open() {
            self.drop_clients(why).await;
        }
    }

    /// Cuts the phone off for [`DROP_TIME`], as a stop or a channel move does.
    async fn drop_clients(&mut self, why: &str) {
        log::info!("radio: the access point's clients are dropped ({why})");
        self.event("ap_clients_dropped", json!({ "why": why }));
        let on_air = self.gate.is_open();
        self.gate.set(false);
        self.ap_carrier.set(false);
        Timer::after(DROP_TIME).await;
        self.ap_carrier.set(true);
        self.gate.set(on_air);
    }

    fn has_station(&self) -> bool {
        matches!(self.mode, Some(RadioMode::Station | RadioMode::AccessPointStation))
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
        if !self.has_station() {
            // Row 3: no scan without the station side (nor before Wi-Fi started).
            log::warn!("radio: scan refused in mode {:?}", self.mode);
            return Err(RadioError);
        }
        let mut networks: Vec<ScanEntry> = read_list(self.scan_list.as_ref(), "scan list");
        networks.sort_by_key(|n| std::cmp::Reverse(n.rssi));
        Ok(networks)
    }

    async fn start_access_point(&mut self, config: &AccessPointConfig) -> Result<(), RadioError> {
        log::info!("radio: access point \"{}\" on the air", config.ssid);
        self.access_point = true;
        self.apply().await;
        Ok(())
    }

    async fn stop_access_point(&mut self) -> Result<(), RadioError> {
        log::info!("radio: access point off the air");
        self.access_point = false;
        self.apply().await;
        Ok(())
    }

    async fn join(&mut self, credentials: &WifiCredentials) -> Result<(), JoinError> {
        if self.mode.is_none() {
            self.apply().await;
        }
        // A new connect replaces the old association.
        ASSOCIATION.set(false);
        Timer::after(JOIN_TIME).await;
        let networks: Vec<HomeNetwork> = read_list(self.networks.as_ref(), "station networks");
        let network = match networks.iter().find(|n| n.ssid == credentials.ssid) {
            None => return Err(JoinError::NotFound),
            Some(_) if !(self.station_up)() => return Err(JoinError::NotFound),
            Some(network) if network.password != credentials.password => return Err(JoinError::WrongPassword),
            Some(network) => network.clone(),
        };
        ASSOCIATION.set(true);
        let channel = network.channel.unwrap_or(DEFAULT_CHANNEL);
        if self.gate.is_open() && channel != self.channel {
            // Row 4: the access point follows the station to its channel.
            let why = format!("channel {} → {channel}", self.channel);
            self.channel = channel;
            self.drop_clients(&why).await;
        }
        Ok(())
    }
}

/// Row 7: a restart of the driver stops Wi-Fi; the mode comes back, the station needs a join.
impl sysboy_device::net::provisioning::RestartRadio for SimRadio {
    async fn restart(&mut self) -> Result<(), RadioError> {
        self.stop("radio restart").await;
        self.mode = None;
        self.apply().await;
        log::info!("radio: restarted");
        Ok(())
    }
}
