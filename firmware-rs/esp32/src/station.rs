//! The host session on the board: `sysboy-device`'s station (discovery or the saved host, the hello with token
//! and capabilities, sessions, backoff), the same code the simulator runs, over the Wi-Fi station's stack. What
//! is the board's own is here: the meter and the screens for readings and config, the button's gestures, the
//! flash for new bindings and calibrations, and the status figures (RSSI from esp-radio, heap from esp-alloc).

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
    ota::Updater,
    net::{
        session_config::{self, Acted},
        station::{self, StationBoard, StationBuffers, StationReport, StationTarget},
    },
    settings::Settings,
};
use sysboy_protocol::{Link, Status};

use crate::{button::GESTURES, meter::SharedMeter, provisioning::CHANGES};

/// What the session shows the host's figures on.
#[derive(Clone, Copy)]
pub struct Shows {
    /// The needle.
    pub meter: &'static SharedMeter,
    /// The screens (OLED, TFT), when the board has a display.
    #[cfg(any(feature = "oled", feature = "tft"))]
    pub screens: Option<&'static crate::screen::SharedScreens>,
    /// The TFT, which the host's stream rectangles are drawn on.
    #[cfg(feature = "tft")]
    pub tft: Option<&'static crate::screen::tft::SharedTft>,
}

/// The board as a session sees it.
pub struct EspBoard {
    shows: Shows,
    stack: Stack<'static>,
    rng: Rng,
    /// The OTA app slots, when the flash has them.
    slots: Option<crate::ota::Slots>,
}

/// Runs the host link for ever.
#[embassy_executor::task]
pub async fn run(stack: Stack<'static>, shows: Shows, link: LinkConfig, settings: Settings, ota: crate::ota::BootReport) -> ! {
    // With a TFT the WebSocket buffers take a binary frame of the whole stream buffer (about 29 KiB, not 17).
    #[cfg(not(feature = "tft"))]
    static BUFFERS: StaticCell<StationBuffers> = StaticCell::new();
    #[cfg(feature = "tft")]
    static BUFFERS: StaticCell<station::StreamingBuffers> = StaticCell::new();
    let buffers = BUFFERS.init(StationBuffers::new());
    let target = StationTarget { host: station::saved_host(&settings), token: settings.network.token.clone() };
    let mut board = EspBoard { shows, stack, rng: Rng::new(), slots: crate::ota::Slots::take() };
    // The updater answers the host's `update` offers (none fit a slot of 0 bytes) and reports a rollback found at boot.
    let mut updater = Updater::new(crate::board::CHIP_ID, ota.slot_size);
    if let Some(rolled_back) = ota.rolled_back {
        updater = updater.with_outcome(rolled_back);
    }
    let link = HostLink::new(link, settings.network.bindings).with_updater(updater);
    station::run(stack, link, &mut board, &target, buffers).await
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
        // The screens take their part first (a screens config, a frame, a history, a press, the link going down);
        // the meter takes the action itself.
        #[cfg(any(feature = "oled", feature = "tft"))]
        if let Some(screens) = self.shows.screens {
            if let Err(error) = screens.lock(|screens| screens.borrow_mut().act(&action, now)) {
                // The link checked the config against the hello, so this is a board at odds with its own hello.
                log::error!("screen: {error}");
            }
            crate::screen::wake();
        }
        let acted = self.shows.meter.lock(|meter| session_config::act(&mut meter.borrow_mut(), OUTPUT_ID, now, action, &CHANGES));
        match acted {
            Acted::Other(Action::Acked(ack)) => log::info!("host: command {} {}", ack.id, if ack.ok { "done" } else { "refused" }),
            Acted::Other(Action::Refused(report)) => log::warn!("host: {} ({})", report.reason, report.code.as_str()),
            Acted::Other(Action::StreamRefused(refused)) => log::warn!("stream: {refused}"),
            Acted::Other(Action::PairPending(pending)) => log::warn!("host: waiting to be paired: {}", pending.reason),
            Acted::TokenQueued => log::info!("host: paired; saving the board's credential"),
            Acted::Held(code) => log::info!("meter: held at code {code} (calibration)"),
            Acted::Released => log::info!("meter: hold released"),
            Acted::Shown | Acted::Configured { .. } | Acted::Forgotten | Acted::Other(_) => {}
        }
    }

    fn undo_calibration(&mut self, output: &str) -> Result<(), UndoError> {
        // The link hands on only outputs the hello announced, and this board has one.
        debug_assert_eq!(output, OUTPUT_ID);
        self.shows.meter.lock(|meter| session_config::undo_and_save(&mut meter.borrow_mut(), OUTPUT_ID, &CHANGES)).map(|_| ())
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
            missing: missing_parts(),
            light: Some(crate::status_light::state().light()),
            calibration: Some(self.shows.meter.lock(|meter| session_config::reported(&meter.borrow(), OUTPUT_ID))),
        })
    }

    #[cfg(any(feature = "oled", feature = "tft"))]
    fn screens_shown(&mut self) -> Option<alloc::vec::Vec<sysboy_protocol::ScreenShown>> {
        self.shows.screens.map(|screens| screens.lock(|screens| screens.borrow().shown()))
    }

    #[cfg(any(feature = "oled", feature = "tft"))]
    fn take_screens_changed(&mut self) -> bool {
        self.shows.screens.is_some_and(|screens| screens.lock(|screens| screens.borrow_mut().take_shown_changed()))
    }

    #[cfg(feature = "tft")]
    fn draw_stream(&mut self, rect: &sysboy_protocol::StreamRect, payload: &[u8]) -> Result<(), sysboy_device::stream::StreamError> {
        match (self.shows.screens, self.shows.tft) {
            (Some(screens), Some(tft)) => crate::screen::tft::draw_stream(screens, tft, rect, payload, self.now_ms()),
            // The hello announced no stream then, so the link does not ask.
            _ => Err(sysboy_device::stream::StreamError::NoScreen { known: String::from("none") }),
        }
    }

    fn update_slots(&mut self) -> Option<&mut dyn sysboy_device::ota::UpdateSlots> {
        self.slots.as_mut().map(|slots| slots as &mut dyn sysboy_device::ota::UpdateSlots)
    }

    fn restart(&mut self) {
        crate::ota::restart()
    }

    fn link_changed(&mut self, state: LinkState) {
        crate::status_light::hear(sysboy_device::status_light::Heard::Link(state));
        if state != LinkState::Live {
            // An update ends with its session (the updater fails it); after a restart the light starts afresh.
            crate::status_light::hear(sysboy_device::status_light::Heard::UpdateEnded);
        }
        if state == LinkState::Live {
            log::info!("host: live");
            // The host reached: an updated image is kept from now on.
            if let Err(error) = crate::ota::confirm() {
                log::error!("ota: the image cannot be marked valid: {error}");
            }
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

/// The parts that do not answer, for the status: those on the I2C bus (the chip's own outputs always answer).
fn missing_parts() -> Option<alloc::vec::Vec<sysboy_protocol::Part>> {
    #[cfg(any(feature = "oled", feature = "mcp4725"))]
    return crate::i2c_bus::missing();
    #[cfg(not(any(feature = "oled", feature = "mcp4725")))]
    None
}
