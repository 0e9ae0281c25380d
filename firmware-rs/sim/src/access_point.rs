//! The simulated access point's network: a second embassy-net stack (as the ESP32's AP interface is) at
//! 192.168.4.1/24 on its own TAP, with the portal's DHCP and DNS servers. The kernel side of that TAP plays the
//! user's phone or laptop.

use core::net::Ipv4Addr;

use embassy_net::udp::{PacketMetadata, UdpSocket};
use embassy_net::{Config, IpEndpoint, Ipv4Cidr, Runner, Stack, StackResources, StaticConfigV4};
use embassy_time::Instant;
use static_cell::StaticCell;
use sysboy_device::portal::dhcp::PortalDhcp;
use sysboy_device::portal::dns;

use crate::radio::{AccessPointInterface, AirGate};
use crate::tap::TapDevice;

/// The device's address on its own access point, and so the portal's.
pub const AP_ADDRESS: Ipv4Addr = Ipv4Addr::new(192, 168, 4, 1);
/// The access point's name.
pub const AP_SSID: &str = "Sysboy-setup";
/// Sockets: DHCP, DNS and one per HTTP worker.
const SOCKETS: usize = 2 + crate::portal_io::WORKERS;
/// The largest DHCP datagram a client must accept (RFC 2131).
const DHCP_MAX: usize = 576;
/// The largest plain DNS datagram.
const DNS_MAX: usize = 512;

/// Builds the access point's stack over `tap`; it is on the air while `gate` is open.
pub fn start(tap: TapDevice, gate: &'static AirGate, seed: u64) -> (Stack<'static>, Runner<'static, AccessPointInterface>) {
    static RESOURCES: StaticCell<StackResources<SOCKETS>> = StaticCell::new();
    let config = Config::ipv4_static(StaticConfigV4 { address: Ipv4Cidr::new(AP_ADDRESS, 24), gateway: None, dns_servers: Default::default() });
    embassy_net::new(AccessPointInterface::new(tap, gate), config, RESOURCES.init(StackResources::new()), seed)
}

/// Runs the access point's stack.
#[embassy_executor::task]
pub async fn network(mut runner: Runner<'static, AccessPointInterface>) -> ! {
    runner.run().await
}

/// The DHCP server: leases on the /24, the access point as router and DNS, the portal URL as option 114.
#[embassy_executor::task]
pub async fn dhcp(stack: Stack<'static>) -> ! {
    let (mut rx_meta, mut tx_meta) = ([PacketMetadata::EMPTY; 4], [PacketMetadata::EMPTY; 4]);
    let (mut rx, mut tx) = ([0u8; 2 * DHCP_MAX], [0u8; 2 * DHCP_MAX]);
    let mut socket = UdpSocket::new(stack, &mut rx_meta, &mut rx, &mut tx_meta, &mut tx);
    if let Err(error) = socket.bind(67) {
        panic!("dhcp: cannot bind port 67: {error:?}");
    }
    let mut server = PortalDhcp::new(AP_ADDRESS, &format!("http://{AP_ADDRESS}/"));
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

/// The DNS server: every A query is answered with the access point's address.
#[embassy_executor::task]
pub async fn dns(stack: Stack<'static>) -> ! {
    let (mut rx_meta, mut tx_meta) = ([PacketMetadata::EMPTY; 8], [PacketMetadata::EMPTY; 8]);
    let (mut rx, mut tx) = ([0u8; 4 * DNS_MAX], [0u8; 4 * DNS_MAX]);
    let mut socket = UdpSocket::new(stack, &mut rx_meta, &mut rx, &mut tx_meta, &mut tx);
    if let Err(error) = socket.bind(53) {
        panic!("dns: cannot bind port 53: {error:?}");
    }
    let (mut query, mut reply) = ([0u8; DNS_MAX], [0u8; DNS_MAX]);
    loop {
        let Ok((length, from)) = socket.recv_from(&mut query).await else { continue };
        match dns::answer(&query[..length], AP_ADDRESS.octets(), &mut reply) {
            Ok(size) => {
                if let Err(error) = socket.send_to(&reply[..size], from.endpoint).await {
                    log::warn!("dns: reply lost: {error:?}");
                }
            }
            Err(error) => log::debug!("dns: {error} from {}", from.endpoint),
        }
    }
}
