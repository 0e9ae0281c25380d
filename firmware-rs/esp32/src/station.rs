//! The host session on the board: `sysboy-device`'s station (discovery or the saved host, the hello with token
//! and capabilities, sessions, backoff), the same code the simulator runs, over the Wi-Fi station's stack. What
//! is the board's own is here: the meter for readings and config, the button's gestures, the flash for new
//! bindings and calibrations, and the status figures (RSSI from esp-radio, heap from esp-alloc).

use alloc::string::String;

use embassy_net::Stack;
use embassy_time::{Instant, Timer};
use esp_hal::rng::Rng;
use static_cell::StaticCell;
use sysboy_device::{
    board::{self, HeapFigures, Measured, OUTPUT_ID},
    button::Gesture,
    io::Board,
    link::{Action, HostLink, LinkConfig, LinkState},
    meter::UndoError,
    net::{
        session_config::{self, Acted},
        station::{self, StationBoard, StationBuffers, StationReport, StationTarget},
    },
    settings::Settings,
};
use sysboy_protocol::{Link, Status};

use crate::{button::GESTURES, meter::SharedMeter, provisioning::CHANGES};

/// The board as a session sees it.
pub struct EspBoard {
    meter: &'static SharedMeter,
    stack: Stack<'static>,
    rng: Rng,
}

/// Runs the host link for ever.
#[embassy_executor::task]
pub async fn run(stack: Stack<'static>, meter: &'static SharedMeter, link: LinkConfig, settings: Settings) -> ! {
    static BUFFERS: StaticCell<StationBuffers> = StaticCell::new();
    let buffers = BUFFERS.init(StationBuffers::new());
    let target = StationTarget { host: station::saved_host(&settings), token: settings.network.token.clone() };
    let mut board = EspBoard { meter, stack, rng: Rng::new() };
    station::run(stack, HostLink::new(link, settings.network.bindings), &mut board, &target, buffers).await
}

impl Board for EspBoard {
    fn now_ms(&self) -> u64 {
        Instant::now().as_millis()
    }

    fn random(&mut self) -> u32 {
        self.rng.random()
    }

    async fn sleep_until(&mut self, deadline_ms: u64) {
        Timer::at(Instant::from_millis(deadline_ms)).await;
    }

    fn take_gesture(&mut self) -> Option<(String, Gesture)> {
        board::gestures::take_gesture(&GESTURES)
    }

    fn act(&mut self, action: Action) {
        let now = self.now_ms();
        let acted = self.meter.lock(|meter| session_config::act(&mut meter.borrow_mut(), OUTPUT_ID, now, action, &CHANGES));
        match acted {
            Acted::Other(Action::Acked(ack)) => log::info!("host: command {} {}", ack.id, if ack.ok { "done" } else { "refused" }),
            Acted::Other(Action::Refused(report)) => log::warn!("host: {} ({})", report.reason, report.code.as_str()),
            Acted::Shown | Acted::Configured { .. } | Acted::Forgotten | Acted::Other(_) => {}
        }
    }

    fn undo_calibration(&mut self, output: &str) -> Result<(), UndoError> {
        // The link hands on only outputs the hello announced, and this board has one.
        debug_assert_eq!(output, OUTPUT_ID);
        self.meter.lock(|meter| session_config::undo_and_save(&mut meter.borrow_mut(), OUTPUT_ID, &CHANGES)).map(|_| ())
    }

    fn status(&mut self) -> Status {
        let heap = esp_alloc::HEAP.stats();
        board::status(Measured {
            link: Link::Wifi,
            rssi: crate::radio::rssi(),
            heap: HeapFigures { size: heap.size, used: heap.current_usage, peak: heap.max_usage },
            uptime_ms: self.now_ms(),
            ip: station::address(self.stack),
            reset_reason: crate::reset::reason(),
            missing: crate::output::missing(),
        })
    }

    fn link_changed(&mut self, state: LinkState) {
        crate::status_light::hear(sysboy_device::status_light::Heard::Link(state));
        if state == LinkState::Live {
            log::info!("host: live");
        }
    }
}

impl StationBoard for EspBoard {
    fn report(&mut self, report: StationReport<'_>) {
        if let Some(heard) = sysboy_device::status_light::Heard::from_station(&report) {
            crate::status_light::hear(heard);
        }
        match report {
            StationReport::Link(_) | StationReport::NoNetwork(true) => {}
            StationReport::NoNetwork(false) => {}
            StationReport::NetworkUp(Some(ip)) => log::info!("wifi: address {ip}"),
            StationReport::NetworkUp(None) => log::info!("wifi: network up"),
            StationReport::Discovered { host, found } => log::info!("mDNS: host {host}{} ({})", found.path, found.instance),
            StationReport::SearchFailed(error) => log::warn!("mDNS: {error}"),
            StationReport::NoHost => {}
            StationReport::Attempt(host) => log::info!("host: connecting to {host}"),
            StationReport::Ended { state: LinkState::AuthFailed { .. }, reason } => {
                log::error!("host: the pairing token was refused ({reason}); check the token in the portal")
            }
            StationReport::Ended { reason, .. } => log::warn!("host: disconnected: {reason}"),
        }
    }
}

