//! Finding the host on the LAN by mDNS / DNS-SD (`_sysboy._tcp.local`), sans-IO.
//!
//! # Overview
//! [`write_query`] writes the one-shot PTR query the device multicasts to [`MDNS_GROUP`]:[`MDNS_PORT`]. Every packet
//! heard back goes to a [`HostFinder`], which keeps the PTR, SRV, TXT and A records of the Sysboy service (a
//! responder may split them over several packets) and says [`FoundHost`] once it can name an address, a port and
//! the WebSocket path (TXT `path`, `/ws` when absent). A host with several A records (a LAN, a Docker bridge, a
//! VPN) is reached at the one on the station's own [`Subnet`], else the first. Malformed packets are refused with a
//! [`DiscoveryError`]; nothing in a packet can make the finder panic or grow without bound.
//!
//! # Configuration
//! The caller brings the buffers: 64 bytes hold the query, and a received packet is read in place.
//!
//! # Example
//! ```
//! use sysboy_device::discovery::{write_query, HostFinder};
//! let mut query = [0u8; 64];
//! let len = write_query(&mut query).unwrap();
//! assert_eq!(&query[4..6], &[0, 1]); // one question
//! let mut finder = HostFinder::new();
//! assert_eq!(finder.receive(&query[..len]), Ok(None)); // a query is not an answer
//! ```

mod finder;
mod packet;
mod preference;
#[cfg(test)]
mod tests;

pub use finder::{FoundHost, HostFinder, Subnet, MAX_ADDRESSES};
pub use packet::{write_query, DiscoveryError};
pub use preference::{HostPreference, HostSource, SEARCH_AFTER_FAILURES};

/// The DNS-SD service type the host advertises.
pub const SERVICE: &str = sysboy_protocol::MDNS_SERVICE;
/// The mDNS IPv4 multicast group.
pub const MDNS_GROUP: [u8; 4] = [224, 0, 0, 251];
/// The mDNS port.
pub const MDNS_PORT: u16 = 5353;
