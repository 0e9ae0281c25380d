//! The provisioning driver: [`Provisioning`]'s commands carried out over a [`Radio`], the settings store and the
//! portal, and, once joined, [`Supervision`] of the home network. Settings changes from the host (bindings and
//! calibrations) are saved here too, through the [`SettingsKeeper`], so all flash work happens in this one task.
//!
//! # Overview
//! [`run`] boots the machine with the saved credentials and then waits, for ever, on whichever comes first: a
//! portal form, the long press, a due retry, a settings change, or the joined network going away. What happens
//! is told to the [`ProvisioningBoard`] as [`ProvisioningEvent`]s; restarts go through it too.
//!
//! # Configuration
//! [`ProvisioningConfig`] times joins and fallback; [`SupervisionConfig`] how patient the supervision is.

use alloc::vec::Vec;
use core::cell::RefCell;
use core::net::Ipv4Addr;

use embassy_futures::select::{select, select4, Either, Either4};
use embassy_net::Stack;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{with_timeout, Duration, Instant, Timer};
use embedded_storage_async::nor_flash::NorFlash;

use super::portal::Submissions;
use super::settings_keeper::{Kept, SettingsChange, SettingsChanges, SettingsKeeper};
use super::supervision::{Step, Supervision, SupervisionConfig};
use crate::portal::server::PortalServer;
use crate::portal::state::Progress;
use crate::provisioning::{Command, Phase, Provisioning, ProvisioningConfig};
use crate::radio::{AccessPointConfig, JoinError, Radio, RadioError};
/// How long a rejoin may take to bring the station's link back up.
const LINK_UP_TIMEOUT: Duration = Duration::from_secs(10);

/// A radio whose driver can be restarted without restarting the device: the middle step of supervision.
#[allow(async_fn_in_trait)]
pub trait RestartRadio: Radio {
    /// Stops and starts the radio's driver; the access point and station settings are put back.
    async fn restart(&mut self) -> Result<(), RadioError>;
}

/// What the driver tells the wiring.
#[derive(Debug)]
pub enum ProvisioningEvent<'a> {
    /// The access point is on the air with this many networks in the portal's list.
    AccessPoint {
        /// Its name.
        ssid: &'a str,
        /// The portal's address.
        address: Ipv4Addr,
        /// Networks heard in the scan.
        networks: usize,
    },
    /// The access point did not start.
    AccessPointFailed(RadioError),
    /// The access point is off the air.
    AccessPointOff,
    /// A portal form was saved.
    SettingsSaved {
        /// The home network.
        ssid: &'a str,
        /// The host given, if any.
        host: Option<&'a str>,
    },
    /// A portal form could not be saved (it is joined all the same).
    SettingsNotSaved(&'a str),
    /// What the settings keeper did with the host's bindings or a calibration, or with the long press's erase.
    Settings(Kept<'a>),
    /// A join is starting.
    Joining(&'a str),
    /// A join succeeded.
    Joined(&'a str),
    /// A join failed.
    JoinFailed {
        /// The network.
        ssid: &'a str,
        /// Why.
        error: JoinError,
    },
    /// The long press.
    ResetPressed,
    /// The joined network went away.
    LinkLost,
    /// A rejoin after a loss brought the network back.
    LinkBack,
    /// Supervision restarted the radio (or tried to).
    RadioRestarted(Result<(), RadioError>),
    /// The device restarts now.
    Restarting,
}

/// The long press, raised by the button task.
pub type ResetSignal = Signal<CriticalSectionRawMutex, ()>;

/// The wiring the driver reports to and restarts through.
pub trait ProvisioningBoard {
    /// Hears what the driver is doing.
    fn report(&mut self, event: ProvisioningEvent<'_>);
    /// The station joined for the first time since boot: start whatever the station needs.
    fn joined(&mut self) {}
    /// Restarts the device, so a fresh boot takes up what was saved.
    fn restart(&mut self) -> !;
}

/// What the driver works with.
pub struct Provisioner<'a, R, F: NorFlash, B> {
    /// The radio.
    pub radio: R,
    /// The settings loaded at boot and their store; kept up to date with what is saved.
    pub keeper: SettingsKeeper<F>,
    /// The portal the HTTP workers serve: its page shows the scan list and the join's progress.
    pub portal: &'a RefCell<PortalServer>,
    /// Forms accepted by the portal.
    pub submissions: &'a Submissions,
    /// The long press.
    pub reset: &'a ResetSignal,
    /// Settings changes to save.
    pub changes: &'a SettingsChanges,
    /// The station's stack, watched for a lost network once joined.
    pub station: Stack<'a>,
    /// The wiring.
    pub board: B,
    /// The access point's name and address.
    pub access_point: (&'a str, Ipv4Addr),
}

enum Wake {
    Submitted(crate::portal::form::Submission),
    Reset,
    Retry,
    Change(SettingsChange),
    LinkLost,
}

/// Runs provisioning, then supervision, for ever (until a restart).
pub async fn run<R: RestartRadio, F: NorFlash, B: ProvisioningBoard>(
    mut provisioner: Provisioner<'_, R, F, B>,
    config: ProvisioningConfig,
    supervision: SupervisionConfig,
) -> ! {
    let mut machine = Provisioning::new(config);
    let mut supervision = Supervision::new(supervision);
    let mut pending = machine.boot(provisioner.keeper.settings().network.wifi.clone());
    let mut started = false;
    loop {
        while !pending.is_empty() {
            let command = pending.remove(0);
            let more = provisioner.carry_out(&mut machine, command).await;
            pending.extend(more);
            if machine.phase() == Phase::Joined && !core::mem::replace(&mut started, true) {
                provisioner.board.joined();
            }
            // The page shows each step as it happens (the join's result before the restart's wait).
            let mut portal = provisioner.portal.borrow_mut();
            portal.state.progress = machine.progress();
            portal.state.provisioned = machine.phase() == Phase::Joined;
        }
        let retry = machine.next_retry_ms().map_or(Instant::MAX, Instant::from_millis);
        let joined = machine.phase() == Phase::Joined;
        let station = provisioner.station;
        let watch = async {
            if !joined {
                core::future::pending::<()>().await;
            }
            // Up first: right after the join the stack may not have seen the link yet.
            station.wait_link_up().await;
            station.wait_link_down().await;
        };
        let changes = provisioner.changes;
        let woken = select4(
            select(provisioner.submissions.receive(), provisioner.reset.wait()),
            Timer::at(retry),
            changes.receive(),
            watch,
        )
        .await;
        let wake = match woken {
            Either4::First(Either::First(submission)) => Wake::Submitted(submission),
            Either4::First(Either::Second(())) => Wake::Reset,
            Either4::Second(()) => Wake::Retry,
            Either4::Third(change) => Wake::Change(change),
            Either4::Fourth(()) => Wake::LinkLost,
        };
        pending = match wake {
            Wake::Submitted(submission) => machine.submitted(submission),
            Wake::Reset => {
                provisioner.board.report(ProvisioningEvent::ResetPressed);
                machine.reset()
            }
            Wake::Retry => machine.poll(Instant::now().as_millis()),
            Wake::Change(change) => {
                let board = &mut provisioner.board;
                provisioner.keeper.apply(change, |kept| board.report(ProvisioningEvent::Settings(kept))).await;
                Vec::new()
            }
            Wake::LinkLost => {
                provisioner.supervise(&mut supervision).await;
                Vec::new()
            }
        };
    }
}

impl<R: RestartRadio, F: NorFlash, B: ProvisioningBoard> Provisioner<'_, R, F, B> {
    async fn carry_out(&mut self, machine: &mut Provisioning, command: Command) -> Vec<Command> {
        let (ssid, address) = self.access_point;
        match command {
            Command::StartAccessPoint => {
                if let Err(error) = self.radio.start_access_point(&AccessPointConfig::new(ssid)).await {
                    self.board.report(ProvisioningEvent::AccessPointFailed(error));
                }
                let networks = self.radio.scan().await.unwrap_or_default();
                let count = networks.len();
                self.portal.borrow_mut().state.networks = networks;
                self.board.report(ProvisioningEvent::AccessPoint { ssid, address, networks: count });
            }
            Command::StopAccessPoint => {
                if let Err(error) = self.radio.stop_access_point().await {
                    log::warn!("provisioning: {error}; the access point stays on");
                }
                self.board.report(ProvisioningEvent::AccessPointOff);
            }
            Command::Save(submission) => {
                let saved = self
                    .keeper
                    .update(|settings| {
                        settings.network.wifi = Some(submission.wifi.clone());
                        settings.network.host.clone_from(&submission.host);
                        settings.network.token.clone_from(&submission.token);
                    })
                    .await;
                match saved {
                    Ok(()) => self.board.report(ProvisioningEvent::SettingsSaved { ssid: &submission.wifi.ssid, host: submission.host.as_deref() }),
                    Err(reason) => self.board.report(ProvisioningEvent::SettingsNotSaved(&reason)),
                }
            }
            Command::Join(credentials) => {
                self.board.report(ProvisioningEvent::Joining(&credentials.ssid));
                self.portal.borrow_mut().state.progress = Progress::Joining { ssid: credentials.ssid.clone() };
                let result = self.radio.join(&credentials).await;
                match result {
                    Ok(()) => self.board.report(ProvisioningEvent::Joined(&credentials.ssid)),
                    Err(error) => self.board.report(ProvisioningEvent::JoinFailed { ssid: &credentials.ssid, error }),
                }
                return machine.join_finished(result, Instant::now().as_millis());
            }
            Command::Erase => {
                let board = &mut self.board;
                self.keeper.erase(|kept| board.report(ProvisioningEvent::Settings(kept))).await;
            }
            Command::Restart { after_ms } => {
                Timer::after(Duration::from_millis(u64::from(after_ms))).await;
                self.board.report(ProvisioningEvent::Restarting);
                self.board.restart();
            }
        }
        Vec::new()
    }

    /// Rejoins the lost network, restarting the radio and in the end the device, until the link is back.
    async fn supervise(&mut self, supervision: &mut Supervision) {
        self.board.report(ProvisioningEvent::LinkLost);
        let Some(credentials) = self.keeper.settings().network.wifi.clone() else { return };
        let mut step = supervision.lost();
        loop {
            match step {
                Step::Done => {
                    self.board.report(ProvisioningEvent::LinkBack);
                    return;
                }
                Step::Rejoin => {}
                Step::RejoinAfter { ms } => {
                    // A long press still wins while the network is away.
                    if let Either::Second(()) = select(Timer::after(Duration::from_millis(u64::from(ms))), self.reset.wait()).await {
                        self.reset.signal(());
                        return;
                    }
                }
                Step::RestartRadio => {
                    let restarted = self.radio.restart().await;
                    self.board.report(ProvisioningEvent::RadioRestarted(restarted));
                }
                Step::RestartDevice => {
                    self.board.report(ProvisioningEvent::Restarting);
                    self.board.restart();
                }
            }
            self.board.report(ProvisioningEvent::Joining(&credentials.ssid));
            let joined = match self.radio.join(&credentials).await {
                Ok(()) => with_timeout(LINK_UP_TIMEOUT, self.station.wait_link_up()).await.is_ok(),
                Err(error) => {
                    self.board.report(ProvisioningEvent::JoinFailed { ssid: &credentials.ssid, error });
                    false
                }
            };
            step = supervision.rejoined(joined);
        }
    }
}
