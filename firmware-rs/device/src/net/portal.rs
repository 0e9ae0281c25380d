//! The portal's servers on the access point's stack: DHCP (leases, the access point as router and DNS, the
//! portal URL as option 114), DNS (every name is the access point) and a few HTTP workers, around the sans-IO
//! [`crate::portal`] cores.

use core::cell::RefCell;
use core::net::Ipv4Addr;

use embassy_net::tcp::TcpSocket;
use embassy_net::udp::{PacketMetadata, UdpSocket};
use embassy_net::{Config, IpEndpoint, Ipv4Cidr, Stack, StaticConfigV4};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embassy_time::{with_timeout, Duration, Instant, Timer};
use embedded_io_async::Write;

use crate::portal::dhcp::PortalDhcp;
use crate::portal::dns;
use crate::portal::http::{self, Limits, Method, Parsed};
use crate::portal::server::{PortalRequest, PortalServer, Reply};

/// The device's address on its own access point, and so the portal's.
pub const AP_ADDRESS: Ipv4Addr = Ipv4Addr::new(192, 168, 4, 1);
/// The access point's name before the device has joined a home network: `Sysboy-` and the last two bytes of the
/// board's MAC address in upper-case hex (`Sysboy-3F0A`), so two boards in one home open two networks a user can
/// tell apart, and the name matches the label a MAC sticker or the serial log shows.
pub fn ap_ssid(mac: [u8; 6]) -> alloc::string::String {
    alloc::format!("Sysboy-{:02X}{:02X}", mac[4], mac[5])
}

/// Sockets the portal opens on the access point's stack: DHCP, DNS and one per HTTP worker.
pub const SOCKETS: usize = 2 + WORKERS;
/// HTTP connections served at once: a browser opens several.
pub const WORKERS: usize = 3;
/// A client that has not sent its whole request by then is dropped.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Room for a request at the portal's limits.
const REQUEST_MAX: usize = Limits::PORTAL.head + Limits::PORTAL.body;
/// The largest DHCP datagram a client must accept (RFC 2131).
const DHCP_MAX: usize = 576;
/// The largest plain DNS datagram.
const DNS_MAX: usize = 512;

/// The access point's stack: [`AP_ADDRESS`] on a /24 with no gateway, since every client is on that /24 and
/// the access point routes nowhere.
pub fn access_point_config() -> Config {
    Config::ipv4_static(StaticConfigV4 { address: Ipv4Cidr::new(AP_ADDRESS, 24), gateway: None, dns_servers: Default::default() })
}

/// Accepted portal requests (forms and rescans), waiting for the provisioning driver.
pub type Submissions = Channel<CriticalSectionRawMutex, PortalRequest, 2>;

/// The DHCP server at `address` on a /24, for ever.
pub async fn dhcp(stack: Stack<'_>, address: Ipv4Addr) -> ! {
    let (mut rx_meta, mut tx_meta) = ([PacketMetadata::EMPTY; 4], [PacketMetadata::EMPTY; 4]);
    let (mut rx, mut tx) = ([0u8; 2 * DHCP_MAX], [0u8; 2 * DHCP_MAX]);
    let mut socket = UdpSocket::new(stack, &mut rx_meta, &mut rx, &mut tx_meta, &mut tx);
    if let Err(error) = socket.bind(67) {
        panic!("dhcp: cannot bind port 67: {error:?}");
    }
    let mut server = PortalDhcp::new(address, &crate::portal::url(address));
    let (mut request, mut reply) = ([0u8; DHCP_MAX], [0u8; DHCP_MAX]);
    loop {
        let Ok((length, _from)) = socket.recv_from(&mut request).await else { continue };
        let Some(answer) = server.answer(&request[..length], Instant::now().as_secs(), &mut reply) else { continue };
        // The client has no address yet: the reply goes to everyone on the link.
        if let Err(error) = socket.send_to(answer, IpEndpoint::new(Ipv4Addr::BROADCAST.into(), 68)).await {
            log::warn!("dhcp: reply lost: {error:?}");
        }
    }
}

/// The DNS server answering every A query with `address`, for ever.
pub async fn dns(stack: Stack<'_>, address: Ipv4Addr) -> ! {
    let (mut rx_meta, mut tx_meta) = ([PacketMetadata::EMPTY; 8], [PacketMetadata::EMPTY; 8]);
    let (mut rx, mut tx) = ([0u8; 4 * DNS_MAX], [0u8; 4 * DNS_MAX]);
    let mut socket = UdpSocket::new(stack, &mut rx_meta, &mut rx, &mut tx_meta, &mut tx);
    if let Err(error) = socket.bind(53) {
        panic!("dns: cannot bind port 53: {error:?}");
    }
    let (mut query, mut reply) = ([0u8; DNS_MAX], [0u8; DNS_MAX]);
    loop {
        let Ok((length, from)) = socket.recv_from(&mut query).await else { continue };
        match dns::answer(&query[..length], address.octets(), &mut reply) {
            Ok(size) => {
                if let Err(error) = socket.send_to(&reply[..size], from.endpoint).await {
                    log::warn!("dns: reply lost: {error:?}");
                }
            }
            Err(error) => log::debug!("dns: {error} from {}", from.endpoint),
        }
    }
}

/// One HTTP worker on port 80: accepts one connection at a time, reads one request within the portal's limits
/// and writes the portal's reply; accepted forms go to `submissions`. Run [`WORKERS`] of them.
pub async fn http_worker(stack: Stack<'_>, portal: &RefCell<PortalServer>, submissions: &Submissions) -> ! {
    let (mut rx, mut tx) = ([0u8; 2048], [0u8; 4096]);
    let mut request = [0u8; REQUEST_MAX];
    loop {
        let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
        socket.set_timeout(Some(REQUEST_TIMEOUT));
        if socket.accept(80).await.is_err() {
            Timer::after(Duration::from_millis(50)).await;
            continue;
        }
        let reply = match with_timeout(REQUEST_TIMEOUT, read_request(&mut socket, &mut request, portal, submissions)).await {
            Ok(Some(reply)) => Some(reply),
            Ok(None) | Err(_) => None,
        };
        if let Some((reply, head_only)) = reply {
            let mut head = [0u8; 512];
            if let Ok(length) = http::write_head(&mut head, reply.status, reply.content_type, reply.body.len(), reply.location.as_deref()) {
                let body: &[u8] = if head_only { &[] } else { reply.body.as_bytes() };
                let written = async {
                    socket.write_all(&head[..length]).await?;
                    socket.write_all(body).await?;
                    socket.flush().await
                };
                if with_timeout(REQUEST_TIMEOUT, written).await.is_err() {
                    log::debug!("portal: a client stopped reading");
                }
            }
        }
        socket.close();
        let _ = with_timeout(Duration::from_millis(500), socket.flush()).await;
        socket.abort();
        let _ = with_timeout(Duration::from_millis(100), socket.flush()).await;
    }
}

/// Reads until a whole request (answered by the portal) or a refusal; None when the client went away.
async fn read_request(
    socket: &mut TcpSocket<'_>,
    buffer: &mut [u8],
    portal: &RefCell<PortalServer>,
    submissions: &Submissions,
) -> Option<(Reply, bool)> {
    let mut filled = 0;
    loop {
        match http::parse(&buffer[..filled], Limits::PORTAL) {
            Ok(Parsed::Complete(request, _)) => {
                let head_only = request.method == Method::Head;
                let (reply, wish) = portal.borrow_mut().respond(&request);
                if let Some(wish) = wish {
                    if submissions.try_send(wish).is_err() {
                        log::warn!("portal: a request arrived while two were waiting; dropped");
                    }
                }
                return Some((reply, head_only));
            }
            Ok(Parsed::Partial) => {}
            Err(error) => return Some((Reply::refused(error), false)),
        }
        // The limits refuse a request before it can outgrow the buffer.
        let read = socket.read(&mut buffer[filled..]).await.ok()?;
        if read == 0 {
            return None;
        }
        filled += read;
    }
}

#[cfg(test)]
mod tests {
    use super::ap_ssid;

    #[test]
    fn names_the_access_point_after_the_last_two_bytes_of_the_mac() {
        assert_eq!(ap_ssid([0x02, 0x53, 0x12, 0x34, 0x3f, 0x0a]), "Sysboy-3F0A");
        assert_eq!(ap_ssid([0xff, 0xff, 0xff, 0xff, 0x00, 0xc4]), "Sysboy-00C4");
    }
}
