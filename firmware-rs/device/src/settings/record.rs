//! What the settings hold and the rules they keep, and the first format's records (one per part: a version byte,
//! then JSON), which a board flashed with older firmware still holds until its first save.

use alloc::string::String;
use alloc::vec::Vec;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sysboy_protocol::{Binding, CalibrationPoint, Validate};

use super::country::Country;
use super::store::MAX_OUTPUTS;
use crate::meter::Calibration;

/// The first settings format: one JSON record per part. Read from an older board's flash, never written.
pub const LEGACY_VERSION: u8 = 1;

/// The home network to join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WifiCredentials {
    /// Network name, 1 to 32 bytes.
    pub ssid: String,
    /// Passphrase, empty for an open network, else 8 to 63 printable ASCII characters.
    pub password: String,
}

// These rules are the only ones: the portal form shows their reasons and the stored record is checked by them,
// so a value the form takes is never refused at the next boot.
impl WifiCredentials {
    /// Why `ssid` cannot be stored: 802.11 names are 1 to 32 bytes (not characters).
    pub fn ssid_problem(ssid: &str) -> Option<&'static str> {
        if ssid.is_empty() {
            Some("choose a network or type its name")
        } else if ssid.len() > 32 {
            Some("a network name is at most 32 bytes")
        } else {
            None
        }
    }

    /// Why `password` cannot be stored: empty (open network), or a WPA passphrase of 8 to 63 printable ASCII
    /// characters (802.11i); ASCII makes characters and bytes the same count.
    pub fn password_problem(password: &str) -> Option<&'static str> {
        if password.is_empty() {
            None
        } else if !password.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
            Some("a Wi-Fi password is printable ASCII: letters, digits, spaces and symbols, no accents")
        } else if password.len() < 8 {
            Some("a Wi-Fi password has at least 8 characters")
        } else if password.len() > 63 {
            Some("a Wi-Fi password has at most 63 characters")
        } else {
            None
        }
    }

    /// Why these credentials cannot be stored, if either field breaks its rule.
    pub fn problem(&self) -> Option<&'static str> {
        Self::ssid_problem(&self.ssid).or_else(|| Self::password_problem(&self.password))
    }
}

/// Everything but the calibration curves.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// The home network; none on a fresh board, which then opens the portal.
    pub wifi: Option<WifiCredentials>,
    /// The host address (name or IP, with an optional port); none to find it by mDNS.
    pub host: Option<String>,
    /// The pairing token.
    pub token: Option<String>,
    /// Which metric drives each output, from the last session.
    pub bindings: Vec<Binding>,
    /// The Wi-Fi country the radio keeps to; world-safe until one is chosen. The first format had none, so it is
    /// not in its JSON and reads as the default.
    #[serde(skip)]
    pub country: Country,
}

impl Network {
    /// The longest host address stored, port included.
    pub const MAX_HOST_LEN: usize = 128;

    /// Why `host` cannot be stored: an IPv4 address or a DNS name, with an optional `:port`, at most
    /// [`Network::MAX_HOST_LEN`] bytes.
    pub fn host_problem(host: &str) -> Option<&'static str> {
        if host.len() > Self::MAX_HOST_LEN {
            return Some("the PC's address is at most 128 characters, port included");
        }
        let (name, port) = match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        };
        if let Some(port) = port {
            if !port.parse::<u16>().is_ok_and(|p| p > 0) || !port.bytes().all(|b| b.is_ascii_digit()) {
                return Some("the port must be a number from 1 to 65535");
            }
        }
        let all_numeric = name.split('.').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
        if all_numeric {
            return match name.parse::<core::net::Ipv4Addr>() {
                Ok(_) => None,
                Err(_) => Some("not an IPv4 address such as 192.168.1.20"),
            };
        }
        let label_ok = |label: &str| {
            (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        let name = name.strip_suffix('.').unwrap_or(name);
        if name.is_empty() || !name.split('.').all(label_ok) {
            return Some("use the PC's name (letters, digits, hyphens, dots) or IP address, e.g. desk-pc.local:8077");
        }
        None
    }

    /// Why `token` cannot be stored: it is sent as the hello frame's token, so it follows that schema rule,
    /// 8 to 128 of `A-Z a-z 0-9 _ -`.
    pub fn token_problem(token: &str) -> Option<&'static str> {
        if !token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
            Some("the token is letters, digits, `_` and `-` without spaces, as `sysboy` prints it")
        } else if !(8..=128).contains(&token.len()) {
            Some("the token is 8 to 128 characters, as `sysboy` prints it")
        } else {
            None
        }
    }
}

/// One output's calibration, with the curve before it for undo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCalibration {
    /// Output id.
    pub output: String,
    /// The curve in use.
    pub current: Vec<CalibrationPoint>,
    /// The curve before it.
    pub previous: Option<Vec<CalibrationPoint>>,
}

/// Why a record was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordError {
    /// Written by another firmware's format.
    WrongVersion(u8),
    /// Not the JSON of the record.
    Garbled,
    /// Well-formed but breaking a rule (a bad binding, a curve that does not rise, an over-long SSID).
    Invalid,
}

/// A record that can check its own contents after reading.
pub trait Record: Serialize + DeserializeOwned {
    /// Whether the contents make sense.
    fn is_valid(&self) -> bool;
}

impl Record for Network {
    fn is_valid(&self) -> bool {
        let wifi_ok = self.wifi.as_ref().is_none_or(|wifi| wifi.problem().is_none());
        let host_ok = self.host.as_deref().is_none_or(|host| Self::host_problem(host).is_none());
        let token_ok = self.token.as_deref().is_none_or(|token| Self::token_problem(token).is_none());
        let bindings_ok = self.bindings.len() <= MAX_OUTPUTS && self.bindings.iter().all(|b| b.validate().is_ok());
        wifi_ok && host_ok && token_ok && bindings_ok
    }
}

impl Record for StoredCalibration {
    fn is_valid(&self) -> bool {
        let curve_ok = |points: &[CalibrationPoint]| Calibration::from_points(points, u16::MAX).is_ok();
        (1..=32).contains(&self.output.len()) && curve_ok(&self.current) && self.previous.as_deref().is_none_or(curve_ok)
    }
}

/// Writes `record` as the first format stored it: the version, then JSON. Only tests write it, to make the flash
/// of a board that older firmware saved.
#[cfg(test)]
pub fn encode<R: Record>(record: &R) -> Vec<u8> {
    let mut bytes = alloc::vec![LEGACY_VERSION];
    // Serialising plain structs of strings, numbers and vectors to a Vec cannot fail.
    bytes.extend(serde_json::to_vec(record).unwrap_or_default());
    bytes
}

/// Reads a first-format record from its stored bytes.
pub fn decode<R: Record>(bytes: &[u8]) -> Result<R, RecordError> {
    let (&version, json) = bytes.split_first().ok_or(RecordError::Garbled)?;
    if version != LEGACY_VERSION {
        return Err(RecordError::WrongVersion(version));
    }
    let record: R = serde_json::from_slice(json).map_err(|_| RecordError::Garbled)?;
    if record.is_valid() {
        Ok(record)
    } else {
        Err(RecordError::Invalid)
    }
}
