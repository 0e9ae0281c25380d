//! The device's front panel as the tests see it: the meter (stepped by the meter task, fed by the station
//! task) and the link figures, reported as JSON lines.

use serde_json::Value;
use sysboy_device::meter::{Meter, NeedleState, NoData, Reading};

use crate::cli::Options;
use crate::heap::CountingHeap;
use crate::report::{Reporter, Status};

/// Where the host link is, as reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// No address yet (DHCP pending, or the TAP is down).
    NoNetwork,
    /// No host given and none saved.
    NoHost,
    /// Opening TCP, upgrading, or waiting for welcome.
    Connecting,
    /// Welcomed: frames flow.
    Connected,
    /// The host refused the pairing token; waiting out the long backoff.
    AuthFailed,
    /// Waiting before the next attempt.
    Backoff,
}

impl LinkState {
    /// The name on the status line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NoNetwork => "no_network",
            Self::NoHost => "no_host",
            Self::Connecting => "connecting",
            Self::Connected => "connected",
            Self::AuthFailed => "auth_failed",
            Self::Backoff => "backoff",
        }
    }
}

/// The meter and the figures around it.
pub struct Panel {
    meter: Meter,
    reporter: Reporter,
    heap: &'static CountingHeap,
    link: LinkState,
    host: Option<String>,
    metric: Option<String>,
    attempts: u32,
    auth_failures: u32,
    code: u16,
}

impl Panel {
    /// A panel for `meter`, reporting at the period `options` set.
    pub fn new(meter: Meter, options: &Options, heap: &'static CountingHeap) -> Self {
        Self {
            meter,
            reporter: Reporter::new(options.report_ms),
            heap,
            link: LinkState::NoNetwork,
            host: None,
            metric: None,
            attempts: 0,
            auth_failures: 0,
            code: 0,
        }
    }

    /// Starts the boot sweep, and starts the heap's high-water mark from here: start-up is not the device logic.
    pub fn boot(&mut self, now_ms: u64) {
        self.meter.boot(now_ms);
        self.heap.reset_peak();
    }

    /// Steps the needle and reports the panel.
    pub fn tick(&mut self, now_ms: u64, ip: Option<String>) {
        self.code = self.meter.tick(now_ms);
        let (meter, reason) = match self.meter.state() {
            NeedleState::Sweeping => ("sweeping", None),
            NeedleState::Live => ("live", None),
            NeedleState::Parked(NoData::Waiting) => ("waiting", None),
            NeedleState::Parked(NoData::Stale) => ("stale", None),
            NeedleState::Parked(NoData::Unknown(reason)) => ("unknown", Some(reason.clone())),
        };
        let status = Status {
            needle: self.meter.position(),
            target: self.meter.target(),
            code: self.code,
            meter,
            reason,
            link: self.link.as_str(),
            ip,
            host: self.host.clone(),
            metric: self.metric.clone(),
            attempts: self.attempts,
            auth_failures: self.auth_failures,
            heap: self.heap.used(),
            heap_peak: self.heap.peak(),
        };
        self.reporter.status(now_ms, status);
    }

    /// The meter, for the host link to feed.
    pub fn meter(&mut self) -> &mut Meter {
        &mut self.meter
    }

    /// Shows a reading from the host.
    pub fn show(&mut self, now_ms: u64, reading: Reading) {
        self.meter.show(now_ms, reading);
    }

    /// Notes where the host link is.
    pub fn set_link(&mut self, link: LinkState) {
        self.link = link;
    }

    /// Notes the host the device connects to.
    pub fn set_host(&mut self, host: Option<String>) {
        self.host = host;
    }

    /// Notes the metric the needle shows.
    pub fn set_metric(&mut self, metric: Option<String>) {
        self.metric = metric;
    }

    /// Counts one TCP connection tried.
    pub fn count_attempt(&mut self) {
        self.attempts += 1;
    }

    /// Counts one session refused for the token.
    pub fn count_auth_failure(&mut self) {
        self.auth_failures += 1;
    }

    /// Reports one event at once.
    pub fn event(&mut self, now_ms: u64, event: &str, detail: Value) {
        self.reporter.event(now_ms, event, detail);
    }
}
