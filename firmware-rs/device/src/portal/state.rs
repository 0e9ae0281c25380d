//! What the portal shows: the networks in range, the form as last typed, and how the join is going.

use alloc::string::String;
use alloc::vec::Vec;

use super::form::{FieldErrors, FormValues};
use crate::radio::{JoinError, ScanEntry};

/// How the join asked for in the portal is going.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Progress {
    /// Nothing asked yet.
    #[default]
    Idle,
    /// Settings saved; the join is under way.
    Joining {
        /// The network.
        ssid: String,
    },
    /// The join failed; the access point stays up.
    Failed {
        /// The network.
        ssid: String,
        /// Why.
        error: JoinError,
    },
    /// The device joined the network.
    Joined {
        /// The network.
        ssid: String,
    },
}

/// Everything the portal page is made from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortalState {
    /// The last scan, strongest first.
    pub networks: Vec<ScanEntry>,
    /// The join's progress.
    pub progress: Progress,
    /// The form as last typed (no password).
    pub values: FormValues,
    /// Why fields were refused, from the last submission.
    pub errors: FieldErrors,
    /// Whether the device has working Wi-Fi settings (then probes get their "online" answers).
    pub provisioned: bool,
    /// A scan asked for from the page is under way.
    pub scanning: bool,
    /// Counts the scans that filled [`PortalState::networks`].
    pub scans: u32,
}
