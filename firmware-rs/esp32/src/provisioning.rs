//! First boot and after: `sysboy-device`'s provisioning driver (the same as the simulator's) over the esp-radio
//! [`EspRadio`], the settings store on the `nvs` partition and the portal. Saved credentials are joined; without
//! them, or after repeated failures, the access point comes up; a long press erases the settings and restarts;
//! a lost network is rejoined, then the radio restarted, then the chip reset. Events go to the log.

use embassy_net::Stack;
use sysboy_device::{
    net::{
        portal::{AP_ADDRESS, Submissions},
        provisioning::{self, Provisioner, ProvisioningBoard, ProvisioningEvent, ResetSignal},
        settings_keeper::{Kept, SettingsChange, SettingsChanges, SettingsKeeper},
        supervision::SupervisionConfig,
    },
    provisioning::ProvisioningConfig,
    settings::Settings,
};

use crate::{
    portal::Portal,
    radio::EspRadio,
    settings::Flash,
};

/// The long press, raised by the button task.
pub static RESET: ResetSignal = ResetSignal::new();
/// Bindings and calibrations from the host, waiting to be saved.
pub static CHANGES: SettingsChanges = SettingsChanges::new();

/// Provisioning as the board does it: events to the log and the screen, restarts by software reset.
pub struct EspProvisioning {
    /// The screens, which show the access point's name and the network being joined.
    #[cfg(any(feature = "oled", feature = "tft"))]
    screens: Option<&'static crate::screen::SharedScreens>,
}

impl ProvisioningBoard for EspProvisioning {
    fn report(&mut self, event: ProvisioningEvent<'_>) {
        if let Some(heard) = sysboy_device::status_light::Heard::from_provisioning(&event) {
            crate::status_light::hear(heard);
        }
        #[cfg(any(feature = "oled", feature = "tft"))]
        if let Some(screens) = self.screens {
            screens.lock(|screens| screens.borrow_mut().hear_provisioning(&event));
            crate::screen::wake();
        }
        match event {
            ProvisioningEvent::AccessPoint { ssid, address, networks } => {
                log::info!("provisioning: access point \"{ssid}\", portal at http://{address}/ ({networks} networks heard)")
            }
            ProvisioningEvent::AccessPointFailed(error) => log::error!("provisioning: {error}; the access point is off"),
            ProvisioningEvent::AccessPointOff => log::info!("provisioning: access point off"),
            ProvisioningEvent::Scanned { networks } => log::info!("provisioning: {networks} networks heard"),
            ProvisioningEvent::ScanFailed(error) => log::warn!("provisioning: scan failed ({error}); the portal keeps its list"),
            ProvisioningEvent::SettingsSaved { ssid, host } => {
                log::info!("provisioning: saved \"{ssid}\" (host {})", host.unwrap_or("by mDNS"))
            }
            ProvisioningEvent::SettingsNotSaved(reason) => log::error!("provisioning: the settings were not saved: {reason}"),
            ProvisioningEvent::Settings(Kept::Saved(SettingsChange::Bindings(bindings))) => {
                log::info!("settings: {} binding(s) saved", bindings.len())
            }
            ProvisioningEvent::Settings(Kept::Saved(SettingsChange::Calibration(calibration))) => {
                log::info!("settings: calibration of \"{}\" saved", calibration.output)
            }
            ProvisioningEvent::Settings(Kept::Saved(SettingsChange::Token(_))) => log::info!("settings: the board's credential saved"),
            ProvisioningEvent::Settings(Kept::NotSaved { reason, .. }) => log::error!("settings: not saved: {reason}"),
            ProvisioningEvent::Settings(Kept::Erased(Ok(()))) => log::warn!("provisioning: settings erased"),
            ProvisioningEvent::Settings(Kept::Erased(Err(reason))) => log::error!("provisioning: the settings were not erased: {reason}"),
            ProvisioningEvent::Joining(ssid) => log::info!("provisioning: joining \"{ssid}\""),
            ProvisioningEvent::Joined(ssid) => log::info!("provisioning: joined \"{ssid}\""),
            ProvisioningEvent::JoinFailed { ssid, error } => log::warn!("provisioning: \"{ssid}\": {error}"),
            ProvisioningEvent::ResetPressed => log::warn!("provisioning: long press"),
            ProvisioningEvent::LinkLost => log::warn!("wifi: the home network went away; rejoining"),
            ProvisioningEvent::LinkBack => log::info!("wifi: the home network is back"),
            ProvisioningEvent::RadioRestarted(Ok(())) => log::warn!("wifi: radio restarted"),
            ProvisioningEvent::RadioRestarted(Err(error)) => log::error!("wifi: radio restart failed: {error}"),
            ProvisioningEvent::Restarting => log::warn!("provisioning: restarting"),
        }
    }

    fn restart(&mut self) -> ! {
        esp_hal::system::software_reset()
    }
}

/// What the provisioning task is handed at boot.
pub struct Start {
    /// The radio.
    pub radio: EspRadio,
    /// The settings store, if the flash has one.
    pub store: Option<crate::settings::Store>,
    /// The settings loaded at boot.
    pub settings: Settings,
    /// The portal's page state.
    pub portal: &'static Portal,
    /// Forms accepted by the portal.
    pub submissions: &'static Submissions,
    /// The station's stack, watched once joined.
    pub station: Stack<'static>,
    /// The access point's name ([`sysboy_device::net::portal::ap_ssid`] of the station MAC).
    pub ssid: &'static str,
    /// The screens, when the board has a display.
    #[cfg(any(feature = "oled", feature = "tft"))]
    pub screens: Option<&'static crate::screen::SharedScreens>,
}

/// Runs provisioning for ever (until a restart).
#[embassy_executor::task]
pub async fn run(start: Start) -> ! {
    let provisioner: Provisioner<'static, EspRadio, Flash, EspProvisioning> = Provisioner {
        radio: start.radio,
        keeper: SettingsKeeper::new(start.store, start.settings),
        portal: start.portal,
        submissions: start.submissions,
        reset: &RESET,
        changes: &CHANGES,
        station: start.station,
        board: EspProvisioning {
            #[cfg(any(feature = "oled", feature = "tft"))]
            screens: start.screens,
        },
        access_point: (start.ssid, AP_ADDRESS),
    };
    provisioning::run(provisioner, ProvisioningConfig::new(), SupervisionConfig::new()).await
}
