//! First-boot provisioning: when to open the access point, when to join, how often to retry, when to fall back
//! and when to restart.
//!
//! # Overview
//! [`Provisioning`] is a sans-IO state machine. The caller tells it what happened (boot with or without saved
//! credentials, a portal submission, a join's result, the clock, a long press) and carries out the
//! [`Command`]s it returns, in order, over a [`crate::radio::Radio`] and the settings store. A submission is
//! saved before the join is tried; a failed join keeps the access point up and is retried; after
//! [`ProvisioningConfig::fallback_after`] failed joins of saved credentials the access point comes back while
//! the retries go on.
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
