//! The device's front panel as the tests see it: the meter (stepped by the meter task, fed by the station
//! task), the screens (ticked by the screen task, fed by the station task, drawn on the OLED with `--oled` and on
//! the TFT with `--tft`, which also takes the host's stream), the status light (fed by the provisioning and station reports, and blinking while a screen's alert is on) and the
//! link figures, reported as JSON lines.

use std::path::Path;

use serde_json::{json, Value};
use sysboy_device::board::{Needle, OUTPUT_ID};
use sysboy_device::link::{Action, LinkState};
use sysboy_device::meter::{Meter, NeedleState, NoData, UndoError};
use sysboy_device::net::provisioning::ProvisioningEvent;
use sysboy_device::net::session_config::{self, Acted};
use sysboy_device::net::settings_keeper::SettingsChanges;
use sysboy_device::screen::Screens;
use sysboy_device::status_light::{BoardState, Heard, StatusLight};
use sysboy_device::stream::StreamError;
use sysboy_protocol::{ScreenShown, StreamRect};

use crate::cli::Options;
use crate::console::Display;
use crate::heap::CountingHeap;
use crate::report::{LightStatus, Reporter, Status};
use crate::screen::SimScreen;
use crate::tft::SimTft;

impl Needle for Panel {
    /// Starts the boot sweep, and starts the heap's high-water mark from here: start-up is not the device logic.
    fn boot(&mut self, now_ms: u64) {
        self.meter.boot(now_ms);
        self.heap.reset_peak();
    }

    /// Steps the needle; the output's [`Panel::show`] reports it.
    fn tick(&mut self, now_ms: u64) -> u16 {
        // The light's state decides the portal sweep, as on the board: one derivation for both.
        self.meter.set_portal_open(self.light.state() == BoardState::PortalOpen);
        self.ticked_at = now_ms;
        self.meter.tick(now_ms)
    }
}

/// The name of a link state on the status line.
pub const fn link_name(state: LinkState) -> &'static str {
    match state {
        LinkState::Discovering => "discovering",
        LinkState::Connecting => "connecting",
        LinkState::Handshaking => "handshaking",
        LinkState::AwaitingWelcome => "awaiting_welcome",
        LinkState::AwaitingApproval => "awaiting_approval",
        LinkState::Live => "connected",
        LinkState::Backoff { .. } => "backoff",
        LinkState::AuthFailed { .. } => "auth_failed",
    }
}

/// The meter and the figures around it.
pub struct Panel {
    meter: Meter,
    reporter: Reporter,
    heap: &'static CountingHeap,
    link: LinkState,
    no_network: bool,
    no_host: bool,
    host: Option<String>,
    metric: Option<String>,
    attempts: u32,
    auth_failures: u32,
    code: u16,
    ticked_at: u64,
    light: StatusLight,
    screens: Screens,
    /// The OLED the screens are drawn on, with `--oled`.
    screen: Option<SimScreen>,
    /// The TFT the screens and the stream are drawn on, with `--tft`.
    tft: Option<SimTft>,
    /// How the update over the air stands (the last report sent, or a rollback the boot found).
    update: Option<sysboy_protocol::UpdateProgress>,
}

impl Panel {
    /// A panel for `meter` and `screens` (drawn on `screen`, the OLED, and `tft` when the device has them),
    /// reporting at the period `options` set.
    pub fn new(meter: Meter, screens: Screens, (screen, tft): (Option<SimScreen>, Option<SimTft>), options: &Options, heap: &'static CountingHeap) -> Self {
        Self {
            meter,
            reporter: Reporter::new(options.report_ms),
            heap,
            link: LinkState::Discovering,
            no_network: true,
            no_host: false,
            host: None,
            metric: None,
            attempts: 0,
            auth_failures: 0,
            code: 0,
            ticked_at: 0,
            light: StatusLight::new(),
            screens,
            screen,
            tft,
            update: None,
        }
    }

    /// Notes how the update stands, for the status line.
    pub fn set_update(&mut self, progress: sysboy_protocol::UpdateProgress) {
        self.update = Some(progress);
    }

    /// Shows the output's `code` for the last tick, and reports the panel with the device's address `ip`.
    pub fn show(&mut self, code: u16, ip: Option<String>) {
        self.code = code;
        let state = self.light.state();
        let (meter, reason) = match self.meter.state() {
            // The calibration wizard's raw code outranks what the needle would otherwise show.
            _ if self.meter.held().is_some() => ("held", None),
            NeedleState::Sweeping => ("sweeping", None),
            NeedleState::Live => ("live", None),
            NeedleState::Parked(NoData::Waiting) => ("waiting", None),
            NeedleState::Parked(NoData::Stale) => ("stale", None),
            NeedleState::Parked(NoData::Unknown(reason)) => ("unknown", Some(reason.clone())),
            NeedleState::Portal => ("portal", None),
        };
        let look = state.look();
        let light = LightStatus {
            state: state.as_str(),
            colour: state.colour_name(),
            rgb: String::from_utf8_lossy(&look.colour.hex()).into_owned(),
            pattern: look.pattern.as_str(),
        };
        let status = Status {
            needle: self.meter.position(),
            target: self.meter.target(),
            code: self.code,
            meter,
            held: self.meter.held(),
            reason,
            link: if self.no_network {
                "no_network"
            } else if self.no_host {
                "no_host"
            } else {
                link_name(self.link)
            },
            ip,
            host: self.host.clone(),
            metric: self.metric.clone(),
            attempts: self.attempts,
            auth_failures: self.auth_failures,
            heap: self.heap.used(),
            heap_peak: self.heap.peak(),
            light,
            screen: self.screen.as_ref().and_then(SimScreen::status),
            tft: self.tft.as_mut().and_then(SimTft::status),
            update: self.update.clone(),
        };
        self.reporter.status(self.ticked_at, status);
    }

    /// Notes where the host link is; entering AuthFailed counts one refused token.
    pub fn set_link(&mut self, link: LinkState) {
        if matches!(link, LinkState::AuthFailed { .. }) && !matches!(self.link, LinkState::AuthFailed { .. }) {
            self.auth_failures += 1;
        }
        self.link = link;
        self.light.hear(Heard::Link(link));
    }

    /// Notes whether the device has an address.
    pub fn set_no_network(&mut self, no_network: bool) {
        self.no_network = no_network;
        self.light.hear(Heard::Address(!no_network));
    }

    /// Tells the status light what the board heard (the provisioning driver's events).
    pub fn hear(&mut self, heard: Heard) {
        self.light.hear(heard);
    }

    /// Notes that no host is known.
    pub fn set_no_host(&mut self) {
        self.no_host = true;
    }

    /// Counts one TCP connection tried to `host`.
    pub fn attempt(&mut self, host: String) {
        self.attempts += 1;
        self.no_host = false;
        self.host = Some(host);
    }

    /// Carries out one link action on the screens and the meter (sending is the station's), queueing what is to
    /// be saved on `changes`, and reports it.
    pub fn act(&mut self, action: Action, changes: &SettingsChanges) {
        let now = crate::now_ms();
        if let Err(error) = self.screens.act(&action, now) {
            // The link checked the config against the hello, which announces these very screens.
            self.event(now, "screens_refused", json!({ "reason": error.to_string() }));
        }
        if let Action::StreamRefused(refused) = &action {
            if let Some(tft) = self.tft.as_mut() {
                tft.refused();
            }
            self.event(now, "stream_refused", json!({ "reason": refused.to_string() }));
        }
        match session_config::act(&mut self.meter, OUTPUT_ID, now, action, changes) {
            Acted::Configured { config, applied } => {
                self.metric = applied.metric;
                self.event(now, "config", json!({ "metric": self.metric, "stale_after_ms": config.stale_after_ms }));
                if let Some(calibration) = &applied.calibration {
                    self.event(now, "calibration_set", json!({ "output": calibration.output, "points": calibration.current }));
                }
            }
            Acted::Held(code) => self.event(now, "hold", json!({ "output": OUTPUT_ID, "code": code })),
            Acted::Released => self.event(now, "release", json!({ "output": OUTPUT_ID })),
            // Never the credential itself; `settings_saved` follows once it is in the flash.
            Acted::TokenQueued => self.event(now, "paired", json!({ "token": true })),
            Acted::Other(Action::PairPending(pending)) => self.event(now, "pair_pending", json!({ "reason": pending.reason })),
            Acted::Other(Action::Acked(ack)) => self.event(now, "ack", json!({ "id": ack.id, "ok": ack.ok, "metric": ack.metric, "reason": ack.reason })),
            Acted::Other(Action::Refused(report)) => self.event(now, "host_error", json!({ "code": report.code.as_str(), "reason": report.reason })),
            Acted::Shown | Acted::Forgotten | Acted::Other(_) => {}
        }
    }

    /// Puts the meter's previous calibration back, as the host asked, queues it on `changes`, and reports it.
    pub fn undo_calibration(&mut self, changes: &SettingsChanges) -> Result<(), UndoError> {
        let now = crate::now_ms();
        let undone = session_config::undo_and_save(&mut self.meter, OUTPUT_ID, changes);
        match &undone {
            Ok(calibration) => self.event(now, "calibration_undone", json!({ "output": calibration.output, "points": calibration.current })),
            Err(error) => self.event(now, "calibration_undo_refused", json!({ "reason": error.to_string() })),
        }
        undone.map(|_| ())
    }

    /// The display loop's tick: the screens hear the board's state and advance, the light hears whether an alert
    /// is on, and the OLED is drawn when what it shows changed.
    pub fn tick_screen(&mut self, now_ms: u64) {
        self.screens.board_state(self.light.state());
        let redraw = self.screens.tick(now_ms);
        self.light.hear(Heard::Alert(self.screens.alerting()));
        if let Some(screen) = self.screen.as_mut().filter(|_| redraw.contains(0)) {
            screen.update(&self.screens);
        }
        if let Some(tft) = self.tft.as_mut().filter(|tft| redraw.contains(tft.screen())) {
            tft.update(&self.screens);
        }
    }

    /// A stream rectangle's payload for the TFT (its header checked by the link): checked, and drawn while the TFT
    /// shows the stream scene.
    pub fn draw_stream(&mut self, rect: &StreamRect, payload: &[u8]) -> Result<(), StreamError> {
        let Some(tft) = self.tft.as_mut() else {
            // The hello announces encodings only with a TFT, so the link never hands a payload on without one.
            return Err(StreamError::NoScreen { known: "none".into() });
        };
        tft.stream(&mut self.screens, rect, payload, crate::now_ms())
    }

    /// Writes `display` as PNG to `path`, and reports it (or why not).
    pub fn save_screen(&mut self, display: Display, path: &Path) {
        let now = crate::now_ms();
        let saved = match display {
            Display::Oled => self.screen.as_ref().map(|screen| screen.save_png(&self.screens, path).map(|()| screen.hash())),
            Display::Tft => self.tft.as_mut().map(|tft| tft.save_png(path).map(|()| tft.hash())),
        };
        let Some(saved) = saved else { return };
        let screen = match display {
            Display::Oled => "oled",
            Display::Tft => "tft",
        };
        match saved {
            Ok(hash) => self.event(now, "screen_saved", json!({ "screen": screen, "path": path.display().to_string(), "hash": hash })),
            Err(reason) => self.event(now, "screen_not_saved", json!({ "screen": screen, "path": path.display().to_string(), "reason": reason })),
        }
    }

    /// The names the state scene shows, from a provisioning event.
    pub fn hear_provisioning(&mut self, event: &ProvisioningEvent<'_>) {
        self.screens.hear_provisioning(event);
    }

    /// What each screen shows, for the status to the host; `None` without screens.
    pub fn screens_shown(&self) -> Option<Vec<ScreenShown>> {
        (!self.screens.specs().is_empty()).then(|| self.screens.shown())
    }

    /// What the status light shows now, for the status to the host.
    pub fn light_state(&self) -> BoardState {
        self.light.state()
    }

    /// The calibration curve stored for the meter (none while it is linear), for the status to the host.
    pub fn calibration_reported(&self) -> Vec<sysboy_protocol::Calibration> {
        session_config::reported(&self.meter, OUTPUT_ID)
    }

    /// Whether what a screen shows changed since the last call.
    pub fn take_screens_changed(&mut self) -> bool {
        self.screens.take_shown_changed()
    }

    /// Reports one event at once.
    pub fn event(&mut self, now_ms: u64, event: &str, detail: Value) {
        self.reporter.event(now_ms, event, detail);
    }
}

#[cfg(test)]
mod tests {
    use embedded_graphics::pixelcolor::BinaryColor;
    use embedded_graphics::prelude::*;
    use embedded_graphics_simulator::SimulatorDisplay;
    use sysboy_device::meter::MeterConfig;
    use sysboy_device::net::settings_keeper::{SettingsChange, SettingsChanges};
    use sysboy_device::screen::ScreenSpec;
    use sysboy_device::stream::{Refused, StreamError};
    use sysboy_protocol::{SceneSpec, ScreenConfig, StreamEncoding};

    use super::*;

    fn meter_panel_options() -> Options {
        match crate::cli::parse(["--tap", "t", "--flash", "f"].map(String::from)) {
            Ok(crate::cli::Command::Run(options)) => *options,
            other => panic!("{other:?}"),
        }
    }

    fn meter_panel() -> Panel {
        let options = meter_panel_options();
        let meter = Meter::new(MeterConfig::new(crate::output::MAX_CODE).unwrap()).unwrap();
        Panel::new(meter, Screens::new(Vec::new()), (None, None), &options, &crate::heap::HEAP)
    }

    #[test]
    fn a_hold_drives_the_raw_code_until_it_is_released_or_the_session_ends() {
        let mut panel = meter_panel();
        let changes = SettingsChanges::new();
        panel.act(Action::Hold { output: OUTPUT_ID.into(), code: 640 }, &changes);
        assert_eq!((Needle::tick(&mut panel, 10), panel.meter.held()), (640, Some(640)));
        panel.act(Action::Hold { output: "other".into(), code: 1 }, &changes);
        assert_eq!(Needle::tick(&mut panel, 20), 640, "another output's hold is not this meter's");
        panel.act(Action::Release { output: OUTPUT_ID.into() }, &changes);
        assert_eq!(panel.meter.held(), None);
        panel.act(Action::Hold { output: OUTPUT_ID.into(), code: 100 }, &changes);
        panel.act(Action::Forget, &changes);
        assert_eq!(panel.meter.held(), None, "the end of the session releases it");
    }

    #[test]
    fn a_paired_credential_is_queued_for_the_flash_and_the_status_names_the_light_and_no_curve() {
        let mut panel = meter_panel();
        let changes = SettingsChanges::new();
        panel.act(Action::StoreToken("Zm9vYmFyLWJvYXJk".into()), &changes);
        assert_eq!(changes.try_receive().ok(), Some(SettingsChange::Token("Zm9vYmFyLWJvYXJk".into())));
        panel.set_no_network(false);
        panel.set_link(LinkState::AwaitingApproval);
        assert_eq!(panel.light_state().light(), sysboy_protocol::Light::AwaitingApproval);
        assert!(panel.calibration_reported().is_empty(), "a fresh meter is linear");
    }

    #[test]
    fn awaiting_approval_the_oled_and_its_png_show_the_approval_scene_with_the_board_id() {
        let meter = Meter::new(MeterConfig::new(crate::output::MAX_CODE).unwrap()).unwrap();
        let mut screens = Screens::new(vec![ScreenSpec::oled("oled", 128, 64)]);
        screens.device_named("sysboy-4f2a9c01");
        let options = meter_panel_options();
        let mut panel = Panel::new(meter, screens, (Some(SimScreen::for_test(128, 64)), None), &options, &crate::heap::HEAP);
        panel.set_no_network(false);
        panel.attempt("192.168.1.10:8765".into());
        panel.set_link(LinkState::AwaitingApproval);
        panel.tick_screen(0);
        let status = panel.screen.as_ref().and_then(SimScreen::status).unwrap();
        assert_eq!((status.shown.scene.as_str(), panel.light_state()), ("state", BoardState::AwaitingApproval));

        let path = std::env::temp_dir().join(format!("sysboy-sim-approval-{}.png", std::process::id()));
        panel.save_screen(Display::Oled, &path);
        let saved = SimulatorDisplay::<BinaryColor>::load_png(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        // The scenes crate's golden of the same state and id: the simulator draws the board's very pixels.
        let golden = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenes/tests/golden/state-awaiting-approval-128x64.png");
        let golden = SimulatorDisplay::<BinaryColor>::load_png(golden).unwrap();
        assert_eq!(saved.bounding_box(), golden.bounding_box());
        for point in golden.bounding_box().points() {
            assert_eq!(saved.get_pixel(point), golden.get_pixel(point), "at {point}");
        }
    }

    #[test]
    fn a_tft_panel_draws_the_stream_counts_its_refusals_and_reports_them() {
        let options = match crate::cli::parse(["--tap", "t", "--flash", "f", "--tft", "240x240"].map(String::from)) {
            Ok(crate::cli::Command::Run(options)) => *options,
            other => panic!("{other:?}"),
        };
        let meter = Meter::new(MeterConfig::new(crate::output::MAX_CODE).unwrap()).unwrap();
        let screens = Screens::new(vec![ScreenSpec { stream: true, ..sysboy_device::board::tft(240, 240) }]);
        let mut panel = Panel::new(meter, screens, (None, Some(SimTft::for_test(240, 240, 0))), &options, &crate::heap::HEAP);
        let changes = SettingsChanges::new();
        let layout = ScreenConfig {
            output: "tft".into(),
            scenes: vec![SceneSpec { scene: "stream".into(), metrics: Vec::new() }],
            carousel_ms: None,
            alerts: None,
            brightness: None,
            rotation: None,
            width: None,
            height: None,
        };
        panel.act(Action::ConfigureScreens(vec![layout]), &changes);
        panel.set_no_network(false);
        panel.set_link(LinkState::Live);
        panel.tick_screen(0);

        let rect = StreamRect { stream: "tft".into(), seq: 4, x: 0, y: 0, width: 240, height: 1, encoding: StreamEncoding::Rle565, length: 3, last: true };
        assert_eq!(panel.draw_stream(&rect, &[239, 0xff, 0xff]), Ok(()));
        assert_eq!(panel.draw_stream(&rect, &[238, 0xff, 0xff]), Err(StreamError::RunsCover { covered: 239, expected: 240 }));
        panel.act(Action::StreamRefused(Refused { rect: None, error: StreamError::NoHeader }), &changes);
        panel.tick_screen(20);
        let tft = panel.tft.as_mut().and_then(SimTft::status).unwrap();
        assert_eq!((tft.shown.scene.as_str(), tft.frames, tft.rects, tft.bytes, tft.errors), ("stream", 1, 1, 3, 1));
        assert_eq!(panel.screens_shown().unwrap()[0].scene, "stream");
    }
}

