//! What the settings hold, and how each record is written: a format version byte, then JSON.

use alloc::string::String;
use alloc::vec::Vec;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sysboy_protocol::{Binding, CalibrationPoint, Validate};

use crate::meter::Calibration;

/// The settings format this firmware writes; a record with another version is ignored.
pub const FORMAT_VERSION: u8 = 1;

/// The home network to join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WifiCredentials {
    /// Network name, 1 to 32 bytes.
    pub ssid: String,
    /// Passphrase, empty for an open network, else 8 to 64 bytes.
    pub password: String,
}

/// Everything but the calibration curves: one record.
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
}

/// One output's calibration, with the curve before it for undo: one record per output.
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
        let wifi_ok = self.wifi.as_ref().is_none_or(|wifi| {
            (1..=32).contains(&wifi.ssid.len()) && (wifi.password.is_empty() || (8..=64).contains(&wifi.password.len()))
        });
        let text_ok = |text: &Option<String>| text.as_ref().is_none_or(|t| (1..=128).contains(&t.len()));
        wifi_ok && text_ok(&self.host) && text_ok(&self.token) && self.bindings.len() <= 8 && self.bindings.iter().all(|b| b.validate().is_ok())
    }
}

impl Record for StoredCalibration {
    fn is_valid(&self) -> bool {
        let curve_ok = |points: &[CalibrationPoint]| Calibration::from_points(points, u16::MAX).is_ok();
        (1..=32).contains(&self.output.len()) && curve_ok(&self.current) && self.previous.as_deref().is_none_or(curve_ok)
    }
}

/// Writes `record` as its stored bytes: the version, then JSON.
pub fn encode<R: Record>(record: &R) -> Vec<u8> {
    let mut bytes = alloc::vec![FORMAT_VERSION];
    // Serialising plain structs of strings, numbers and vectors to a Vec cannot fail.
    bytes.extend(serde_json::to_vec(record).unwrap_or_default());
    bytes
}

/// Reads a record from its stored bytes.
pub fn decode<R: Record>(bytes: &[u8]) -> Result<R, RecordError> {
    let (&version, json) = bytes.split_first().ok_or(RecordError::Garbled)?;
    if version != FORMAT_VERSION {
        return Err(RecordError::WrongVersion(version));
    }
    let record: R = serde_json::from_slice(json).map_err(|_| RecordError::Garbled)?;
    if record.is_valid() {
        Ok(record)
    } else {
        Err(RecordError::Invalid)
    }
}
