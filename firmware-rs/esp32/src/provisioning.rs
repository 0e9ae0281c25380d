//! First boot on the board: `sysboy-device`'s provisioning machine carried out over the esp-radio [`EspRadio`]
//! and the settings store. Saved credentials are joined; without them, or after repeated failures, the access
//! point comes up; a long press erases the settings and restarts.

use alloc::{string::ToString, vec::Vec};

use embassy_futures::select::{Either3, select3};
use embassy_sync::{blocking_mutex::raw::CriticalSectionRawMutex, channel::Channel, signal::Signal};
use embassy_time::{Duration, Instant, Timer};
use sysboy_device::{
    portal::form::Submission,
    provisioning::{Command, Provisioning, ProvisioningConfig},
    radio::{AccessPointConfig, Radio},
    settings::Settings,
};

use crate::{
    radio::{AP_ADDRESS, EspRadio},
    settings::{RECORD_BUFFER, Store},
};

/// The access point's name before the board has joined a home network.
pub const AP_SSID: &str = "Sysboy-setup";

/// The long press, raised by the button task.
pub static RESET: Signal<CriticalSectionRawMutex, ()> = Signal::new();
/// Forms accepted by the portal, waiting to be saved and joined.
pub static SUBMISSIONS: Channel<CriticalSectionRawMutex, Submission, 2> = Channel::new();

/// What provisioning drives.
pub struct Provisioner {
    /// The radio.
    pub radio: EspRadio,
    /// The settings store, if the flash has one.
    pub store: Option<Store>,
    /// The settings loaded at boot.
    pub settings: Settings,
}

/// Runs provisioning for ever (until a restart).
#[embassy_executor::task]
pub async fn run(mut provisioner: Provisioner) -> ! {
    let mut machine = Provisioning::new(ProvisioningConfig::new());
    let mut pending = machine.boot(provisioner.settings.network.wifi.clone());
    loop {
        while !pending.is_empty() {
            let command = pending.remove(0);
            let more = provisioner.carry_out(&mut machine, command).await;
            pending.extend(more);
        }
        let retry = machine.next_retry_ms().map_or(Instant::MAX, Instant::from_millis);
        pending = match select3(SUBMISSIONS.receive(), RESET.wait(), Timer::at(retry)).await {
            Either3::First(submission) => machine.submitted(submission),
            Either3::Second(()) => machine.reset(),
            Either3::Third(()) => machine.poll(Instant::now().as_millis()),
        };
    }
}

impl Provisioner {
    async fn carry_out(&mut self, machine: &mut Provisioning, command: Command) -> Vec<Command> {
        match command {
            Command::StartAccessPoint => match self.radio.start_access_point(&AccessPointConfig::new(AP_SSID)).await {
                Ok(()) => log::info!("provisioning: access point \"{AP_SSID}\" at {AP_ADDRESS}"),
                Err(error) => log::error!("provisioning: {error}; the access point is off"),
            },
            Command::StopAccessPoint => {
                if let Err(error) = self.radio.stop_access_point().await {
                    log::warn!("provisioning: {error}; the access point stays on");
                }
            }
            Command::Save(submission) => {
                self.settings.network.wifi = Some(submission.wifi);
                self.settings.network.host = submission.host;
                self.settings.network.token = submission.token;
                let mut buffer = [0u8; RECORD_BUFFER];
                let saved = match self.store.as_mut() {
                    Some(store) => store.save(&self.settings, &mut buffer).await.map_err(|error| error.to_string()),
                    None => Err("there is no settings flash".into()),
                };
                if let Err(reason) = saved {
                    log::error!("provisioning: the settings were not saved: {reason}");
                }
            }
            Command::Join(credentials) => {
                log::info!("provisioning: joining \"{}\"", credentials.ssid);
                let result = self.radio.join(&credentials).await;
                match &result {
                    Ok(()) => log::info!("provisioning: joined \"{}\"", credentials.ssid),
                    Err(error) => log::warn!("provisioning: \"{}\": {error}", credentials.ssid),
                }
                return machine.join_finished(result, Instant::now().as_millis());
            }
            Command::Erase => {
                let erased = match self.store.as_mut() {
                    Some(store) => store.reset().await.map_err(|error| error.to_string()),
                    None => Err("there is no settings flash".into()),
                };
                match erased {
                    Ok(()) => log::warn!("provisioning: settings erased"),
                    Err(reason) => log::error!("provisioning: the settings were not erased: {reason}"),
                }
            }
            Command::Restart { after_ms } => {
                Timer::after(Duration::from_millis(u64::from(after_ms))).await;
                log::info!("provisioning: restarting");
                esp_hal::system::software_reset();
            }
        }
        Vec::new()
    }
}
