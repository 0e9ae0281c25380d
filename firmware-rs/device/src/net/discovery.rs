//! Finding the host by mDNS over embassy-net: joins 224.0.0.251, multicasts the PTR query from port 5353 and
//! feeds every packet heard to [`crate::discovery::HostFinder`].

use alloc::string::String;
use core::fmt;
use core::net::{Ipv4Addr, SocketAddrV4};

use embassy_net::udp::{PacketMetadata, UdpSocket};
use embassy_net::{IpEndpoint, Ipv4Address, Stack};
use embassy_time::{with_timeout, Duration, Instant};

use crate::discovery::{write_query, FoundHost, HostFinder, Subnet, MDNS_GROUP, MDNS_PORT};

/// How long one query waits for answers.
const LISTEN: Duration = Duration::from_millis(1500);
/// Queries per search before the station reports no host and tries again later.
const QUERIES: usize = 3;
/// The largest mDNS packet taken (RFC 6762 §17 allows 9000, but a host's answer is a few hundred bytes).
const PACKET: usize = 1500;

/// The UDP socket's memory, reused by each search (static, as the station's other buffers are).
pub struct DiscoveryBuffers {
    rx_meta: [PacketMetadata; 4],
    rx: [u8; 2 * PACKET],
    tx_meta: [PacketMetadata; 1],
    tx: [u8; 128],
    packet: [u8; PACKET],
}

impl DiscoveryBuffers {
    /// Empty buffers.
    pub const fn new() -> Self {
        Self { rx_meta: [PacketMetadata::EMPTY; 4], rx: [0; 2 * PACKET], tx_meta: [PacketMetadata::EMPTY; 1], tx: [0; 128], packet: [0; PACKET] }
    }
    /// The receive buffer, idle between searches: the station lends it to a session as its update's read buffer
    /// ([`FETCH_BUFFER`](crate::io::FETCH_BUFFER) bytes at least).
    pub(crate) fn between_searches(&mut self) -> &mut [u8] {
        const _: () = assert!(2 * PACKET >= crate::io::FETCH_BUFFER);
        &mut self.rx
    }
}

impl Default for DiscoveryBuffers {
    fn default() -> Self {
        Self::new()
    }
}

/// Why a search found nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchError {
    /// The stack refused the group or the port.
    Socket(String),
    /// No answer to any query.
    NoAnswer,
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Socket(why) => write!(f, "mDNS socket: {why}"),
            Self::NoAnswer => write!(f, "no answer to {QUERIES} mDNS queries for _sysboy._tcp.local"),
        }
    }
}

impl core::error::Error for SearchError {}

/// Asks the LAN for the host a few times; returns its address and what it advertised.
pub async fn search(stack: Stack<'_>, buffers: &mut DiscoveryBuffers) -> Result<(SocketAddrV4, FoundHost), SearchError> {
    let group = Ipv4Address::from(MDNS_GROUP);
    if !stack.has_multicast_group(group) {
        stack.join_multicast_group(group).map_err(|error| SearchError::Socket(alloc::format!("cannot join 224.0.0.251: {error:?}")))?;
    }
    let DiscoveryBuffers { rx_meta, rx, tx_meta, tx, packet } = buffers;
    let mut socket = UdpSocket::new(stack, rx_meta, rx, tx_meta, tx);
    socket.bind(MDNS_PORT).map_err(|error| SearchError::Socket(alloc::format!("cannot bind port 5353: {error:?}")))?;
    // A PC answers with each of its addresses (LAN, Docker bridge, VPN); the one on our own network is reachable.
    let mut finder = match stack.config_v4() {
        Some(config) => HostFinder::on_subnet(Subnet { address: config.address.address().octets(), prefix_len: config.address.prefix_len() }),
        None => HostFinder::new(),
    };
    let mut query = [0u8; 64];
    // The query is a constant 36 bytes; 64 always holds it.
    let len = write_query(&mut query).map_err(|error| SearchError::Socket(alloc::string::ToString::to_string(&error)))?;
    for _ in 0..QUERIES {
        if let Err(error) = socket.send_to(&query[..len], IpEndpoint::new(group.into(), MDNS_PORT)).await {
            log::warn!("mDNS: query not sent: {error:?}");
        }
        let deadline = Instant::now() + LISTEN;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok(Ok((n, _from))) = with_timeout(left, socket.recv_from(packet)).await else { break };
            match finder.receive(&packet[..n]) {
                Ok(Some(found)) => {
                    let [a, b, c, d] = found.address;
                    return Ok((SocketAddrV4::new(Ipv4Addr::new(a, b, c, d), found.port), found));
                }
                Ok(None) => {}
                Err(error) => log::warn!("mDNS: packet dropped: {error}"),
            }
        }
    }
    Err(SearchError::NoAnswer)
}
