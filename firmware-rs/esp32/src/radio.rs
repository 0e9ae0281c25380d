//! Wi-Fi through esp-radio: `sysboy-device`'s [`Radio`] over the chip's radio in AP+STA mode, and the two
//! embassy-net stacks on it (the access point for the portal, the station for the home network).

use alloc::{string::String, vec::Vec};
use core::net::Ipv4Addr;

use embassy_executor::Spawner;
use embassy_net::{Ipv4Cidr, Runner, Stack, StackResources, StaticConfigV4};
use embassy_time::{Duration, with_timeout};
use esp_hal::{peripherals::WIFI, rng::Rng};
use esp_radio::wifi::{
    AuthenticationMethod, AuthenticationMethodConfig, Config, ConnectionError, ControllerConfig, DisconnectReason,
    Interface, WifiController, WifiError, ap, scan::ScanConfig, sta::StationConfig,
};
use static_cell::StaticCell;
use sysboy_device::{
    radio::{AccessPointConfig, JoinError, Radio, RadioError, RadioStatus, ScanEntry, Security},
    settings::WifiCredentials,
};

/// The board's address on its own access point.
pub const AP_ADDRESS: Ipv4Addr = Ipv4Addr::new(192, 168, 4, 1);
/// How long a join may take before it counts as unanswered.
const JOIN_TIMEOUT: Duration = Duration::from_secs(20);
/// How many networks a scan lists.
const SCAN_MAX: usize = 24;

/// Sockets per stack: DHCP, DNS and HTTP for the portal; DHCP, mDNS, DNS and the WebSocket on the station.
const SOCKETS: usize = 6;

static AP_RESOURCES: StaticCell<StackResources<SOCKETS>> = StaticCell::new();
static STA_RESOURCES: StaticCell<StackResources<SOCKETS>> = StaticCell::new();

/// The radio and its two network stacks.
pub struct Wifi {
    /// The radio, for provisioning.
    pub radio: EspRadio,
    /// The access point's stack, at [`AP_ADDRESS`].
    pub access_point: Stack<'static>,
    /// The station's stack, configured by DHCP once joined.
    pub station: Stack<'static>,
}

/// Starts the radio (idle) and both network stacks. Call once.
pub fn start(spawner: &Spawner, wifi: WIFI<'static>) -> Result<Wifi, WifiError> {
    let controller = WifiController::new(wifi, ControllerConfig::default())?;
    let rng = Rng::new();
    let seed = || (u64::from(rng.random()) << 32) | u64::from(rng.random());
    let ap_config = embassy_net::Config::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(AP_ADDRESS, 24),
        gateway: Some(AP_ADDRESS),
        dns_servers: Default::default(),
    });
    let (access_point, ap_runner) =
        embassy_net::new(Interface::access_point(), ap_config, AP_RESOURCES.init(StackResources::new()), seed());
    let sta_config = embassy_net::Config::dhcpv4(Default::default());
    let (station, sta_runner) =
        embassy_net::new(Interface::station(), sta_config, STA_RESOURCES.init(StackResources::new()), seed());
    spawner.spawn(net(ap_runner).expect("the access point's network task is spawned once"));
    spawner.spawn(net(sta_runner).expect("the station's network task is spawned once"));
    let radio = EspRadio { controller, access_point: None, station: None, joined: None };
    Ok(Wifi { radio, access_point, station })
}

#[embassy_executor::task(pool_size = 2)]
async fn net(mut runner: Runner<'static, Interface>) {
    runner.run().await
}

/// The chip's radio as `sysboy-device` drives it.
pub struct EspRadio {
    controller: WifiController<'static>,
    access_point: Option<ap::AccessPointConfig>,
    station: Option<StationConfig>,
    joined: Option<String>,
}

impl EspRadio {
    /// Puts the wanted mix of access point and station on the air.
    fn apply(&mut self) -> Result<(), WifiError> {
        let config = match (self.station.clone(), self.access_point.clone()) {
            (Some(station), Some(access_point)) => Config::AccessPointStation(station, access_point),
            (None, Some(access_point)) => Config::AccessPoint(access_point),
            (Some(station), None) => Config::Station(station),
            // A scan needs the station side; an unjoined station transmits nothing.
            (None, None) => Config::Station(StationConfig::default()),
        };
        self.controller.set_config(&config)
    }
}

impl Radio for EspRadio {
    async fn scan(&mut self) -> Result<Vec<ScanEntry>, RadioError> {
        if self.access_point.is_none() && self.station.is_none() {
            self.apply().map_err(|error| radio_error("scan", error))?;
        }
        let found = self
            .controller
            .scan_async(&ScanConfig::default().with_max(SCAN_MAX))
            .await
            .map_err(|error| radio_error("scan", error))?;
        let mut entries: Vec<ScanEntry> = found
            .into_iter()
            .filter(|network| !network.ssid.as_str().is_empty())
            .map(|network| ScanEntry {
                ssid: String::from(network.ssid.as_str()),
                rssi: network.signal_strength,
                security: security(network.auth_method),
            })
            .collect();
        entries.sort_by(|a, b| b.rssi.cmp(&a.rssi));
        Ok(entries)
    }

    async fn start_access_point(&mut self, config: &AccessPointConfig) -> Result<(), RadioError> {
        let ssid = config.ssid.as_str().try_into().map_err(|error| radio_error("access point name", error))?;
        self.access_point = Some(ap::AccessPointConfig::default().with_ssid(ssid));
        self.apply().map_err(|error| radio_error("access point", error))
    }

    async fn stop_access_point(&mut self) -> Result<(), RadioError> {
        self.access_point = None;
        self.apply().map_err(|error| radio_error("access point", error))
    }

    async fn join(&mut self, credentials: &WifiCredentials) -> Result<(), JoinError> {
        self.joined = None;
        let ssid = credentials.ssid.as_str().try_into().map_err(|_| JoinError::NotFound)?;
        let authentication = if credentials.password.is_empty() {
            AuthenticationMethodConfig::Open
        } else {
            let password = credentials.password.as_str().try_into().map_err(|_| JoinError::WrongPassword)?;
            AuthenticationMethodConfig::WpaWpa2Personal(password)
        };
        self.station = Some(StationConfig::default().with_ssid(ssid).with_authentication(authentication));
        if let Err(error) = self.apply() {
            log::warn!("radio: the station could not be configured: {error:?}");
            return Err(JoinError::Timeout);
        }
        match with_timeout(JOIN_TIMEOUT, self.controller.connect_async()).await {
            Ok(Ok(_)) => {
                self.joined = Some(credentials.ssid.clone());
                Ok(())
            }
            Ok(Err(ConnectionError::Failed(info))) => Err(join_error(info.reason)),
            Ok(Err(error)) => {
                log::warn!("radio: join failed: {error:?}");
                Err(JoinError::Timeout)
            }
            Err(_) => Err(JoinError::Timeout),
        }
    }

    fn status(&self) -> RadioStatus {
        let joined = self.joined.clone().filter(|_| self.controller.is_connected());
        RadioStatus { access_point: self.access_point.is_some(), joined }
    }
}

fn security(method: Option<AuthenticationMethod>) -> Security {
    match method {
        None | Some(AuthenticationMethod::None) | Some(AuthenticationMethod::Owe) => Security::Open,
        Some(AuthenticationMethod::Wep) => Security::Wep,
        Some(AuthenticationMethod::Wpa2Enterprise) | Some(AuthenticationMethod::Wpa3EntSuiteB192Bit) => {
            Security::Enterprise
        }
        Some(_) => Security::Wpa,
    }
}

fn join_error(reason: DisconnectReason) -> JoinError {
    match reason {
        DisconnectReason::AuthenticationFailed
        | DisconnectReason::FourWayHandshakeTimeout
        | DisconnectReason::HandshakeTimeout
        | DisconnectReason::MicFailure => JoinError::WrongPassword,
        DisconnectReason::NoAccessPointFound
        | DisconnectReason::NoAccessPointFoundWithCompatibleSecurity
        | DisconnectReason::NoAccessPointFoundInAuthmodeThreshold
        | DisconnectReason::NoAccessPointFoundInRssiThreshold => JoinError::NotFound,
        _ => JoinError::Timeout,
    }
}

fn radio_error(what: &str, error: impl core::fmt::Debug) -> RadioError {
    log::warn!("radio: {what} failed: {error:?}");
    RadioError
}
