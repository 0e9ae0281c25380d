//! Wi-Fi through esp-radio: `sysboy-device`'s [`Radio`] over the chip's radio in AP+STA mode, and the two
//! embassy-net stacks on it (the access point for the portal, the station for the home network).
//!
//! The controller sits behind an async mutex so the status can read the RSSI while provisioning owns the radio;
//! a restart drops it (which de-initialises Wi-Fi) and makes a new one.

use alloc::{string::String, vec::Vec};
use embassy_executor::Spawner;
use embassy_net::{Runner, Stack, StackResources};
use embassy_sync::{blocking_mutex::raw::CriticalSectionRawMutex, mutex::Mutex};
use embassy_time::{Duration, Timer, with_timeout};
use esp_hal::{peripherals::WIFI, rng::Rng};
use esp_radio::wifi::{
    AuthenticationMethod, AuthenticationMethodConfig, Config, ConnectionError, ControllerConfig, CountryInfo, DisconnectReason,
    Interface, WifiController, WifiError, ap, scan::ScanConfig, sta::StationConfig,
};
use static_cell::StaticCell;
use sysboy_device::{
    net::{portal, provisioning::RestartRadio, station},
    radio::{AccessPointConfig, JoinError, Radio, RadioError, RadioMode, ScanEntry, Security},
    settings::{Country, WifiCredentials},
};

/// How long a join may take before it counts as unanswered.
const JOIN_TIMEOUT: Duration = Duration::from_secs(20);
/// How many networks a scan lists.
const SCAN_MAX: usize = 24;

/// How long the radio rests between dropping the old controller and making a new one.
const RESTART_PAUSE: Duration = Duration::from_millis(500);

/// The controller, shared between the radio (provisioning) and the status (RSSI).
static CONTROLLER: Mutex<CriticalSectionRawMutex, Option<WifiController<'static>>> = Mutex::new(None);

static AP_RESOURCES: StaticCell<StackResources<{ portal::SOCKETS }>> = StaticCell::new();
static STA_RESOURCES: StaticCell<StackResources<{ station::SOCKETS }>> = StaticCell::new();

/// The radio and its two network stacks.
pub struct Wifi {
    /// The radio, for provisioning.
    pub radio: EspRadio,
    /// The access point's stack, at [`portal::AP_ADDRESS`].
    pub access_point: Stack<'static>,
    /// The station's stack, configured by DHCP once joined.
    pub station: Stack<'static>,
    /// The station's MAC address, which names the device.
    pub mac: [u8; 6],
}

/// Starts the radio (idle) and both network stacks. Call once.
pub fn start(spawner: &Spawner, wifi: WIFI<'static>, country: Country) -> Result<Wifi, WifiError> {
    let controller = WifiController::new(wifi, controller_config(country))?;
    let rng = Rng::new();
    let seed = || (u64::from(rng.random()) << 32) | u64::from(rng.random());
    let (access_point, ap_runner) = embassy_net::new(
        Interface::access_point(),
        portal::access_point_config(),
        AP_RESOURCES.init(StackResources::new()),
        seed(),
    );
    let sta_config = embassy_net::Config::dhcpv4(Default::default());
    let station_interface = Interface::station();
    let mac = station_interface.mac_address();
    let (station, sta_runner) =
        embassy_net::new(station_interface, sta_config, STA_RESOURCES.init(StackResources::new()), seed());
    spawner.spawn(net(ap_runner).expect("the access point's network task is spawned once"));
    spawner.spawn(net(sta_runner).expect("the station's network task is spawned once"));
    *CONTROLLER.try_lock().expect("the radio starts once, before anything else locks it") = Some(controller);
    let radio = EspRadio { access_point: None, station: None, started: false, country };
    Ok(Wifi { radio, access_point, station, mac })
}

#[embassy_executor::task(pool_size = 2)]
async fn net(mut runner: Runner<'static, Interface>) {
    runner.run().await
}

/// The station's signal strength now, dBm; None while not joined or while the radio is busy (a scan, a join).
pub fn rssi() -> Option<i8> {
    let controller = CONTROLLER.try_lock().ok()?;
    let rssi = controller.as_ref()?.rssi().ok()?;
    i8::try_from(rssi).ok()
}

/// The chip's radio as `sysboy-device` drives it.
pub struct EspRadio {
    access_point: Option<ap::AccessPointConfig>,
    station: Option<StationConfig>,
    /// Whether a configuration was applied (Wi-Fi started).
    started: bool,
    /// The Wi-Fi country from the settings, put back on a restart.
    country: Country,
}

/// The controller's configuration for the saved country. esp-radio's own default is `CN` (13 channels), which is
/// not legal everywhere, so the settings' country (world-safe `01` until one is chosen in the portal) replaces it.
/// esp-radio 1.0.0-beta.1's `CountryInfo::into_blob` always sends channels 1–13 with the manual policy, so the
/// code sets the regulatory domain's name and power rules while the channel list stays esp-radio's.
fn controller_config(country: Country) -> ControllerConfig {
    ControllerConfig::default().with_country_info(CountryInfo::from(country.code()))
}

impl EspRadio {
    /// Puts the wanted mix of access point and station on the air. The mode comes from [`RadioMode::wanted`],
    /// which the simulator's radio uses too: the access point is only ever on beside the station, so scans work
    /// and a join never changes the mode (a change stops Wi-Fi: `set_config` calls `esp_wifi_stop` when the mode
    /// differs, see the contract table in `sysboy_device::radio`).
    async fn apply(&mut self) -> Result<(), WifiError> {
        // An unjoined station transmits nothing; its side is there so the radio can scan.
        let station = self.station.clone().unwrap_or_default();
        let config = match (RadioMode::wanted(self.access_point.is_some()), self.access_point.clone()) {
            (RadioMode::AccessPointStation | RadioMode::AccessPoint, Some(access_point)) => {
                Config::AccessPointStation(station, access_point)
            }
            _ => Config::Station(station),
        };
        let applied = match CONTROLLER.lock().await.as_mut() {
            Some(controller) => controller.set_config(&config),
            None => Err(WifiError::Other),
        };
        // On an error `set_config` leaves the mode NULL and Wi-Fi stopped.
        self.started = applied.is_ok();
        applied
    }
}

impl Radio for EspRadio {
    async fn scan(&mut self) -> Result<Vec<ScanEntry>, RadioError> {
        // Before anything was put on the air Wi-Fi is not started, and a scan would fail.
        if !self.started {
            self.apply().await.map_err(|error| radio_error("scan", error))?;
        }
        let mut controller = CONTROLLER.lock().await;
        let controller = controller.as_mut().ok_or(RadioError)?;
        let found = controller
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
        self.apply().await.map_err(|error| radio_error("access point", error))
    }

    async fn stop_access_point(&mut self) -> Result<(), RadioError> {
        self.access_point = None;
        self.apply().await.map_err(|error| radio_error("access point", error))
    }

    async fn join(&mut self, credentials: &WifiCredentials) -> Result<(), JoinError> {
        let ssid = credentials.ssid.as_str().try_into().map_err(|_| JoinError::NotFound)?;
        let authentication = if credentials.password.is_empty() {
            AuthenticationMethodConfig::Open
        } else {
            let password = credentials.password.as_str().try_into().map_err(|_| JoinError::WrongPassword)?;
            AuthenticationMethodConfig::WpaWpa2Personal(password)
        };
        self.station = Some(StationConfig::default().with_ssid(ssid).with_authentication(authentication));
        if let Err(error) = self.apply().await {
            log::warn!("radio: the station could not be configured: {error:?}");
            return Err(JoinError::Timeout);
        }
        let mut controller = CONTROLLER.lock().await;
        let Some(controller) = controller.as_mut() else { return Err(JoinError::Timeout) };
        match with_timeout(JOIN_TIMEOUT, controller.connect_async()).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(ConnectionError::Failed(info))) => Err(join_error(info.reason)),
            Ok(Err(error)) => {
                log::warn!("radio: join failed: {error:?}");
                Err(JoinError::Timeout)
            }
            Err(_) => Err(JoinError::Timeout),
        }
    }
}

impl RestartRadio for EspRadio {
    async fn restart(&mut self) -> Result<(), RadioError> {
        {
            let mut controller = CONTROLLER.lock().await;
            // The last reference to Wi-Fi goes with the controller: the driver stops and de-initialises.
            drop(controller.take());
            Timer::after(RESTART_PAUSE).await;
            // SAFETY: the WIFI peripheral was moved into the controller just dropped; nothing else holds it.
            let wifi = unsafe { WIFI::steal() };
            *controller = Some(WifiController::new(wifi, controller_config(self.country)).map_err(|error| radio_error("restart", error))?);
        }
        self.apply().await.map_err(|error| radio_error("restart", error))
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
