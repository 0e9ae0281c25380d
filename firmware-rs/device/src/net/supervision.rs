//! What to do when the joined home network goes away (a lost beacon, a router restart): rejoin a few times, then
//! restart the radio, then the whole device, sans-IO.
//!
//! # Overview
//! The caller reports the loss with [`Supervision::lost`] and each rejoin's outcome with
//! [`Supervision::rejoined`], and carries out the [`Step`] returned. A success forgets the failures.
//!
//! # Configuration
//! [`SupervisionConfig::new`] gives the defaults (3 rejoins 5 s apart per radio restart, 2 radio restarts, then
//! a device restart); the `with_*` setters change them.
//!
//! # Example
//! ```
//! use sysboy_device::net::supervision::{Step, Supervision, SupervisionConfig};
//! let mut supervision = Supervision::new(SupervisionConfig::new());
//! assert_eq!(supervision.lost(), Step::Rejoin);
//! assert_eq!(supervision.rejoined(false), Step::RejoinAfter { ms: 5_000 });
//! assert_eq!(supervision.rejoined(true), Step::Done);
//! ```

/// How patient supervision is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupervisionConfig {
    /// Failed rejoins before the radio is restarted.
    pub rejoins_per_restart: u32,
    /// Radio restarts before the device is restarted.
    pub radio_restarts: u32,
    /// Wait between failed rejoins, ms.
    pub retry_ms: u32,
}

impl SupervisionConfig {
    /// The defaults: 3 rejoins 5 s apart per radio restart, 2 radio restarts, then a device restart.
    pub const fn new() -> Self {
        Self { rejoins_per_restart: 3, radio_restarts: 2, retry_ms: 5_000 }
    }

    /// Sets how many failed rejoins restart the radio (at least 1).
    pub const fn with_rejoins_per_restart(mut self, rejoins: u32) -> Self {
        self.rejoins_per_restart = if rejoins == 0 { 1 } else { rejoins };
        self
    }

    /// Sets how many radio restarts come before a device restart.
    pub const fn with_radio_restarts(mut self, restarts: u32) -> Self {
        self.radio_restarts = restarts;
        self
    }

    /// Sets the wait between failed rejoins.
    pub const fn with_retry_ms(mut self, retry_ms: u32) -> Self {
        self.retry_ms = retry_ms;
        self
    }
}

impl Default for SupervisionConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// What the caller does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Rejoin now and report with [`Supervision::rejoined`].
    Rejoin,
    /// Wait this long, then rejoin.
    RejoinAfter {
        /// The wait, ms.
        ms: u32,
    },
    /// Restart the radio (its driver, not the chip), then rejoin.
    RestartRadio,
    /// Nothing helped: restart the device.
    RestartDevice,
    /// The network is back.
    Done,
}

/// The supervision state machine.
#[derive(Debug, Clone)]
pub struct Supervision {
    config: SupervisionConfig,
    failures: u32,
    restarts: u32,
}

impl Supervision {
    /// Nothing lost yet.
    pub const fn new(config: SupervisionConfig) -> Self {
        Self { config, failures: 0, restarts: 0 }
    }

    /// The network went away.
    pub fn lost(&mut self) -> Step {
        Step::Rejoin
    }

    /// A rejoin finished; `ok` means the link is up again.
    pub fn rejoined(&mut self, ok: bool) -> Step {
        if ok {
            self.failures = 0;
            self.restarts = 0;
            return Step::Done;
        }
        self.failures = self.failures.saturating_add(1);
        if self.failures < self.config.rejoins_per_restart {
            return Step::RejoinAfter { ms: self.config.retry_ms };
        }
        self.failures = 0;
        if self.restarts < self.config.radio_restarts {
            self.restarts += 1;
            Step::RestartRadio
        } else {
            Step::RestartDevice
        }
    }

    /// Radio restarts since the last success.
    pub const fn radio_restarts(&self) -> u32 {
        self.restarts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejoins_then_restarts_the_radio_then_the_device() {
        let mut supervision = Supervision::new(SupervisionConfig::new().with_rejoins_per_restart(2).with_radio_restarts(1).with_retry_ms(7));
        assert_eq!(supervision.lost(), Step::Rejoin);
        assert_eq!(supervision.rejoined(false), Step::RejoinAfter { ms: 7 });
        assert_eq!(supervision.rejoined(false), Step::RestartRadio);
        assert_eq!(supervision.radio_restarts(), 1);
        assert_eq!(supervision.rejoined(false), Step::RejoinAfter { ms: 7 });
        assert_eq!(supervision.rejoined(false), Step::RestartDevice);
    }

    #[test]
    fn a_success_forgets_earlier_failures() {
        let mut supervision = Supervision::new(SupervisionConfig::new().with_rejoins_per_restart(2).with_radio_restarts(1));
        supervision.lost();
        assert_eq!(supervision.rejoined(false), Step::RejoinAfter { ms: 5_000 });
        assert_eq!(supervision.rejoined(false), Step::RestartRadio);
        assert_eq!(supervision.rejoined(true), Step::Done);
        assert_eq!(supervision.radio_restarts(), 0);
        supervision.lost();
        assert_eq!(supervision.rejoined(false), Step::RejoinAfter { ms: 5_000 });
        assert_eq!(supervision.rejoined(false), Step::RestartRadio);
    }

    #[test]
    fn zero_rejoins_is_taken_as_one() {
        let mut supervision = Supervision::new(SupervisionConfig::new().with_rejoins_per_restart(0).with_radio_restarts(0));
        supervision.lost();
        assert_eq!(supervision.rejoined(false), Step::RestartDevice);
    }
}
