//! The simulated board as a session of `sysboy_device::io` sees it: the clock and RNG, the button's gestures, the
//! panel for the link's actions, calibration undos, the TFT's stream and what the screens show, the shared settings channel for new bindings and
//! calibrations (whichever task owns the flash saves them), and the status figures (the heap from the counting
//! allocator).

use core::cell::RefCell;

use embassy_net::Stack;
use embassy_time::{Instant, Timer};
use serde_json::json;
use sysboy_device::board::gestures::{self, Gestures};
use sysboy_device::board::{HeapFigures, Measured, OUTPUT_ID};
use sysboy_device::button::Gesture;
use sysboy_device::io::Board;
use sysboy_device::link::{Action, LinkState};
use sysboy_device::meter::UndoError;
use sysboy_device::net::settings_keeper::SettingsChanges;
use sysboy_device::stream::StreamError;
use sysboy_device::ota::UpdateSlots;
use sysboy_protocol::{Link, ScreenShown, Status, StreamRect, UpdateProgress};

use crate::heap::CountingHeap;
use crate::ota::SimSlots;
use crate::now_ms;
use crate::panel::{link_name, Panel};
use crate::random::Random;

/// The device logic's share of the ESP32 binary's heap: its `HEAP` less esp-radio's `RADIO_HEAP`
/// (firmware-rs/esp32/src/main.rs), which tests/firmware-heap.test.ts holds at twice the simulated worst case.
pub const HEAP_BUDGET: usize = 88 * 1024;

/// The station's view of the simulated hardware.
pub struct SimBoard {
    /// The meter and the reported figures.
    pub panel: &'static RefCell<Panel>,
    /// Gestures from the button task.
    pub gestures: &'static Gestures,
    /// Keys, masks and jitter.
    pub random: Random,
    /// The allocator, for the heap figures.
    pub heap: &'static CountingHeap,
    /// The network stack, for the device's address.
    pub stack: Stack<'static>,
    /// Where new bindings and calibrations go to be saved.
    pub settings: &'static SettingsChanges,
    /// The app slots an update writes; none on a `sim` board.
    pub slots: Option<SimSlots>,
}

impl Board for SimBoard {
    fn now_ms(&self) -> u64 {
        now_ms()
    }

    fn random(&mut self) -> u32 {
        self.random.next_u32()
    }

    async fn sleep_until(&mut self, deadline_ms: u64) {
        Timer::at(Instant::from_millis(deadline_ms)).await;
    }

    fn take_gesture(&mut self) -> Option<(String, Gesture)> {
        let (button, gesture) = gestures::take_gesture(self.gestures)?;
        let name = match gesture {
            Gesture::NextMetric => "next_metric",
            Gesture::ResetSettings => "reset_settings",
        };
        self.panel.borrow_mut().event(now_ms(), "gesture", json!({ "gesture": name }));
        Some((button, gesture))
    }

    fn act(&mut self, action: Action) {
        self.panel.borrow_mut().act(action, self.settings);
    }

    fn undo_calibration(&mut self, output: &str) -> Result<(), UndoError> {
        // The link hands on only outputs the hello announced, and this board has one.
        debug_assert_eq!(output, OUTPUT_ID);
        self.panel.borrow_mut().undo_calibration(self.settings)
    }

    fn status(&mut self) -> Status {
        let status = sysboy_device::board::status(Measured {
            link: Link::Sim,
            rssi: None,
            heap: HeapFigures { size: HEAP_BUDGET, used: self.heap.used(), peak: self.heap.peak() },
            uptime_ms: now_ms(),
            ip: sysboy_device::net::station::address(self.stack),
            reset_reason: Some(crate::reset::reason()),
            // The simulated meter output is always there.
            missing: None,
            light: Some(self.panel.borrow().light_state().light()),
            calibration: Some(self.panel.borrow().calibration_reported()),
        });
        let detail = json!({
            "heap_free": status.heap_free,
            "heap_min": status.heap_min,
            "light": status.light.map(|light| light.as_str()),
            "calibration": status.calibration.as_ref().map(Vec::len),
        });
        self.panel.borrow_mut().event(now_ms(), "status_sent", detail);
        status
    }

    fn screens_shown(&mut self) -> Option<Vec<ScreenShown>> {
        self.panel.borrow().screens_shown()
    }

    fn take_screens_changed(&mut self) -> bool {
        self.panel.borrow_mut().take_screens_changed()
    }

    fn draw_stream(&mut self, rect: &StreamRect, payload: &[u8]) -> Result<(), StreamError> {
        self.panel.borrow_mut().draw_stream(rect, payload)
    }

    fn update_slots(&mut self) -> Option<&mut dyn UpdateSlots> {
        self.slots.as_mut().map(|slots| slots as &mut dyn UpdateSlots)
    }

    fn update_reported(&mut self, progress: &UpdateProgress) {
        let mut panel = self.panel.borrow_mut();
        panel.event(now_ms(), "update", serde_json::to_value(progress).unwrap_or_default());
        panel.set_update(progress.clone());
    }

    fn restart(&mut self) {
        // As the board's software reset: the process starts again into the slot just activated.
        self.panel.borrow_mut().event(now_ms(), "restart", json!({ "reason": "update" }));
        crate::reset::restart()
    }

    fn link_changed(&mut self, state: LinkState) {
        let mut panel = self.panel.borrow_mut();
        panel.set_link(state);
        if state == LinkState::Live {
            panel.event(now_ms(), "live", json!({ "link": link_name(state) }));
        }
    }
}
