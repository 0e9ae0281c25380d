//! The portal's DHCP server: edge-dhcp's sans-IO server, set to hand out addresses on the access point's /24
//! with the access point as router and DNS, and the captive-portal URI (RFC 8910, option 114) for clients that
//! ask for it. Sans-IO: a request datagram in, a reply datagram out, in the caller's buffer.

use alloc::rc::Rc;
use alloc::string::String;
use core::cell::Cell;
use core::net::Ipv4Addr;

use edge_dhcp::server::{Server, ServerOptions};
use edge_dhcp::{DhcpOption, Packet};

/// Leases the server can hold at once: a phone or two, with room to spare.
pub const LEASES: usize = 8;
/// How long a lease lasts: provisioning takes minutes.
const LEASE_SECS: u32 = 600;
/// Options in one reply: type, server id, lease time, and what the client asked for.
const REPLY_OPTIONS: usize = 12;

/// The DHCP server of the access point.
pub struct PortalDhcp {
    address: Ipv4Addr,
    portal_url: String,
    now: Rc<Cell<u64>>,
    server: Server<DhcpClock, LEASES>,
}

/// The lease clock: seconds, set by the caller before each request.
type DhcpClock = alloc::boxed::Box<dyn FnMut() -> u64>;

impl PortalDhcp {
    /// A server for the access point at `address`, sending `portal_url` as the captive-portal URI.
    pub fn new(address: Ipv4Addr, portal_url: &str) -> Self {
        let now = Rc::new(Cell::new(0));
        let clock = now.clone();
        let server = Server::new(alloc::boxed::Box::new(move || clock.get()) as DhcpClock, address);
        Self { address, portal_url: portal_url.into(), now, server }
    }

    /// Answers one request datagram at `now_secs`; `None` when it needs no answer (not for us, a release,
    /// garbage). The reply goes to the client's port 68 by broadcast: the client has no address yet.
    pub fn answer<'o>(&mut self, request: &[u8], now_secs: u64, out: &'o mut [u8]) -> Option<&'o [u8]> {
        self.now.set(now_secs);
        let request = Packet::decode(request).ok()?;
        let routers = [self.address];
        let mut options = ServerOptions::new(self.address, None);
        options.gateways = &routers;
        options.dns = &routers;
        options.captive_url = Some(&self.portal_url);
        options.lease_duration_secs = LEASE_SECS;
        let mut buffer = [DhcpOption::Message(""); REPLY_OPTIONS];
        let reply = self.server.handle_request(&mut buffer, &options, &request)?;
        reply.encode(out).ok()
    }

    /// The addresses leased now (expired ones included until they are handed out again).
    pub fn leased(&self) -> impl Iterator<Item = Ipv4Addr> + '_ {
        self.server.leases.keys().copied()
    }
}
