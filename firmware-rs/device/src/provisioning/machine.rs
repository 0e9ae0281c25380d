//! The provisioning and link state machine: events in (boot, a form, a join's result, the station's link going
//! up or down, the clock, a long press), commands out. The async driver only carries the commands out.

use alloc::vec;
use alloc::vec::Vec;

use crate::net::supervision::{Step, Supervision, SupervisionConfig};
use crate::portal::form::Submission;
use crate::portal::state::Progress;
use crate::radio::JoinError;
use crate::settings::WifiCredentials;

/// Timing of joins, retries and fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProvisioningConfig {
    /// Wait between failed joins, ms.
    pub retry_ms: u32,
    /// Failed joins of saved credentials before the access point comes back.
    pub fallback_after: u32,
    /// Wait after a portal join before restarting, so the page can show the result, ms.
    pub restart_after_ms: u32,
    /// How long the station's link may take to come up after a join succeeded, ms.
    pub link_up_ms: u32,
    /// How patient the recovery of a lost network is.
    pub supervision: SupervisionConfig,
}

impl ProvisioningConfig {
    /// The defaults: retry every 10 s, fall back after 3 failures, restart 10 s after a portal join (time for a
    /// phone that the access point's channel move dropped to come back and read the result), 10 s for the link
    /// to come up, and [`SupervisionConfig::new`].
    pub const fn new() -> Self {
        Self { retry_ms: 10_000, fallback_after: 3, restart_after_ms: 10_000, link_up_ms: 10_000, supervision: SupervisionConfig::new() }
    }

    /// Sets the wait between failed joins.
    pub const fn with_retry_ms(mut self, retry_ms: u32) -> Self {
        self.retry_ms = retry_ms;
        self
    }

    /// Sets how many failed joins bring the access point back (at least 1).
    pub const fn with_fallback_after(mut self, failures: u32) -> Self {
        self.fallback_after = if failures == 0 { 1 } else { failures };
        self
    }

    /// Sets the wait before the restart that follows a portal join.
    pub const fn with_restart_after_ms(mut self, ms: u32) -> Self {
        self.restart_after_ms = ms;
        self
    }

    /// Sets how long the link may take to come up after a join.
    pub const fn with_link_up_ms(mut self, ms: u32) -> Self {
        self.link_up_ms = ms;
        self
    }

    /// Sets how a lost network is recovered.
    pub const fn with_supervision(mut self, supervision: SupervisionConfig) -> Self {
        self.supervision = supervision;
        self
    }
}

impl Default for ProvisioningConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// What the caller must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Put the access point (and the portal's DHCP, DNS and HTTP) on the air beside the station, then scan for
    /// the portal's list.
    StartAccessPoint,
    /// Take the access point off the air. This changes the radio's mode, which drops the station (see
    /// [`crate::radio`]'s contract), so a [`Command::Join`] always follows it.
    StopAccessPoint,
    /// Scan again for the portal's list (the access point is on, so the station side can scan).
    Scan,
    /// Save the submission's Wi-Fi, host and token to the settings store.
    Save(Submission),
    /// Join this network and report with [`Provisioning::join_finished`].
    Join(WifiCredentials),
    /// Restart the radio's driver (a stop, like a mode change); a [`Command::Join`] follows.
    RestartRadio,
    /// Tell the board the joined network went away (a rejoin follows).
    LinkLost,
    /// Tell the board the network is back after a loss.
    LinkBack,
    /// Erase the settings store.
    Erase,
    /// Restart the device after this many ms (new settings are taken up by a fresh boot).
    Restart {
        /// Wait first, ms.
        after_ms: u32,
    },
}

/// Where provisioning is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No credentials: the portal waits for the form.
    AwaitingForm,
    /// A join is under way.
    Joining,
    /// The last join failed; the next is due at `until_ms`.
    Retrying {
        /// When to try again.
        until_ms: u64,
    },
    /// Joined: the station network is up, or coming up (see [`Provisioning::next_deadline_ms`]).
    Joined,
    /// A restart is coming.
    Restarting,
}

/// The provisioning state machine.
#[derive(Debug, Clone)]
pub struct Provisioning {
    config: ProvisioningConfig,
    phase: Phase,
    credentials: Option<WifiCredentials>,
    last_error: Option<JoinError>,
    failures: u32,
    access_point: bool,
    from_portal: bool,
    /// The station's link as last told by [`Provisioning::link`].
    link_up: bool,
    /// After a successful join: the link must be up by then.
    link_due_ms: Option<u64>,
    /// A lost network is being recovered: failures go to `supervision`, not to the fallback count.
    recovering: bool,
    supervision: Supervision,
}

impl Provisioning {
    /// A machine that has not booted yet.
    pub const fn new(config: ProvisioningConfig) -> Self {
        Self {
            config,
            phase: Phase::AwaitingForm,
            credentials: None,
            last_error: None,
            failures: 0,
            access_point: false,
            from_portal: false,
            link_up: false,
            link_due_ms: None,
            recovering: false,
            supervision: Supervision::new(config.supervision),
        }
    }

    /// Where it is.
    pub const fn phase(&self) -> Phase {
        self.phase
    }

    /// Whether the access point should be on the air.
    pub const fn access_point(&self) -> bool {
        self.access_point
    }

    /// Failed joins since the last success or submission.
    pub const fn failures(&self) -> u32 {
        self.failures
    }

    /// The join's progress, as the portal page shows it.
    pub fn progress(&self) -> Progress {
        let Some(credentials) = &self.credentials else { return Progress::Idle };
        let ssid = credentials.ssid.clone();
        match (self.phase, self.last_error) {
            (Phase::Joined | Phase::Restarting, _) => Progress::Joined { ssid },
            (Phase::Retrying { .. }, Some(error)) => Progress::Failed { ssid, error },
            (Phase::Joining, _) | (Phase::Retrying { .. }, None) => Progress::Joining { ssid },
            (Phase::AwaitingForm, _) => Progress::Idle,
        }
    }

    /// Boots with the saved credentials, if any: join them, or open the portal.
    pub fn boot(&mut self, saved: Option<WifiCredentials>) -> Vec<Command> {
        match saved {
            Some(credentials) => {
                self.credentials = Some(credentials.clone());
                self.phase = Phase::Joining;
                vec![Command::Join(credentials)]
            }
            None => {
                self.phase = Phase::AwaitingForm;
                self.access_point = true;
                vec![Command::StartAccessPoint]
            }
        }
    }

    /// The portal's form was accepted: save it, then join (the access point stays up meanwhile).
    pub fn submitted(&mut self, submission: Submission) -> Vec<Command> {
        if self.phase == Phase::Restarting {
            return Vec::new();
        }
        let credentials = submission.wifi.clone();
        self.credentials = Some(credentials.clone());
        self.last_error = None;
        self.failures = 0;
        self.from_portal = true;
        self.phase = Phase::Joining;
        vec![Command::Save(submission), Command::Join(credentials)]
    }

    /// The station's link as the caller sees it now. The caller reports the level whenever it differs from
    /// [`Provisioning::link_up`], so a change that happened while it was busy (a flash save, a join) is never
    /// missed, and nothing waits for an edge that already passed.
    pub fn link(&mut self, up: bool, now_ms: u64) -> Vec<Command> {
        if up == self.link_up {
            return Vec::new();
        }
        self.link_up = up;
        if up {
            self.link_due_ms = None;
            if self.phase == Phase::Joined && core::mem::take(&mut self.recovering) {
                self.supervision.rejoined(true);
                return vec![Command::LinkBack];
            }
            return Vec::new();
        }
        // Down: only a link that was up while joined is a loss; during a join or before the link first came up
        // a down level is expected, and the deadline covers a link that never comes.
        if self.phase != Phase::Joined || self.link_due_ms.is_some() {
            return Vec::new();
        }
        self.recovering = true;
        let mut commands = vec![Command::LinkLost];
        let step = self.supervision.lost();
        commands.extend(self.step(step, now_ms));
        commands
    }

    /// The station's link as last reported.
    pub const fn link_up(&self) -> bool {
        self.link_up
    }

    /// A join finished at `now_ms`.
    pub fn join_finished(&mut self, result: Result<(), JoinError>, now_ms: u64) -> Vec<Command> {
        if self.phase != Phase::Joining {
            return Vec::new();
        }
        match result {
            Ok(()) => {
                self.failures = 0;
                self.last_error = None;
                // A join makes a new link: whatever level was last told belongs to the old one.
                self.link_up = false;
                if self.from_portal {
                    // The host and token may have changed with the Wi-Fi: a fresh boot takes them all up.
                    self.phase = Phase::Restarting;
                    return vec![Command::Restart { after_ms: self.config.restart_after_ms }];
                }
                if core::mem::take(&mut self.access_point) {
                    // Turning the access point off changes the mode, which drops the station just joined (contract
                    // row 1): join again in station-only mode rather than wait for a link that will not come.
                    self.phase = Phase::Joining;
                    let credentials = self.credentials.clone();
                    let mut commands = vec![Command::StopAccessPoint];
                    commands.extend(credentials.map(Command::Join));
                    return commands;
                }
                self.phase = Phase::Joined;
                self.link_due_ms = Some(now_ms + u64::from(self.config.link_up_ms));
                Vec::new()
            }
            Err(error) => self.failed(error, now_ms),
        }
    }

    fn failed(&mut self, error: JoinError, now_ms: u64) -> Vec<Command> {
        self.last_error = Some(error);
        self.link_due_ms = None;
        if self.recovering {
            let step = self.supervision.rejoined(false);
            return self.step(step, now_ms);
        }
        self.failures = self.failures.saturating_add(1);
        self.phase = Phase::Retrying { until_ms: now_ms + u64::from(self.config.retry_ms) };
        if !self.access_point && self.failures >= self.config.fallback_after {
            self.access_point = true;
            vec![Command::StartAccessPoint]
        } else {
            Vec::new()
        }
    }

    /// Carries out one step of the recovery of a lost network.
    fn step(&mut self, step: Step, now_ms: u64) -> Vec<Command> {
        let Some(credentials) = self.credentials.clone() else {
            self.phase = Phase::AwaitingForm;
            return Vec::new();
        };
        match step {
            Step::Rejoin => {
                self.phase = Phase::Joining;
                vec![Command::Join(credentials)]
            }
            Step::RejoinAfter { ms } => {
                self.phase = Phase::Retrying { until_ms: now_ms + u64::from(ms) };
                Vec::new()
            }
            Step::RestartRadio => {
                self.phase = Phase::Joining;
                vec![Command::RestartRadio, Command::Join(credentials)]
            }
            Step::RestartDevice => {
                self.phase = Phase::Restarting;
                vec![Command::Restart { after_ms: 0 }]
            }
            Step::Done => {
                self.phase = Phase::Joined;
                Vec::new()
            }
        }
    }

    /// The portal asked for a new scan: only while the access point is on (its page is the only reader).
    pub fn rescan(&mut self) -> Vec<Command> {
        if self.access_point && self.phase != Phase::Restarting {
            vec![Command::Scan]
        } else {
            Vec::new()
        }
    }

    /// The clock: a retry that is due starts; a link that did not come up after a join counts as a failure.
    pub fn poll(&mut self, now_ms: u64) -> Vec<Command> {
        match (self.phase, &self.credentials) {
            (Phase::Retrying { until_ms }, Some(credentials)) if now_ms >= until_ms => {
                self.phase = Phase::Joining;
                vec![Command::Join(credentials.clone())]
            }
            (Phase::Joined, Some(_)) if self.link_due_ms.is_some_and(|due| now_ms >= due) => {
                self.phase = Phase::Joining;
                self.failed(JoinError::Timeout, now_ms)
            }
            _ => Vec::new(),
        }
    }

    /// When the clock next matters: a retry, or the deadline for the link after a join.
    pub fn next_deadline_ms(&self) -> Option<u64> {
        match self.phase {
            Phase::Retrying { until_ms } => Some(until_ms),
            Phase::Joined => self.link_due_ms,
            _ => None,
        }
    }

    /// The long press: forget everything and restart into the portal.
    pub fn reset(&mut self) -> Vec<Command> {
        self.credentials = None;
        self.last_error = None;
        self.failures = 0;
        self.recovering = false;
        self.phase = Phase::Restarting;
        vec![Command::Erase, Command::Restart { after_ms: 0 }]
    }
}
