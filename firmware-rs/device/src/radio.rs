//! The Wi-Fi radio as the device logic sees it: scan, open the access point, join a network, say where it is.
//!
//! # Overview
//! The ESP32 binary implements [`Radio`] over esp-radio; the simulator implements it over a scan-list file, a
//! file of reachable networks and its TAP devices. Provisioning drives it and never names a chip.
//!
//! # Example
//! ```text
//! radio.start_access_point(&AccessPointConfig::new("Sysboy")).await?;
//! let networks = radio.scan().await?;
//! match radio.join(&credentials).await { Ok(()) => ..., Err(JoinError::WrongPassword) => ... }
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::{Deserialize, Serialize};

use crate::settings::WifiCredentials;

/// How a network protects itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// No password.
    Open,
    /// WEP (old; joined with a password all the same).
    Wep,
    /// WPA, WPA2 or WPA3 personal: a passphrase of 8 to 63 characters.
    Wpa,
    /// 802.1X enterprise: not joinable from the portal.
    Enterprise,
}

impl Security {
    /// The word shown beside the network in the portal.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Wep => "WEP",
            Self::Wpa => "WPA",
            Self::Enterprise => "enterprise",
        }
    }
}

/// One network heard in a scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanEntry {
    /// The network name as broadcast: any bytes a neighbour chose, so always escaped before display.
    pub ssid: String,
    /// Signal strength, dBm.
    pub rssi: i8,
    /// Protection.
    pub security: Security,
}

/// The device's own access point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessPointConfig {
    /// The access point's name.
    pub ssid: String,
}

impl AccessPointConfig {
    /// An open access point called `ssid`.
    pub fn new(ssid: &str) -> Self {
        Self { ssid: ssid.into() }
    }
}

/// Why a join failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinError {
    /// The network refused the password.
    WrongPassword,
    /// No network of that name answered.
    NotFound,
    /// The network was heard but the join did not finish in time.
    Timeout,
}

impl JoinError {
    /// The code the portal's `/status` gives, the same word as the serde name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::WrongPassword => "wrong_password",
            Self::NotFound => "not_found",
            Self::Timeout => "timeout",
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::WrongPassword => "the network refused the password",
            Self::NotFound => "no network of that name is in range",
            Self::Timeout => "the network did not answer in time",
        })
    }
}

impl core::error::Error for JoinError {}

/// The radio itself failed (not a network's answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RadioError;

impl fmt::Display for RadioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the radio failed")
    }
}

impl core::error::Error for RadioError {}

/// A Wi-Fi radio that can be an access point and a station at once (the ESP32's AP+STA mode).
#[allow(async_fn_in_trait)]
pub trait Radio {
    /// The networks in range, strongest first.
    async fn scan(&mut self) -> Result<Vec<ScanEntry>, RadioError>;
    /// Puts the device's own access point on the air (already up is fine).
    async fn start_access_point(&mut self, config: &AccessPointConfig) -> Result<(), RadioError>;
    /// Takes the access point off the air.
    async fn stop_access_point(&mut self) -> Result<(), RadioError>;
    /// Joins the home network; on success the station interface is up.
    async fn join(&mut self, credentials: &WifiCredentials) -> Result<(), JoinError>;
}
