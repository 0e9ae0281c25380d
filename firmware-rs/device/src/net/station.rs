//! The station: the host link's IO on the home network. It waits for an address, finds the host (the saved
//! address, else mDNS, and mDNS too once the saved address keeps failing), opens TCP when the link asks, hands the socket to [`crate::io::run_session`] and backs
//! off between sessions, for ever.
//!
//! # Overview
//! [`run`] drives a [`HostLink`] over an embassy-net [`Stack`]. The wiring is a [`StationBoard`]: the session's
//! [`Board`] plus [`StationBoard::report`], which hears each [`StationReport`] (for a status light, a log line
//! or the simulator's report).
//!
//! # Configuration
//! [`StationBuffers`] are the caller's (about 22 KiB with the update fetch's socket; keep them in a `static`); a board that takes streams uses
//! [`StreamingBuffers`] (about 34 KiB), whose WebSocket buffers take a binary frame of the whole
//! [`STREAM_BUFFER`]. [`saved_host`] reads the host out of the settings.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::net::{Ipv4Addr, SocketAddrV4};

use embassy_futures::select::{select, Either};
use embassy_net::tcp::TcpSocket;
use embassy_net::{IpEndpoint, Stack};
use embassy_time::{with_timeout, Duration, Instant, Timer};

use super::discovery::{self, DiscoveryBuffers, SearchError};
use crate::discovery::{FoundHost, HostPreference, HostSource};
use crate::io::{run_session_with_fetch, Board, Buffers, Fetch, FetchError, Target};
use crate::link::{Action, HostLink, LinkState};
use crate::settings::Settings;
use crate::board::STREAM_BUFFER;
use crate::ws::MAX_HEADER;

/// Sockets the station's stack needs at once: DHCP, the mDNS search, the host link's TCP connection and the one
/// that fetches an update's image.
pub const SOCKETS: usize = 4;
/// A TCP connect that takes longer than this has failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// A socket with nothing to read or no room to write for this long is dead.
const SOCKET_TIMEOUT: Duration = Duration::from_secs(15);
/// TCP socket buffers: a few frames each way. The receive window stays under five full segments, because the
/// radio's receive queue holds five frames (esp-radio's default `rx_queue_size`, as the simulator's TAP models it):
/// a larger window lets the host send a burst that overflows it, and the lost segments cost retransmissions (a
/// 16 KiB window cut the simulator's stream from over 500 to under 22 full 320x240 frames a second).
const TCP_BUFFER: usize = 4096;
/// The largest message taken from the host; a welcome with calibration curves fits with room to spare.
pub const MAX_MESSAGE: usize = 2048;
/// The largest frame sent: a hello or a status plus a frame header.
const WRITE_BUFFER: usize = 1024;
/// The update fetch's socket buffers: a receive window like the session's, and room for one request.
const FETCH_RX: usize = 4096;
const FETCH_TX: usize = 512;
/// The wait before searching again when mDNS found nothing.
const SEARCH_AGAIN: Duration = Duration::from_secs(1);

/// What the station tells the wiring.
#[derive(Debug)]
pub enum StationReport<'a> {
    /// The link moved to this state.
    Link(LinkState),
    /// The station has no address (true) or has one again (false).
    NoNetwork(bool),
    /// The station got an address.
    NetworkUp(Option<Ipv4Addr>),
    /// mDNS found the host.
    Discovered {
        /// Its address.
        host: SocketAddrV4,
        /// What it advertised.
        found: &'a FoundHost,
    },
    /// mDNS found nothing.
    SearchFailed(&'a SearchError),
    /// No host is known; searching again soon.
    NoHost,
    /// A TCP connection to this host is being tried (the host the status names).
    Attempt(&'a str),
    /// A connection or session ended, and why; the link's state says whether the token was refused.
    Ended {
        /// The link's state now.
        state: LinkState,
        /// Why, in words.
        reason: &'a str,
    },
}

/// The wiring the station needs beyond a session's [`Board`].
pub trait StationBoard: Board {
    /// Hears what the station is doing.
    fn report(&mut self, report: StationReport<'_>);
    /// Forgets button gestures made while no session was open (they are not carried into the next one).
    fn drop_gestures(&mut self) {
        while self.take_gesture().is_some() {}
    }
}

/// Who the station talks to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StationTarget {
    /// The saved host; without one the host is found by mDNS.
    pub host: Option<SocketAddrV4>,
    /// The pairing token, sent as `Authorization: Bearer` (the hello carries it too).
    pub token: Option<String>,
}

/// The memory sessions and searches work in, reused by each in turn. `RX` is the WebSocket receive buffer (a
/// frame header and the largest message) and `MESSAGE` the largest message (fragments are put together in it); the
/// defaults suit a board without a stream.
pub struct StationBuffers<const RX: usize = { MAX_MESSAGE + MAX_HEADER }, const MESSAGE: usize = MAX_MESSAGE> {
    tcp_rx: [u8; TCP_BUFFER],
    tcp_tx: [u8; TCP_BUFFER],
    rx: [u8; RX],
    tx: [u8; WRITE_BUFFER],
    message: [u8; MESSAGE],
    discovery: DiscoveryBuffers,
    fetch_rx: [u8; FETCH_RX],
    fetch_tx: [u8; FETCH_TX],
}

/// The buffers of a board that takes streams of [`STREAM_BUFFER`] bytes: the WebSocket buffers hold a whole
/// binary frame of it. The TCP receive window stays at 4 KiB: a larger one overflows the radio's five-frame
/// receive queue.
pub type StreamingBuffers = StationBuffers<{ STREAM_BUFFER + MAX_HEADER }, STREAM_BUFFER>;

impl<const RX: usize, const MESSAGE: usize> StationBuffers<RX, MESSAGE> {
    /// Zeroed buffers.
    pub const fn new() -> Self {
        Self {
            tcp_rx: [0; TCP_BUFFER],
            tcp_tx: [0; TCP_BUFFER],
            rx: [0; RX],
            tx: [0; WRITE_BUFFER],
            message: [0; MESSAGE],
            discovery: DiscoveryBuffers::new(),
            fetch_rx: [0; FETCH_RX],
            fetch_tx: [0; FETCH_TX],
        }
    }
}

impl<const RX: usize, const MESSAGE: usize> Default for StationBuffers<RX, MESSAGE> {
    fn default() -> Self {
        Self::new()
    }
}

/// The saved host as an address (`a.b.c.d[:port]`, the host's default port when left out). A name is logged and left to mDNS:
/// the station resolves no names, so a host that moves is still found.
pub fn saved_host(settings: &Settings) -> Option<SocketAddrV4> {
    let host = settings.network.host.as_deref()?;
    let parsed = host.parse::<SocketAddrV4>().ok().or_else(|| host.parse().ok().map(|ip| SocketAddrV4::new(ip, sysboy_protocol::DEFAULT_PORT)));
    if parsed.is_none() {
        log::warn!("settings: host '{host}' is not an IPv4 address; finding the host by mDNS instead");
    }
    parsed
}

/// The station's IPv4 address, once it has one.
pub fn address(stack: Stack<'_>) -> Option<Ipv4Addr> {
    stack.config_v4().map(|config| config.address.address())
}

/// Runs the host link for ever.
pub async fn run<B: StationBoard, const RX: usize, const MESSAGE: usize>(
    stack: Stack<'_>,
    mut link: HostLink,
    board: &mut B,
    target: &StationTarget,
    buffers: &mut StationBuffers<RX, MESSAGE>,
) -> ! {
    if let Some(stream) = link.stream_buffer().filter(|&stream| stream > MESSAGE || stream + MAX_HEADER > RX) {
        // The host sends binary frames of up to the announced size: smaller buffers would close every session.
        log::error!("station: the hello announces a {stream}-byte stream buffer, but the WebSocket buffers take {MESSAGE} bytes; use StreamingBuffers");
    }
    let mut host: Option<(SocketAddrV4, String)> = None;
    let mut preference = HostPreference::new();
    // Whether the board has heard that the station has an address: a fixed address is up from the start, so it
    // is told once without waiting.
    let mut addressed = false;
    loop {
        board.report(StationReport::Link(link.state()));
        match link.state() {
            LinkState::Discovering => {
                if !stack.is_config_up() {
                    board.report(StationReport::NoNetwork(true));
                    addressed = false;
                    stack.wait_config_up().await;
                }
                if !addressed {
                    addressed = true;
                    board.report(StationReport::NoNetwork(false));
                    board.report(StationReport::NetworkUp(address(stack)));
                }
                host = find_host(stack, board, target, preference.next(target.host.is_some()), &mut buffers.discovery).await;
                match host {
                    Some(_) => link.found_host(),
                    None => {
                        board.report(StationReport::NoHost);
                        Timer::after(SEARCH_AGAIN).await;
                    }
                }
            }
            LinkState::Connecting => match host.clone() {
                Some((address, path)) => {
                    let connected = session(stack, &mut link, board, target, address, &path, buffers).await;
                    if connected {
                        preference.connected();
                    } else if Some(address) == target.host {
                        preference.saved_failed();
                    }
                }
                None => lost(&mut link, board, "no host to connect to"),
            },
            LinkState::Backoff { until_ms } | LinkState::AuthFailed { until_ms } => {
                Timer::at(Instant::from_millis(until_ms)).await;
                let (now, random) = (board.now_ms(), board.random());
                let actions = link.poll(now, random);
                actions.into_iter().for_each(|action| board.act(action));
            }
            // These states live inside a session; reaching them here means the socket is gone.
            LinkState::Handshaking | LinkState::AwaitingWelcome | LinkState::AwaitingApproval | LinkState::Live => {
                lost(&mut link, board, "session closed")
            }
        }
    }
}

/// The saved host, or the one mDNS finds (falling back to the saved one); None when neither is there.
async fn find_host<B: StationBoard>(
    stack: Stack<'_>,
    board: &mut B,
    target: &StationTarget,
    source: HostSource,
    buffers: &mut DiscoveryBuffers,
) -> Option<(SocketAddrV4, String)> {
    let saved = target.host.map(|host| (host, String::from(sysboy_protocol::DEVICE_PATH)));
    if source == HostSource::Saved {
        return saved;
    }
    match discovery::search(stack, buffers).await {
        Ok((address, found)) => {
            board.report(StationReport::Discovered { host: address, found: &found });
            Some((address, found.path))
        }
        Err(error) => {
            board.report(StationReport::SearchFailed(&error));
            saved
        }
    }
}

/// One connection and the session over it; says whether the TCP connection was made at all.
async fn session<B: StationBoard, const RX: usize, const MESSAGE: usize>(
    stack: Stack<'_>,
    link: &mut HostLink,
    board: &mut B,
    target: &StationTarget,
    host: SocketAddrV4,
    path: &str,
    buffers: &mut StationBuffers<RX, MESSAGE>,
) -> bool {
    let StationBuffers { tcp_rx, tcp_tx, rx, tx, message, discovery, fetch_rx, fetch_tx } = buffers;
    let host_name = host.to_string();
    board.report(StationReport::Attempt(&host_name));
    let mut socket = TcpSocket::new(stack, tcp_rx, tcp_tx);
    socket.set_timeout(Some(SOCKET_TIMEOUT));
    let endpoint = IpEndpoint::new((*host.ip()).into(), host.port());
    let connected = with_timeout(CONNECT_TIMEOUT, socket.connect(endpoint)).await;
    if !matches!(connected, Ok(Ok(()))) {
        let reason = match connected {
            Ok(Err(error)) => alloc::format!("TCP connect to {host} failed: {error:?}"),
            _ => alloc::format!("no answer from {host} within {} ms", CONNECT_TIMEOUT.as_millis()),
        };
        lost(link, board, &reason);
        socket.abort();
        return false;
    }
    board.drop_gestures();
    // The link's token is the one its hello presents: the credential the host issued when it paired, or the
    // saved one.
    let token = link.token().map(String::from).or_else(|| target.token.clone());
    let session_target = Target { host: &host_name, path, token: token.as_deref() };
    // An update's image is read into the mDNS socket's receive buffer, idle while a session runs: neither heap nor
    // more static memory for it.
    let buffers = Buffers { rx, tx, message, fetch: discovery.between_searches() };
    let endpoint = IpEndpoint::new((*host.ip()).into(), host.port());
    let mut fetch = TcpFetch { socket: TcpSocket::new(stack, fetch_rx, fetch_tx), endpoint };
    fetch.socket.set_timeout(Some(SOCKET_TIMEOUT));
    let session = run_session_with_fetch(&mut socket, &mut fetch, link, board, &session_target, buffers);
    let ended = select(session, stack.wait_config_down()).await;
    fetch.socket.abort();
    let reason = match ended {
        Either::First(end) => end.to_string(),
        Either::Second(()) => {
            let (now, random) = (board.now_ms(), board.random());
            let actions = link.connection_lost(now, random);
            actions.into_iter().for_each(|action| board.act(action));
            "the network went down".into()
        }
    };
    socket.abort();
    let _ = with_timeout(Duration::from_millis(200), socket.flush()).await;
    ended_with(link, board, Vec::new(), &reason);
    true
}

/// Tells the link the connection is gone and reports why.
fn lost<B: StationBoard>(link: &mut HostLink, board: &mut B, reason: &str) {
    let (now, random) = (board.now_ms(), board.random());
    let actions = link.connection_lost(now, random);
    ended_with(link, board, actions, reason);
}

fn ended_with<B: StationBoard>(link: &HostLink, board: &mut B, actions: Vec<Action>, reason: &str) {
    actions.into_iter().for_each(|action| board.act(action));
    board.report(StationReport::Ended { state: link.state(), reason });
}

/// The second connection to the host, for an update's image: a TCP socket reopened for each range.
struct TcpFetch<'a> {
    socket: TcpSocket<'a>,
    endpoint: IpEndpoint,
}

impl embedded_io_async::ErrorType for TcpFetch<'_> {
    type Error = embassy_net::tcp::Error;
}

impl embedded_io_async::Read for TcpFetch<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.socket.read(buf).await
    }
}

impl embedded_io_async::Write for TcpFetch<'_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.socket.write(buf).await
    }
    async fn flush(&mut self) -> Result<(), Self::Error> {
        self.socket.flush().await
    }
}

impl Fetch for TcpFetch<'_> {
    async fn connect(&mut self) -> Result<(), FetchError> {
        self.close().await;
        match with_timeout(CONNECT_TIMEOUT, self.socket.connect(self.endpoint)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(FetchError::Refused),
            Err(_) => Err(FetchError::Timeout),
        }
    }

    async fn close(&mut self) {
        if self.socket.state() != embassy_net::tcp::State::Closed {
            self.socket.abort();
            let _ = with_timeout(Duration::from_millis(200), self.socket.flush()).await;
        }
    }
}
