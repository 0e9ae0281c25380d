//! The station task: the I/O around `sysboy_device::link::HostLink`. It waits for an address, finds the host (the
//! saved address, else mDNS), opens TCP when the link asks, and hands the connected socket to
//! `sysboy_device::io::run_session` with the simulated board, as the ESP32 binary does over Wi-Fi.

use core::cell::RefCell;
use std::net::SocketAddrV4;

use embassy_futures::select::{select, Either};
use embassy_net::tcp::TcpSocket;
use embassy_net::{IpEndpoint, Stack};
use embassy_time::{Duration, Instant, Timer};
use serde_json::json;
use static_cell::StaticCell;
use sysboy_device::io::{run_session, Buffers, Target};
use sysboy_device::link::{Action, HostLink, LinkConfig, LinkState};
use sysboy_device::ws::MAX_HEADER;
use sysboy_protocol::Binding;

use crate::board::SimBoard;
use crate::buttons::Gestures;
use crate::discovery::{self, DiscoveryBuffers};
use crate::heap::CountingHeap;
use crate::now_ms;
use crate::panel::Panel;
use crate::random::Random;
use crate::settings::SettingsRequests;

/// The simulated device's one output.
pub const OUTPUT: &str = "meter";
/// A TCP connect that takes longer than this has failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// TCP socket buffers: a few frames each way.
const TCP_BUFFER: usize = 4096;
/// The largest message taken from the host; a welcome with calibration curves fits with room to spare.
const MAX_MESSAGE: usize = 2048;
/// The largest frame sent: a hello or a status plus a frame header.
const WRITE_BUFFER: usize = 1024;
/// The wait before searching again when mDNS found nothing.
const SEARCH_AGAIN: Duration = Duration::from_secs(1);
/// The WebSocket path of a host given by address.
const DEFAULT_PATH: &str = "/ws";

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
    /// Where new bindings go to be saved.
    pub settings: &'static SettingsRequests,
    /// The allocator, for the status figures.
    pub heap: &'static CountingHeap,
}

/// The memory sessions and searches work in, reused by each in turn (static, as on the ESP32).
struct LinkBuffers {
    tcp_rx: [u8; TCP_BUFFER],
    tcp_tx: [u8; TCP_BUFFER],
    rx: [u8; MAX_MESSAGE + MAX_HEADER],
    tx: [u8; WRITE_BUFFER],
    message: [u8; MAX_MESSAGE],
    discovery: DiscoveryBuffers,
}

/// Runs the host link for ever.
#[embassy_executor::task]
pub async fn run(mut station: Station) -> ! {
    static BUFFERS: StaticCell<LinkBuffers> = StaticCell::new();
    let buffers = BUFFERS.init(LinkBuffers {
        tcp_rx: [0; TCP_BUFFER],
        tcp_tx: [0; TCP_BUFFER],
        rx: [0; MAX_MESSAGE + MAX_HEADER],
        tx: [0; WRITE_BUFFER],
        message: [0; MAX_MESSAGE],
        discovery: DiscoveryBuffers::new(),
    });
    let mut link = HostLink::new(station.link.clone(), station.bindings.clone());
    let mut target: Option<(SocketAddrV4, String)> = None;
    loop {
        station.panel.borrow_mut().set_link(link.state());
        match link.state() {
            LinkState::Discovering => {
                if !station.stack.is_config_up() {
                    station.panel.borrow_mut().set_no_network(true);
                    station.stack.wait_config_up().await;
                    station.panel.borrow_mut().set_no_network(false);
                    let ip = crate::net::address(station.stack);
                    station.panel.borrow_mut().event(now_ms(), "network_up", json!({ "ip": ip }));
                }
                target = station.find_host(&mut buffers.discovery).await;
                match target {
                    Some(_) => link.found_host(),
                    None => {
                        station.panel.borrow_mut().set_no_host();
                        Timer::after(SEARCH_AGAIN).await;
                    }
                }
            }
            LinkState::Connecting => match target.clone() {
                Some((host, path)) => station.session(&mut link, host, &path, buffers).await,
                None => station.lost(&mut link, "no host to connect to"),
            },
            LinkState::Backoff { until_ms } | LinkState::AuthFailed { until_ms } => {
                Timer::at(Instant::from_millis(until_ms)).await;
                let random = station.random.next_u32();
                link.poll(now_ms(), random);
            }
            // These states live inside a session; reaching them here means the socket is gone.
            LinkState::Handshaking | LinkState::AwaitingWelcome | LinkState::Live => station.lost(&mut link, "session closed"),
        }
    }
}

impl Station {
    /// The saved host, or the one mDNS finds; None when neither is there.
    async fn find_host(&mut self, buffers: &mut DiscoveryBuffers) -> Option<(SocketAddrV4, String)> {
        if let Some(host) = self.host {
            return Some((host, DEFAULT_PATH.into()));
        }
        match discovery::search(self.stack, buffers).await {
            Ok((address, found)) => {
                let detail = json!({ "host": address.to_string(), "path": found.path, "instance": found.instance });
                self.panel.borrow_mut().event(now_ms(), "discovered", detail);
                Some((address, found.path))
            }
            Err(error) => {
                self.panel.borrow_mut().event(now_ms(), "no_host", json!({ "reason": error.to_string() }));
                None
            }
        }
    }

    async fn session(&mut self, link: &mut HostLink, host: SocketAddrV4, path: &str, buffers: &mut LinkBuffers) {
        let LinkBuffers { tcp_rx, tcp_tx, rx, tx, message, .. } = buffers;
        let host_name = host.to_string();
        self.panel.borrow_mut().attempt(host_name.clone());
        let mut socket = TcpSocket::new(self.stack, tcp_rx, tcp_tx);
        socket.set_timeout(Some(Duration::from_secs(15)));
        let endpoint = IpEndpoint::new((*host.ip()).into(), host.port());
        let connected = embassy_time::with_timeout(CONNECT_TIMEOUT, socket.connect(endpoint)).await;
        if !matches!(connected, Ok(Ok(()))) {
            let reason = match connected {
                Ok(Err(error)) => format!("TCP connect to {host} failed: {error:?}"),
                _ => format!("no answer from {host} within {} ms", CONNECT_TIMEOUT.as_millis()),
            };
            self.lost(link, &reason);
            socket.abort();
            return;
        }
        // Presses made while no session was open are not carried into this one, as on the board.
        while self.gestures.try_receive().is_ok() {}
        let stack = self.stack;
        let target = Target { host: &host_name, path, token: self.token.as_deref() };
        let mut board = SimBoard {
            panel: self.panel,
            gestures: self.gestures,
            random: &mut self.random,
            heap: self.heap,
            stack,
            host: &host_name,
            settings: self.settings,
        };
        let buffers = Buffers { rx, tx, message };
        let ended = select(run_session(&mut socket, link, &mut board, &target, buffers), stack.wait_config_down()).await;
        let reason = match ended {
            Either::First(end) => end.to_string(),
            Either::Second(()) => {
                let random = self.random.next_u32();
                let actions = link.connection_lost(now_ms(), random);
                self.panel.borrow_mut().apply_all(&actions);
                "the network went down".into()
            }
        };
        socket.abort();
        let _ = embassy_time::with_timeout(Duration::from_millis(200), socket.flush()).await;
        self.ended(link, &[], &reason);
    }

    /// Tells the link the connection is gone and reports why.
    fn lost(&mut self, link: &mut HostLink, reason: &str) {
        let random = self.random.next_u32();
        let actions = link.connection_lost(now_ms(), random);
        self.ended(link, &actions, reason);
    }

    fn ended(&mut self, link: &HostLink, actions: &[Action], reason: &str) {
        let mut panel = self.panel.borrow_mut();
        panel.apply_all(actions);
        panel.set_link(link.state());
        let event = if matches!(link.state(), LinkState::AuthFailed { .. }) { "auth_failed" } else { "disconnected" };
        panel.event(now_ms(), event, json!({ "reason": reason }));
    }
}
