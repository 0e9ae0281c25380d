//! Discovery against a response captured from the host's own responder, hand-built packets with compression,
//! split answers and goodbyes, and arbitrary bytes.

extern crate std;

use alloc::vec::Vec;

use proptest::prelude::*;

use super::*;

/// The `sysboy` host's answer to the PTR query (host/mdns/advert.ts for `desk-pc` on 10.7.0.1:8077, encoded by
/// host/mdns/dns-message.ts): PTR in answers; SRV, TXT (`version`, `path=/ws`, `proto`) and A in additionals.
const CAPTURED: &str = "000084000000000100000003075f737973626f79045f746370056c6f63616c00000c00010000119400230e737973626f792d6465736b2d7063075f737973626f79045f746370056c6f63616c000e737973626f792d6465736b2d7063075f737973626f79045f746370056c6f63616c000021800100000078001c000000001f8d0e737973626f792d6465736b2d7063056c6f63616c000e737973626f792d6465736b2d7063075f737973626f79045f746370056c6f63616c000010800100001194001f0d76657273696f6e3d302e312e3008706174683d2f77730770726f746f3d310e737973626f792d6465736b2d7063056c6f63616c00000180010000007800040a070001";

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

/// Builds a response packet, compressing names as mDNS responders (Avahi, Bonjour) do.
#[derive(Default)]
struct Builder {
    bytes: Vec<u8>,
    names: Vec<(std::string::String, usize)>,
    count: u16,
}

impl Builder {
    fn new() -> Self {
        Self { bytes: alloc::vec![0, 0, 0x84, 0, 0, 0, 0, 0, 0, 0, 0, 0], ..Self::default() }
    }

    fn name(&mut self, name: &str) {
        let labels: Vec<&str> = name.split('.').collect();
        for i in 0..labels.len() {
            let suffix = labels[i..].join(".");
            if let Some((_, at)) = self.names.iter().find(|(n, _)| *n == suffix) {
                self.bytes.extend_from_slice(&(0xC000 | *at as u16).to_be_bytes());
                return;
            }
            self.names.push((suffix, self.bytes.len()));
            self.bytes.push(labels[i].len() as u8);
            self.bytes.extend_from_slice(labels[i].as_bytes());
        }
        self.bytes.push(0);
    }

    fn record(&mut self, name: &str, kind: u16, ttl: u32, data: impl FnOnce(&mut Self)) -> &mut Self {
        self.name(name);
        self.bytes.extend_from_slice(&kind.to_be_bytes());
        self.bytes.extend_from_slice(&[0x80, 1]);
        self.bytes.extend_from_slice(&ttl.to_be_bytes());
        let at = self.bytes.len();
        self.bytes.extend_from_slice(&[0, 0]);
        data(self);
        let len = (self.bytes.len() - at - 2) as u16;
        self.bytes[at..at + 2].copy_from_slice(&len.to_be_bytes());
        self.count += 1;
        self
    }

    fn ptr(&mut self, instance: &str, ttl: u32) -> &mut Self {
        self.record(SERVICE, 12, ttl, |b| b.name(instance))
    }

    fn srv(&mut self, instance: &str, port: u16, target: &str) -> &mut Self {
        self.record(instance, 33, 120, |b| {
            b.bytes.extend_from_slice(&[0, 0, 0, 0]);
            b.bytes.extend_from_slice(&port.to_be_bytes());
            b.name(target);
        })
    }

    fn txt(&mut self, instance: &str, entries: &[&str]) -> &mut Self {
        self.record(instance, 16, 4500, |b| {
            for entry in entries {
                b.bytes.push(entry.len() as u8);
                b.bytes.extend_from_slice(entry.as_bytes());
            }
        })
    }

    fn a(&mut self, name: &str, address: [u8; 4]) -> &mut Self {
        self.record(name, 1, 120, |b| b.bytes.extend_from_slice(&address))
    }

    fn build(&self) -> Vec<u8> {
        let mut bytes = self.bytes.clone();
        bytes[6..8].copy_from_slice(&self.count.to_be_bytes());
        bytes
    }
}

const INSTANCE: &str = "Sysboy-Desk._sysboy._tcp.local";

#[test]
fn the_query_asks_for_the_service_ptr_in_the_wire_format() {
    let mut buf = [0u8; 64];
    let len = write_query(&mut buf).unwrap();
    let mut expected = alloc::vec![0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    expected.extend_from_slice(b"\x07_sysboy\x04_tcp\x05local\x00\x00\x0c\x00\x01");
    assert_eq!(&buf[..len], &expected[..]);
    assert_eq!(write_query(&mut [0u8; 20]), Err(DiscoveryError::BufferTooSmall));
}

#[test]
fn finds_the_host_in_the_captured_answer_of_the_real_responder() {
    let found = HostFinder::new().receive(&unhex(CAPTURED)).unwrap().unwrap();
    assert_eq!(found.address, [10, 7, 0, 1]);
    assert_eq!(found.port, 8077);
    assert_eq!(found.path, "/ws");
    assert_eq!(found.instance, "sysboy-desk-pc._sysboy._tcp.local");
}

#[test]
fn reads_compressed_names_and_any_case() {
    let packet = Builder::new()
        .ptr(INSTANCE, 4500)
        .srv(INSTANCE, 9000, "Desk.local")
        .txt(INSTANCE, &["version=2", "path=/sysboy/ws"])
        .a("desk.LOCAL", [192, 168, 1, 20])
        .build();
    assert!(packet.windows(2).any(|w| w[0] & 0xC0 == 0xC0), "the builder compresses");
    let found = HostFinder::new().receive(&packet).unwrap().unwrap();
    assert_eq!((found.address, found.port, found.path.as_str()), ([192, 168, 1, 20], 9000, "/sysboy/ws"));
}

#[test]
fn gathers_records_split_over_packets_and_takes_a_missing_path_as_ws() {
    let mut finder = HostFinder::new();
    assert_eq!(finder.receive(&Builder::new().ptr(INSTANCE, 4500).srv(INSTANCE, 8077, "desk.local").build()), Ok(None));
    let found = finder.receive(&Builder::new().a("desk.local", [10, 0, 0, 9]).build()).unwrap().unwrap();
    assert_eq!((found.address, found.path.as_str()), ([10, 0, 0, 9], sysboy_protocol::DEVICE_PATH));
}

#[test]
fn other_services_queries_and_goodbyes_find_nothing() {
    let mut finder = HostFinder::new();
    let printer = Builder::new().srv("Office._ipp._tcp.local", 631, "printer.local").a("printer.local", [10, 0, 0, 5]).build();
    assert_eq!(finder.receive(&printer), Ok(None));
    let mut query = [0u8; 64];
    let len = write_query(&mut query).unwrap();
    assert_eq!(finder.receive(&query[..len]), Ok(None));
    let host = Builder::new().srv(INSTANCE, 8077, "desk.local").a("desk.local", [10, 0, 0, 9]).build();
    assert!(finder.receive(&host).unwrap().is_some());
    assert_eq!(finder.receive(&Builder::new().ptr(INSTANCE, 0).build()), Ok(None), "the host said goodbye");
}

#[test]
fn refuses_bad_txt_paths_and_malformed_names() {
    let packet = Builder::new().srv(INSTANCE, 8077, "desk.local").txt(INSTANCE, &["path=ws<script>"]).a("desk.local", [10, 0, 0, 9]).build();
    assert_eq!(HostFinder::new().receive(&packet).unwrap().unwrap().path, sysboy_protocol::DEVICE_PATH);
    // A pointer to itself, then a forward pointer.
    let mut looped = alloc::vec![0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0];
    looped.extend_from_slice(&[0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4]);
    assert_eq!(HostFinder::new().receive(&looped), Err(DiscoveryError::BadName));
    looped[12..14].copy_from_slice(&[0xC0, 20]);
    assert_eq!(HostFinder::new().receive(&looped), Err(DiscoveryError::BadName));
    let captured = unhex(CAPTURED);
    assert_eq!(HostFinder::new().receive(&captured[..captured.len() - 2]), Err(DiscoveryError::Truncated));
    assert_eq!(HostFinder::new().receive(&[0x84]), Err(DiscoveryError::Truncated));
}

#[test]
fn a_malformed_packet_forgets_nothing_heard_before() {
    let mut finder = HostFinder::new();
    finder.receive(&Builder::new().srv(INSTANCE, 8077, "desk.local").build()).unwrap();
    let mut broken = Builder::new().a("desk.local", [10, 0, 0, 9]).build();
    broken.push(0xC0);
    broken[7] = 2;
    assert!(finder.receive(&broken).is_err());
    assert!(finder.receive(&Builder::new().a("desk.local", [10, 0, 0, 9]).build()).unwrap().is_some());
}

const CASES: u32 = 512;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = HostFinder::new().receive(&bytes);
    }

    #[test]
    fn a_damaged_capture_never_panics(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8), cut in any::<prop::sample::Index>()) {
        let mut packet = unhex(CAPTURED);
        for (at, byte) in edits {
            let i = at.index(packet.len());
            packet[i] = byte;
        }
        let end = cut.index(packet.len() + 1);
        let mut finder = HostFinder::new();
        if let Ok(Some(found)) = finder.receive(&packet[..end]) {
            prop_assert!(found.path.starts_with('/'));
        }
    }
}

/// A PC with a Docker bridge first and its LAN second, as the host's answer listed them before it answered per
/// interface (and as other responders still do).
fn two_networks() -> Vec<u8> {
    Builder::new().ptr(INSTANCE, 4500).srv(INSTANCE, 8077, "desk.local").a("desk.local", [172, 31, 0, 1]).a("desk.local", [10, 55, 0, 1]).build()
}

#[test]
fn takes_every_a_record_and_prefers_the_one_on_the_stations_subnet() {
    let lan = Subnet { address: [10, 55, 0, 23], prefix_len: 24 };
    let found = HostFinder::on_subnet(lan).receive(&two_networks()).unwrap().unwrap();
    assert_eq!(found.address, [10, 55, 0, 1]);
    let docker_side = Subnet { address: [172, 31, 9, 9], prefix_len: 16 };
    assert_eq!(HostFinder::on_subnet(docker_side).receive(&two_networks()).unwrap().unwrap().address, [172, 31, 0, 1]);
}

#[test]
fn falls_back_to_the_first_address_when_none_is_on_the_stations_subnet() {
    let elsewhere = Subnet { address: [192, 168, 1, 7], prefix_len: 24 };
    assert_eq!(HostFinder::on_subnet(elsewhere).receive(&two_networks()).unwrap().unwrap().address, [172, 31, 0, 1]);
    assert_eq!(HostFinder::new().receive(&two_networks()).unwrap().unwrap().address, [172, 31, 0, 1]);
}

#[test]
fn keeps_at_most_four_addresses_a_host_and_a_later_answer_replaces_them() {
    let lan = Subnet { address: [10, 55, 0, 23], prefix_len: 24 };
    let mut many = Builder::new();
    many.srv(INSTANCE, 8077, "desk.local");
    for i in 1..=6 {
        many.a("desk.local", [172, 16 + i, 0, 1]);
    }
    // The fifth and sixth are dropped, so the LAN address listed last is never kept.
    many.a("desk.local", [10, 55, 0, 1]);
    let mut finder = HostFinder::on_subnet(lan);
    assert_eq!(finder.receive(&many.build()).unwrap().unwrap().address, [172, 17, 0, 1]);
    // The host's next answer names only its LAN address: the set is replaced, not added to.
    let moved = Builder::new().a("DESK.local", [10, 55, 0, 1]).build();
    assert_eq!(finder.receive(&moved).unwrap().unwrap().address, [10, 55, 0, 1]);
}

#[test]
fn subnets_match_by_prefix() {
    let net = Subnet { address: [10, 55, 0, 23], prefix_len: 23 };
    assert!(net.contains([10, 55, 1, 200]));
    assert!(!net.contains([10, 55, 2, 1]));
    assert!(Subnet { address: [1, 2, 3, 4], prefix_len: 0 }.contains([9, 9, 9, 9]));
    assert!(Subnet { address: [1, 2, 3, 4], prefix_len: 32 }.contains([1, 2, 3, 4]));
    assert!(!Subnet { address: [1, 2, 3, 4], prefix_len: 32 }.contains([1, 2, 3, 5]));
}
