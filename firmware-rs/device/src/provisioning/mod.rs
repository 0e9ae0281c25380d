//! Provisioning and the link's policy: when to open the access point, when to join and rejoin, how often to
//! retry, when to fall back, when to restart the radio or the board.
//!
//! # Overview
//! [`Provisioning`] is a sans-IO state machine. The caller tells it what happened (boot with or without saved
//! credentials, a portal submission or rescan, a join's result, the station's link level, the clock, a long
//! press) and carries out the [`Command`]s it returns, in order, over a [`crate::radio::Radio`] and the settings
//! store. A submission is saved before the join is tried; a failed join keeps the access point up and is
//! retried; after [`ProvisioningConfig::fallback_after`] failed joins of saved credentials the access point comes
//! back while the retries go on. Every change of the radio's mode (the access point off) and every radio restart
//! is followed by a join, since esp-radio drops the station then (see [`crate::radio`]'s contract); a link that
//! was up and goes down is rejoined, then the radio restarted, then the board ([`crate::net::supervision`]); a
//! link that does not come up after a join counts as a failed join.
//!
//! # Configuration
//! [`ProvisioningConfig::new`] gives the defaults (retry every 10 s, fall back after 3 failures, restart 3 s
//! after a portal join so the page can show it); the `with_*` setters change them.
//!
//! # Example
//! ```
//! use sysboy_device::provisioning::{Command, Provisioning, ProvisioningConfig};
//! let mut provisioning = Provisioning::new(ProvisioningConfig::new());
//! assert_eq!(provisioning.boot(None), vec![Command::StartAccessPoint]);
//! ```

mod machine;
#[cfg(test)]
mod tests;

pub use machine::{Command, Phase, Provisioning, ProvisioningConfig};
