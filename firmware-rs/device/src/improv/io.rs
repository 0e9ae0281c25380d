//! The Improv task: an [`ImprovService`] over a serial port, handing Wi-Fi settings to the provisioning driver through
//! the portal's [`Submissions`] and following the join through the portal's progress, as a form's join is followed.
//!
//! # Overview
//! [`run`] waits for bytes from the port or a short tick; bytes go to the service and its answers back to the port;
//! settings that pass the rules go to the provisioning driver, which saves them before it joins, as for a form. Each
//! turn the portal's [`Progress`] and the station's address (or the saved host) tell the service how the join is
//! going, so the client hears "provisioned" with the URL, or "unable to connect". The port is the board's: it
//! writes whole packets so they never split a log line on the same port, and it may keep the answer a client is
//! owed across a restart ([`ImprovPort::owed`]).

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use embassy_futures::select::{select, Either};
use embassy_net::Stack;
use embassy_time::{Duration, Timer};

use super::service::{network_from, next_url, Heard, ImprovService};
use crate::net::portal::Submissions;
use crate::portal::server::{PortalRequest, PortalServer};

/// How often the join's progress is looked at when the port is quiet.
const TICK: Duration = Duration::from_millis(200);

/// The serial port as the Improv task uses it.
#[allow(async_fn_in_trait)]
pub trait ImprovPort {
    /// Waits for bytes from the client and puts them in `buffer`; gives how many (at least one).
    async fn read(&mut self, buffer: &mut [u8]) -> usize;
    /// Writes `bytes` (whole packets, each ending its line) so that no other writer's line is cut by them.
    fn write(&mut self, bytes: &[u8]);
    /// Hears what a packet came to (to log it).
    fn heard(&mut self, _heard: &Heard) {}
    /// The network whose join a client waits for changed: a board that can keeps it across a restart.
    fn owed(&mut self, _ssid: Option<&str>) {}
}

/// What the Improv task watches and hands on to.
pub struct ImprovWiring<'a> {
    /// The portal's state: the scan list and the join's progress.
    pub portal: &'a RefCell<PortalServer>,
    /// Where accepted settings go, as the portal's forms do.
    pub submissions: &'a Submissions,
    /// The station, for the board's address once joined.
    pub station: Stack<'a>,
    /// The saved host (address, optional port), whose dashboard is the URL given once joined.
    pub host: Option<String>,
}

/// Runs the Improv service over `port`, for ever.
pub async fn run<P: ImprovPort>(mut port: P, mut service: ImprovService, wiring: ImprovWiring<'_>) -> ! {
    let mut buffer = [0u8; 64];
    let mut out = Vec::new();
    let mut owed = service.owed().map(String::from);
    loop {
        if let Either::First(read) = select(port.read(&mut buffer), Timer::after(TICK)).await {
            // The scan list is read where it lies; the borrow ends before the awaits below.
            let heard = service.receive(&buffer[..read], &wiring.portal.borrow().state.networks, &mut out);
            port.write(&out);
            out.clear();
            for heard in heard {
                port.heard(&heard);
                if let Heard::Submitted(submission) = heard {
                    wiring.submissions.send(PortalRequest::Join(submission)).await;
                }
            }
        }
        let progress = wiring.portal.borrow().state.progress.clone();
        let url = next_url(wiring.host.as_deref(), crate::net::station::address(wiring.station));
        service.network(network_from(&progress, url), &mut out);
        if !out.is_empty() {
            port.write(&out);
            out.clear();
        }
        if service.owed() != owed.as_deref() {
            owed = service.owed().map(String::from);
            port.owed(owed.as_deref());
        }
    }
}
