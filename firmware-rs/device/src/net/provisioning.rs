//! The provisioning driver: [`Provisioning`]'s commands carried out over a [`Radio`], the settings store and the
//! portal, and, once joined, [`Supervision`] of the home network. Settings changes from the host (bindings and
//! calibrations) are saved here too, through the [`SettingsKeeper`], so all flash work happens in this one task.
//!
//! # Overview
//! [`run`] boots the machine with the saved credentials and then waits, for ever, on whichever comes first: a
//! portal request, the long press, the machine's next deadline, a settings change, or the station's link level
//! differing from what the machine was last told. The policy (when to join, rejoin, fall back, restart) is all
//! in [`Provisioning`]; this task only carries out its commands. The link is handed over as a level, not waited
//! for as an edge, so a drop that happened while a command ran (a flash save, a mode change) is never missed.
//! What happens is told to the [`ProvisioningBoard`] as [`ProvisioningEvent`]s; restarts go through it too.
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
use embassy_time::{Duration, Instant, Timer};
use embedded_storage_async::nor_flash::NorFlash;

use super::portal::Submissions;
use super::settings_keeper::{Kept, SettingsChange, SettingsChanges, SettingsKeeper};
use super::supervision::SupervisionConfig;
use crate::portal::server::{PortalRequest, PortalServer};
use crate::portal::state::Progress;
use crate::provisioning::{Command, Phase, Provisioning, ProvisioningConfig};
use crate::radio::{AccessPointConfig, JoinError, Radio, RadioError};

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
    /// A scan asked for from the portal finished with this many networks.
    Scanned {
        /// Networks heard.
        networks: usize,
    },
    /// A scan failed; the portal keeps its last list.
    ScanFailed(RadioError),
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
    /// Requests accepted by the portal: forms and rescans.
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
    Portal(PortalRequest),
    Reset,
    Clock,
    Change(SettingsChange),
    Link(bool),
}

/// Runs provisioning, then supervision of the joined network, for ever (until a restart).
pub async fn run<R: RestartRadio, F: NorFlash, B: ProvisioningBoard>(
    mut provisioner: Provisioner<'_, R, F, B>,
    config: ProvisioningConfig,
    supervision: SupervisionConfig,
) -> ! {
    let mut machine = Provisioning::new(config.with_supervision(supervision));
    let mut pending = machine.boot(provisioner.keeper.settings().network.wifi.clone());
    let mut started = false;
    loop {
        while !pending.is_empty() {
            let command = pending.remove(0);
            let more = provisioner.carry_out(&mut machine, command).await;
            pending.extend(more);
            if pending.is_empty() {
                // What the link did while the commands ran: a level differing from the machine's is news.
                let up = provisioner.station.is_link_up();
                pending.extend(machine.link(up, Instant::now().as_millis()));
            }
            if machine.phase() == Phase::Joined && !core::mem::replace(&mut started, true) {
                provisioner.board.joined();
            }
            // The page shows each step as it happens (the join's result before the restart's wait).
            let mut portal = provisioner.portal.borrow_mut();
            portal.state.progress = machine.progress();
            portal.state.provisioned = machine.phase() == Phase::Joined;
        }
        let deadline = machine.next_deadline_ms().map_or(Instant::MAX, Instant::from_millis);
        let station = provisioner.station;
        let known = machine.link_up();
        let link = async {
            if known {
                station.wait_link_down().await;
            } else {
                station.wait_link_up().await;
            }
            !known
        };
        let changes = provisioner.changes;
        let woken = select4(
            select(provisioner.submissions.receive(), provisioner.reset.wait()),
            Timer::at(deadline),
            changes.receive(),
            link,
        )
        .await;
        let wake = match woken {
            Either4::First(Either::First(request)) => Wake::Portal(request),
            Either4::First(Either::Second(())) => Wake::Reset,
            Either4::Second(()) => Wake::Clock,
            Either4::Third(change) => Wake::Change(change),
            Either4::Fourth(up) => Wake::Link(up),
        };
        let now = Instant::now().as_millis();
        pending = match wake {
            Wake::Portal(PortalRequest::Join(submission)) => machine.submitted(submission),
            Wake::Portal(PortalRequest::Rescan) => {
                let commands = machine.rescan();
                if commands.is_empty() {
                    provisioner.portal.borrow_mut().state.scanning = false;
                }
                commands
            }
            Wake::Reset => {
                provisioner.board.report(ProvisioningEvent::ResetPressed);
                machine.reset()
            }
            Wake::Clock => machine.poll(now),
            Wake::Change(change) => {
                let board = &mut provisioner.board;
                provisioner.keeper.apply(change, |kept| board.report(ProvisioningEvent::Settings(kept))).await;
                // The save may have taken long enough for the link to change: read it as a level.
                machine.link(provisioner.station.is_link_up(), Instant::now().as_millis())
            }
            Wake::Link(up) => machine.link(up, now),
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
                let count = self.scan().await;
                self.board.report(ProvisioningEvent::AccessPoint { ssid, address, networks: count });
            }
            Command::Scan => {
                let count = self.scan().await;
                self.board.report(ProvisioningEvent::Scanned { networks: count });
            }
            Command::RestartRadio => {
                let restarted = self.radio.restart().await;
                self.board.report(ProvisioningEvent::RadioRestarted(restarted));
            }
            Command::LinkLost => self.board.report(ProvisioningEvent::LinkLost),
            Command::LinkBack => self.board.report(ProvisioningEvent::LinkBack),
            Command::StopAccessPoint => {
                if let Err(error) = self.radio.stop_access_point().await {
                    log::warn!("provisioning: {error}; the access point stays on");
                }
                self.board.report(ProvisioningEvent::AccessPointOff);
            }
            Command::Save(submission) => {
                let saved = self
                    .keeper
                    .update(|settings| submission.apply_to(&mut settings.network))
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

    /// Scans for the portal's list; a failed scan keeps the old list (and says so), never an empty one.
    async fn scan(&mut self) -> usize {
        let scanned = self.radio.scan().await;
        let mut portal = self.portal.borrow_mut();
        portal.state.scanning = false;
        match scanned {
            Ok(networks) => {
                portal.state.networks = networks;
                portal.state.scans = portal.state.scans.wrapping_add(1);
            }
            Err(error) => {
                drop(portal);
                self.board.report(ProvisioningEvent::ScanFailed(error));
                return self.portal.borrow().state.networks.len();
            }
        }
        portal.state.networks.len()
    }
}
