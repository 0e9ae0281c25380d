//! The Wi-Fi radio as the device logic sees it: scan, open the access point, join a network, say where it is.
//!
//! # Overview
//! The ESP32 binary implements [`Radio`] over esp-radio; the simulator implements it over a scan-list file, a
//! file of reachable networks and its TAP devices. Provisioning drives it and never names a chip. Both pick the
//! radio's mode with [`RadioMode::wanted`], so the simulator flips modes exactly when the board does.
//!
//! # The contract: what esp-radio 1.0.0-beta.1 really does
//! Every row is behaviour of the real driver that the device logic must cope with; the simulated radio
//! (`firmware-rs/sim/src/radio.rs`) implements every row. A difference found later between the two is a bug in
//! the model. Paths are in the esp-radio 1.0.0-beta.1 crate.
//!
//! | # | behaviour | source |
//! |---|---|---|
//! | 1 | A configuration whose mode differs from the current one (AP → AP+STA, AP+STA → STA, …) stops Wi-Fi first: the station is disconnected (its link goes down) and every client of the access point is dropped. Within the same mode a new configuration is applied without a stop. | `src/wifi/mod.rs`, `WifiController::set_config`: `if previous_mode != mode { Self::stop_impl()?; }`, and `stop_impl` calls `esp_wifi_stop` |
//! | 2 | Nothing rejoins on its own: after a stop, a lost beacon or a failed join the station stays down until the next `connect_async`. | `src/wifi/mod.rs`, `connect_impl` (`// TODO: implement ROAMING`); `set_config`'s doc: "You need to use `connect_async` for connecting" |
//! | 3 | A scan needs the station side: it is not supported in access-point-only mode. | `src/wifi/mod.rs`, `WifiController::scan_async` doc: "Scanning is not supported in AcessPoint-only mode" |
//! | 4 | In AP+STA the access point shares the station's radio channel: when the station joins a network on another channel, the access point moves there (`WIFI_EVENT_HOME_CHANNEL_CHANGE`) and its clients must find it again. The access point starts on channel 1. | `src/wifi/event.rs`, `HomeChannelChange` (`old_chan`, `new_chan`); `src/wifi/ap.rs`, `AccessPointConfig::default` (`channel: 1`) |
//! | 5 | The station's link is up exactly while the station is connected; the access point's while it is started. | `src/wifi/mod.rs`, `InterfaceType::link_state` (`WifiStationState::Connected`, `WifiAccessPointState::Started`) |
//! | 6 | A failed join reports the access point's disconnect reason: `AuthenticationFailed`, `FourWayHandshakeTimeout`, `HandshakeTimeout`, `MicFailure` mean the password; `NoAccessPointFound*` mean no such network; anything else is a timeout. A join that hears nothing never returns, so the caller bounds it. | `src/wifi/mod.rs`, `connect_async` (`StationDisconnected` → `ConnectionError::Failed` with `DisconnectReason::from_raw`) |
//! | 7 | Restarting the driver (dropping the controller and making a new one) stops Wi-Fi like row 1. | `src/wifi/mod.rs`, `WifiController`'s `Drop` (de-initialises Wi-Fi) |
//!
//! What the device logic does about it: the access point is only ever on beside the station ([`RadioMode::wanted`]
//! never picks AP-only), so scans work and a join never flips the mode while a phone watches; every mode change
//! and radio restart is followed by a new join (`crate::provisioning`); the portal page keeps polling through a
//! dropped phone.
//!
//! # Example
//! ```text
//! radio.start_access_point(&AccessPointConfig::new("Sysboy-1A2B")).await?;
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

/// The radio's operating mode, as esp-radio's `Config` variants name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RadioMode {
    /// Station only: the home network, no access point.
    Station,
    /// Access point only. The driver has it, but [`RadioMode::wanted`] never picks it: it cannot scan (contract
    /// row 3) and a join from it is a mode change that drops the phone (row 1).
    AccessPoint,
    /// Access point and station at once: the portal, with scans and joins beside it.
    AccessPointStation,
}

impl RadioMode {
    /// The mode for what is wanted. The access point is never on alone: the station side beside it lets scans
    /// work (contract row 3) and lets a join start without a mode change (row 1) while a phone watches.
    pub const fn wanted(access_point: bool) -> Self {
        if access_point {
            Self::AccessPointStation
        } else {
            Self::Station
        }
    }
}

/// A Wi-Fi radio that can be an access point and a station at once (the ESP32's AP+STA mode), with the
/// behaviour the module's contract table lists.
#[allow(async_fn_in_trait)]
pub trait Radio {
    /// The networks in range, strongest first.
    async fn scan(&mut self) -> Result<Vec<ScanEntry>, RadioError>;
    /// Puts the device's own access point on the air beside the station (already up is fine). From station-only
    /// mode this is a mode change: the station is dropped and must be joined again.
    async fn start_access_point(&mut self, config: &AccessPointConfig) -> Result<(), RadioError>;
    /// Takes the access point off the air: a mode change to station-only, so the station is dropped and must be
    /// joined again, and the access point's clients are gone.
    async fn stop_access_point(&mut self) -> Result<(), RadioError>;
    /// Joins the home network; on success the station interface is up. With the access point on, it may move to
    /// the network's channel and drop its clients.
    async fn join(&mut self, credentials: &WifiCredentials) -> Result<(), JoinError>;
}
