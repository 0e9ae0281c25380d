//! The provisioning state machine: events in, commands out.

use alloc::vec;
use alloc::vec::Vec;

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
}

impl ProvisioningConfig {
    /// The defaults: retry every 10 s, fall back after 3 failures, restart 3 s after a portal join.
    pub const fn new() -> Self {
        Self { retry_ms: 10_000, fallback_after: 3, restart_after_ms: 3_000 }
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
}

impl Default for ProvisioningConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// What the caller must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Put the access point (and the portal's DHCP, DNS and HTTP) on the air.
    StartAccessPoint,
    /// Take the access point off the air.
    StopAccessPoint,
    /// Save the submission's Wi-Fi, host and token to the settings store.
    Save(Submission),
    /// Join this network and report with [`Provisioning::join_finished`].
    Join(WifiCredentials),
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
    /// Joined: the station network is up.
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
}

impl Provisioning {
    /// A machine that has not booted yet.
    pub const fn new(config: ProvisioningConfig) -> Self {
        Self { config, phase: Phase::AwaitingForm, credentials: None, last_error: None, failures: 0, access_point: false, from_portal: false }
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

    /// A join finished at `now_ms`.
    pub fn join_finished(&mut self, result: Result<(), JoinError>, now_ms: u64) -> Vec<Command> {
        if self.phase != Phase::Joining {
            return Vec::new();
        }
        match result {
            Ok(()) => {
                self.failures = 0;
                self.last_error = None;
                if self.from_portal {
                    // The host and token may have changed with the Wi-Fi: a fresh boot takes them all up.
                    self.phase = Phase::Restarting;
                    vec![Command::Restart { after_ms: self.config.restart_after_ms }]
                } else {
                    self.phase = Phase::Joined;
                    if core::mem::take(&mut self.access_point) {
                        vec![Command::StopAccessPoint]
                    } else {
                        Vec::new()
                    }
                }
            }
            Err(error) => {
                self.failures = self.failures.saturating_add(1);
                self.last_error = Some(error);
                self.phase = Phase::Retrying { until_ms: now_ms + u64::from(self.config.retry_ms) };
                if !self.access_point && self.failures >= self.config.fallback_after {
                    self.access_point = true;
                    vec![Command::StartAccessPoint]
                } else {
                    Vec::new()
                }
            }
        }
    }

    /// The clock: a retry that is due starts.
    pub fn poll(&mut self, now_ms: u64) -> Vec<Command> {
        match (self.phase, &self.credentials) {
            (Phase::Retrying { until_ms }, Some(credentials)) if now_ms >= until_ms => {
                self.phase = Phase::Joining;
                vec![Command::Join(credentials.clone())]
            }
            _ => Vec::new(),
        }
    }

    /// When the next retry is due, if one is waiting.
    pub const fn next_retry_ms(&self) -> Option<u64> {
        match self.phase {
            Phase::Retrying { until_ms } => Some(until_ms),
            _ => None,
        }
    }

    /// The long press: forget everything and restart into the portal.
    pub fn reset(&mut self) -> Vec<Command> {
        self.credentials = None;
        self.last_error = None;
        self.failures = 0;
        self.phase = Phase::Restarting;
        vec![Command::Erase, Command::Restart { after_ms: 0 }]
    }
}
