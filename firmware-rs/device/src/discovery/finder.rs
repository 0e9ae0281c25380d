//! The host finder: gathers the Sysboy service's records from mDNS packets until it can name the host.

use alloc::string::String;
use alloc::vec::Vec;

use super::packet::{kind, DiscoveryError, Packet, Record};
use super::SERVICE;

/// Records of each kind kept at once; a busy LAN's other services must not fill the RAM.
const KEEP: usize = 8;
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

/// Records of the Sysboy service heard so far.
#[derive(Debug, Clone, Default)]
pub struct HostFinder {
    services: Vec<Service>,
    paths: Vec<(String, String)>,
    addresses: Vec<(String, [u8; 4])>,
}

impl HostFinder {
    /// A finder that has heard nothing yet.
    pub fn new() -> Self {
        Self::default()
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
        for record in &records {
            heard.take(&packet, record)?;
        }
        *self = heard;
        Ok(self.found())
    }

    fn take(&mut self, packet: &Packet<'_>, record: &Record) -> Result<(), DiscoveryError> {
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
                self.addresses.retain(|(name, _)| *name != record.name);
                if record.ttl > 0 {
                    keep(&mut self.addresses, (record.name.clone(), [data[0], data[1], data[2], data[3]]));
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
            let (_, address) = self.addresses.iter().rev().find(|(name, _)| *name == service.target)?;
            let path = self.paths.iter().find(|(instance, _)| *instance == service.instance).map(|(_, p)| p.clone());
            Some(FoundHost {
                instance: service.instance.clone(),
                address: *address,
                port: service.port,
                path: path.unwrap_or_else(|| String::from(sysboy_protocol::DEVICE_PATH)),
            })
        })
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
