//! The portal's DHCP server over any sequence of datagrams phones send: a reply is a BOOTREPLY to the same
//! transaction that fits the caller's buffer; a datagram that is not DHCP changes no lease; leases stay within the
//! pool and its size; and only a request, a release or a decline adds or drops a lease (a discover may reclaim an
//! expired one).
#![no_main]

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use edge_dhcp::{DhcpOption, Packet};
use libfuzzer_sys::fuzz_target;
use sysboy_device::portal::dhcp::{PortalDhcp, LEASES};
use sysboy_fuzz::messages;

const AP: Ipv4Addr = Ipv4Addr::new(192, 168, 4, 1);

fuzz_target!(|data: &[u8]| {
    let mut server = PortalDhcp::new(AP, "http://192.168.4.1/");
    let mut now = 0u64;
    let mut out = [0u8; 576];
    for datagram in messages(data) {
        // Each datagram moves the clock on by its first byte in minutes, so leases (10 minutes) expire too.
        now += u64::from(datagram.first().copied().unwrap_or(0)) * 60;
        let before: BTreeSet<Ipv4Addr> = server.leased().collect();
        let is_dhcp = edge_dhcp_message_type(datagram);
        let reply = server.answer(datagram, now, &mut out).map(<[u8]>::to_vec);
        let after: BTreeSet<Ipv4Addr> = server.leased().collect();
        assert!(after.len() <= LEASES);
        for address in &after {
            assert!(address.octets()[..3] == [192, 168, 4] && (50..=200).contains(&address.octets()[3]), "{address}");
        }
        match is_dhcp {
            None => assert!(reply.is_none() && after == before, "a datagram that is not DHCP changed the leases"),
            Some(3 | 4 | 7) => {}
            Some(_) => assert!(after.is_subset(&before), "only a request adds a lease"),
        }
        if let Some(reply) = reply {
            assert!(reply.len() >= 240 && reply.len() <= out.len());
            assert_eq!(reply[0], 2, "BOOTREPLY");
            assert_eq!(reply[4..8], datagram[4..8], "the same transaction");
            assert_eq!(reply[236..240], [99, 130, 83, 99], "the magic cookie");
        }
    }
});

/// The DHCP message type of a datagram as edge-dhcp reads it (`Some(0)` without one); none when it is not DHCP.
/// edge-dhcp's own reading, since its options walk differs from a plain RFC 2132 one on odd packets (a request
/// type found where a plain walk finds none): the server is held to what its parser saw.
fn edge_dhcp_message_type(datagram: &[u8]) -> Option<u8> {
    let packet = Packet::decode(datagram).ok()?;
    let kind = packet.options.iter().find_map(|option| match option {
        DhcpOption::MessageType(kind) => Some(kind as u8),
        _ => None,
    });
    Some(kind.unwrap_or(0))
}
