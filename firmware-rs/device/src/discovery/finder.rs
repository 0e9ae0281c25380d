//! The host finder: gathers the Sysboy service's records from mDNS packets until it can name the host.

use alloc::string::String;
use alloc::vec::Vec;

use super::packet::{kind, DiscoveryError, Packet, Record};
use super::SERVICE;

/// Records of each kind kept at once; a busy LAN's other services must not fill the RAM.
const KEEP: usize = 8;
/// A records kept per host name: a PC with a LAN, a Docker bridge, a VPN and WSL has four.
pub const MAX_ADDRESSES: usize = 4;
/// The longest path taken from TXT.
const MAX_PATH: usize = 64;

/// A host found by mDNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundHost {
    /// The service instance, e.g. `sysboy-desk-pc._sysboy._tcp.local`.
    pub instance: String,
    /// The host's IPv4 address.
    pub address: [u8; 4],
    /// The host's port.
    pub port: u16,
    /// The WebSocket path.
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Service {
    instance: String,
    port: u16,
    target: String,
}

/// The station's own IPv4 network: its address and prefix length, as DHCP gave them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subnet {
    /// The station's address.
    pub address: [u8; 4],
    /// The prefix length, 0..=32.
    pub prefix_len: u8,
}

impl Subnet {
    /// Whether `address` is on this network.
    pub fn contains(&self, address: [u8; 4]) -> bool {
        let mask = match self.prefix_len {
            0 => 0,
            n => u32::MAX << (32 - u32::from(n.min(32))),
        };
        u32::from_be_bytes(self.address) & mask == u32::from_be_bytes(address) & mask
    }
}

/// Records of the Sysboy service heard so far.
#[derive(Debug, Clone, Default)]
pub struct HostFinder {
    services: Vec<Service>,
    paths: Vec<(String, String)>,
    /// Every A record of each host name, in the order heard, at most [`MAX_ADDRESSES`] a name.
    addresses: Vec<(String, Vec<[u8; 4]>)>,
    subnet: Option<Subnet>,
}

impl HostFinder {
    /// A finder that has heard nothing yet and takes a host's first address.
    pub fn new() -> Self {
        Self::default()
    }

    /// A finder that prefers, of a host's addresses, the one on the station's own network (a PC's Docker bridge or
    /// VPN address is unreachable from the board), falling back to the first.
    pub fn on_subnet(subnet: Subnet) -> Self {
        Self { subnet: Some(subnet), ..Self::default() }
    }

    /// Reads one received packet; returns the host once its instance, port and address are all known.
    /// Queries (other devices asking) are ignored; a malformed packet is refused and changes nothing.
    pub fn receive(&mut self, packet: &[u8]) -> Result<Option<FoundHost>, DiscoveryError> {
        let packet = Packet { bytes: packet };
        if !packet.is_response()? {
            return Ok(None);
        }
        let records = packet.records()?;
        let mut heard = self.clone();
        // Host names whose A records this packet has begun to list: its set replaces the one heard before.
        let mut named: Vec<&str> = Vec::new();
        for record in &records {
            heard.take(&packet, record, &mut named)?;
        }
        *self = heard;
        Ok(self.found())
    }

    fn take<'r>(&mut self, packet: &Packet<'_>, record: &'r Record, named: &mut Vec<&'r str>) -> Result<(), DiscoveryError> {
        let ours = record.name.strip_suffix(SERVICE).is_some_and(|head| head.ends_with('.'));
        match record.kind {
            kind::SRV if ours && record.data.len() >= 7 => {
                let port = packet.u16(record.data.start + 4)?;
                let (target, _) = packet.name(record.data.start + 6)?;
                self.services.retain(|s| s.instance != record.name);
                if record.ttl > 0 {
                    keep(&mut self.services, Service { instance: record.name.clone(), port, target });
                }
            }
            kind::TXT if ours => {
                self.paths.retain(|(instance, _)| *instance != record.name);
                if let Some(path) = path_of(&packet.bytes[record.data.clone()]) {
                    keep(&mut self.paths, (record.name.clone(), path));
                }
            }
            kind::A if record.data.len() == 4 => {
                let data = &packet.bytes[record.data.clone()];
                let address = [data[0], data[1], data[2], data[3]];
                if !named.iter().any(|name| name.eq_ignore_ascii_case(&record.name)) {
                    self.addresses.retain(|(name, _)| !name.eq_ignore_ascii_case(&record.name));
                    named.push(&record.name);
                }
                if record.ttl == 0 {
                    // A goodbye for one address leaves the host's others.
                    for (_, list) in self.addresses.iter_mut().filter(|(name, _)| name.eq_ignore_ascii_case(&record.name)) {
                        list.retain(|a| *a != address);
                    }
                } else if let Some((_, list)) = self.addresses.iter_mut().find(|(name, _)| name.eq_ignore_ascii_case(&record.name)) {
                    if list.len() < MAX_ADDRESSES && !list.contains(&address) {
                        list.push(address);
                    }
                } else {
                    let mut list = Vec::with_capacity(MAX_ADDRESSES);
                    list.push(address);
                    keep(&mut self.addresses, (record.name.clone(), list));
                }
            }
            // A PTR names the instance, which its SRV names again; a PTR with TTL 0 is the host leaving.
            kind::PTR if record.name == SERVICE && record.ttl == 0 => {
                let (instance, _) = packet.name(record.data.start)?;
                self.services.retain(|s| s.instance != instance);
            }
            _ => {}
        }
        Ok(())
    }

    fn found(&self) -> Option<FoundHost> {
        self.services.iter().rev().find_map(|service| {
            let (_, addresses) = self.addresses.iter().rev().find(|(name, _)| name.eq_ignore_ascii_case(&service.target))?;
            let address = self.pick(addresses)?;
            let path = self.paths.iter().find(|(instance, _)| *instance == service.instance).map(|(_, p)| p.clone());
            Some(FoundHost {
                instance: service.instance.clone(),
                address,
                port: service.port,
                path: path.unwrap_or_else(|| String::from(sysboy_protocol::DEVICE_PATH)),
            })
        })
    }
}

impl HostFinder {
    /// The address on the station's network, else the first.
    fn pick(&self, addresses: &[[u8; 4]]) -> Option<[u8; 4]> {
        let own = self.subnet.and_then(|subnet| addresses.iter().find(|a| subnet.contains(**a)));
        own.or_else(|| addresses.first()).copied()
    }
}

/// Adds `item`, dropping the oldest when full.
fn keep<T>(list: &mut Vec<T>, item: T) {
    if list.len() == KEEP {
        list.remove(0);
    }
    list.push(item);
}

/// The `path=` entry of TXT data, when it is a usable absolute path.
fn path_of(data: &[u8]) -> Option<String> {
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let entry = tail.get(..usize::from(len))?;
        rest = &tail[usize::from(len)..];
        let Some(value) = entry.strip_prefix(b"path=").or_else(|| entry.strip_prefix(b"PATH=")) else { continue };
        let usable = value.first() == Some(&b'/') && value.len() <= MAX_PATH && value.iter().all(|b| b.is_ascii_graphic());
        return usable.then(|| value.iter().map(|&b| char::from(b)).collect());
    }
    None
}
