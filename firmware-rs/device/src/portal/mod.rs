//! The captive portal: the DHCP, DNS and HTTP answers a new board gives on its own access point.
//!
//! # Overview
//! Each part is sans-IO, in the manner of edge-net: a datagram or request in, a reply out, in buffers the
//! caller provides. [`dhcp::PortalDhcp`] leases addresses with the access point as router and DNS and the
//! portal URL as option 114 (RFC 8910); [`dns::answer`] answers every A query with the access point's address;
//! [`http::parse`] reads requests within hard limits and [`server::PortalServer`] answers them: probes redirect
//! to the page, the page lists the networks in range, and `POST /join` yields a checked [`form::Submission`].
//!
//! # Configuration
//! The access point's address fixes the portal URL (`http://<address>/`); the limits are [`http::Limits::PORTAL`].
//!
//! # Example
//! ```
//! use sysboy_device::portal::{http, server::PortalServer};
//! let mut portal = PortalServer::new([192, 168, 4, 1].into());
//! let bytes = b"GET /generate_204 HTTP/1.1\r\nHost: connectivitycheck.gstatic.com\r\n\r\n";
//! let http::Parsed::Complete(request, _) = http::parse(bytes, http::Limits::PORTAL).unwrap() else { panic!() };
//! let (reply, _) = portal.respond(&request);
//! assert_eq!((reply.status, reply.location.as_deref()), (302, Some("http://192.168.4.1/")));
//! ```

pub mod dhcp;
pub mod dns;
pub mod escape;
pub mod form;
pub mod http;
pub mod page;
pub mod server;
pub mod state;
#[cfg(test)]
mod tests;

use alloc::string::String;
use core::net::Ipv4Addr;

/// The portal's URL for an access point at `address`: the redirects and DHCP option 114 both give this one.
pub fn url(address: Ipv4Addr) -> String {
    alloc::format!("http://{address}/")
}
