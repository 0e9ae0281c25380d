//! The station task: `sysboy_device::net::station` (address, host by saved address or mDNS, TCP, sessions through
//! `sysboy_device::io::run_session`, backoff) over the station TAP, as the ESP32 runs it over Wi-Fi. What is the
//! simulator's own is the board and turning the station's reports into the panel's status and events.

use core::cell::RefCell;
use std::net::SocketAddrV4;

use embassy_net::Stack;
use serde_json::json;
use static_cell::StaticCell;
use sysboy_device::board::gestures::Gestures;
use sysboy_device::link::{HostLink, LinkConfig, LinkState};
use sysboy_device::net::settings_keeper::SettingsChanges;
use sysboy_device::net::station::{self, StationBoard, StationBuffers, StationReport, StationTarget, StreamingBuffers};
use sysboy_protocol::Binding;

use sysboy_device::ota::Updater;

use crate::board::SimBoard;
use crate::ota::SimSlots;
use crate::heap::CountingHeap;
use crate::now_ms;
use crate::panel::Panel;
use crate::random::Random;

/// Everything the station task needs.
pub struct Station {
    /// The network stack over the TAP.
    pub stack: Stack<'static>,
    /// The meter and the reported figures.
    pub panel: &'static RefCell<Panel>,
    /// Gestures from the button task.
    pub gestures: &'static Gestures,
    /// Keys, masks and jitter.
    pub random: Random,
    /// The saved (or command-line) host; without one the host is found by mDNS.
    pub host: Option<SocketAddrV4>,
    /// The pairing token, sent as `Authorization: Bearer` (the hello carries it too).
    pub token: Option<String>,
    /// The host-link settings (who the device is, its timers).
    pub link: LinkConfig,
    /// The bindings saved from the last session.
    pub bindings: Vec<Binding>,
    /// Where new bindings and calibrations go to be saved.
    pub settings: &'static SettingsChanges,
    /// The allocator, for the status figures.
    pub heap: &'static CountingHeap,
    /// Whether the device takes a stream (it has a TFT): its WebSocket buffers then take a whole stream buffer.
    pub streaming: bool,
    /// The update state machine: the chip, the slot size and what the boot found.
    pub updater: Updater,
    /// The app slots in the flash file; none on a `sim` board.
    pub slots: Option<SimSlots>,
}

/// Runs the host link for ever.
#[embassy_executor::task]
pub async fn run(station: Station) -> ! {
    static BUFFERS: StaticCell<StationBuffers> = StaticCell::new();
    static STREAMING: StaticCell<StreamingBuffers> = StaticCell::new();
    let Station { stack, panel, gestures, random, host, token, link, bindings, settings, heap, streaming, updater, slots } = station;
    let mut board = SimBoard { panel, gestures, random, heap, stack, settings, slots };
    let target = StationTarget { host, token };
    let link = HostLink::new(link, bindings).with_updater(updater);
    // The buffers are static, as on the board: off the device-logic heap.
    if streaming {
        station::run(stack, link, &mut board, &target, STREAMING.init(StreamingBuffers::new())).await
    } else {
        station::run(stack, link, &mut board, &target, BUFFERS.init(StationBuffers::new())).await
    }
}

impl StationBoard for SimBoard {
    fn report(&mut self, report: StationReport<'_>) {
        let mut panel = self.panel.borrow_mut();
        match report {
            StationReport::Link(state) => panel.set_link(state),
            StationReport::NoNetwork(no_network) => panel.set_no_network(no_network),
            StationReport::NetworkUp(ip) => panel.event(now_ms(), "network_up", json!({ "ip": ip.map(|ip| ip.to_string()) })),
            StationReport::Discovered { host, found } => {
                panel.event(now_ms(), "discovered", json!({ "host": host.to_string(), "path": found.path, "instance": found.instance }));
            }
            StationReport::SearchFailed(error) => panel.event(now_ms(), "no_host", json!({ "reason": error.to_string() })),
            StationReport::NoHost => panel.set_no_host(),
            StationReport::Attempt(host) => panel.attempt(host.into()),
            StationReport::Ended { state, reason } => {
                panel.set_link(state);
                let event = if matches!(state, LinkState::AuthFailed { .. }) { "auth_failed" } else { "disconnected" };
                panel.event(now_ms(), event, json!({ "reason": reason }));
            }
        }
    }

    fn drop_gestures(&mut self) {
        // Straight from the queue: taking them as gestures would report each one.
        while self.gestures.try_receive().is_ok() {}
    }
}
