//! What the simulated device shows the tests: one JSON line on stdout per status change (at most every
//! `MIN_GAP_MS` while the needle moves, and at least every report period), plus one line per event.
//!
//! A status line: `{"t":1234,"needle":60.47,"target":60.5,"code":619,"meter":"live","link":"connected",
//! "ip":"10.7.0.2","host":"10.7.0.1:8077","metric":"vram","attempts":1,"auth_failures":0,"heap":5120,
//! "heap_peak":9000,"light":{"state":"live","colour":"green","rgb":"#00ff00","pattern":"solid"}}`; with `--oled`,
//! also `"screen":{"output":"oled","scene":"hub","index":0,"hash":"3f2a9c01","oled_bytes":5120,"updates":12}`
//! (`alert` names the metric while the alert scene shows; the light's state is then `alert`, blinking); with
//! `--tft`, also `"tft":{"output":"tft","scene":"stream","index":0,"hash":"9a1c0e42","frames":30,"rects":120,
//! "bytes":245760,"errors":0,"updates":2}`. While the host's calibration wizard holds the meter, `"meter":"held"`
//! and `"held":640` (the raw code, also `code`); without a hold there is no `held`. A board without a token that
//! asked to pair shows `"link":"awaiting_approval"` and `"light":{"state":"awaiting_approval","colour":"yellow",
//! "rgb":"#ffdc00","pattern":"wink"}` until the host approves it. An event line:
//! `{"t":1234,"event":"ack","detail":{...}}`; pairing and holds add `pair_pending` (`{"reason"}`), `paired`
//! (`{"token":true}`, then `settings_saved` with `{"token":true}` once the credential is in the flash), `hold`
//! (`{"output","code"}`) and `release` (`{"output"}`).

use std::io::Write;

use serde::Serialize;
use serde_json::Value;
use sysboy_protocol::ScreenShown;

/// The needle moves this far before a new line is printed sooner than the report period.
const NEEDLE_STEP: f32 = 0.05;
/// Lines for a moving needle are at least this far apart.
const MIN_GAP_MS: u64 = 50;

/// The device as the tests see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    /// Where the needle is, percent.
    pub needle: f32,
    /// Where the needle is heading, percent.
    pub target: f32,
    /// The output code driven for that position.
    pub code: u16,
    /// What the meter shows: `sweeping`, `live`, `waiting`, `stale`, `unknown`, `portal` (the setup sweep) or
    /// `held` (the host's calibration wizard holds it at a raw code).
    pub meter: &'static str,
    /// The raw code the calibration wizard holds the meter at; absent without a hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held: Option<u16>,
    /// Why the meter shows no value, when the host said why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where the host link is: `no_network`, `discovering`, `connecting`, `handshaking`, `awaiting_welcome`,
    /// `awaiting_approval` (asked to pair; the host holds the socket until the user approves), `connected`,
    /// `auth_failed`, `backoff`, `no_host`.
    pub link: &'static str,
    /// The device's address, once it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The host it connects to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The metric the host says the needle shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// TCP connections tried to the host since start.
    pub attempts: u32,
    /// Sessions the host refused for the pairing token.
    pub auth_failures: u32,
    /// Heap bytes in use.
    pub heap: usize,
    /// Most heap bytes ever in use since the device logic started.
    pub heap_peak: usize,
    /// What the status LED shows.
    pub light: LightStatus,
    /// What the OLED shows, with `--oled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screen: Option<ScreenStatus>,
    /// What the TFT shows and the stream's figures, with `--tft`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tft: Option<TftStatus>,
    /// How an update over the air stands: `{"state","version","written","total","reason"}` as the status to the
    /// host says it, after the first report, or from the start when the boot rolled an image back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update: Option<sysboy_protocol::UpdateProgress>,
}

/// The OLED as the tests see it: what it shows (the status to the host says the same) and its picture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreenStatus {
    /// What it shows: its output id, the scene (a configured one, `alert` or `state`), which configured scene, the
    /// metric past its limit.
    #[serde(flatten)]
    pub shown: ScreenShown,
    /// FNV-1a (32 bits, hex) of the framebuffer in the SSD1306's page layout: it changes when the picture does.
    pub hash: String,
    /// Bytes a flush that sends only the changed run of each changed page has sent, all updates together (a full
    /// frame is width x height / 8).
    pub oled_bytes: u64,
    /// Updates drawn and flushed: each time what the screen shows changed.
    pub updates: u64,
}

impl ScreenStatus {
    /// Whether the two show the same picture (the counters aside).
    fn same_picture(&self, other: &Self) -> bool {
        (&self.shown, &self.hash) == (&other.shown, &other.hash)
    }
}

/// The TFT as the tests see it: what it shows (the status to the host says the same), its picture and the
/// stream's figures since start.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TftStatus {
    /// What it shows: its output id, the scene (a configured one, `stream` among them, `alert` or `state`), which
    /// configured scene, the metric past its limit.
    #[serde(flatten)]
    pub shown: ScreenShown,
    /// FNV-1a (32 bits, hex) of the framebuffer as raw565 (big-endian RGB565, row by row): it changes when the
    /// picture does, and a test can compute it from the pixels it expects.
    pub hash: String,
    /// Stream frames taken: rectangles with `last`, each answered with `applied`.
    pub frames: u64,
    /// Stream rectangles taken (drawn, or checked while the screen showed another scene).
    pub rects: u64,
    /// Payload bytes of those rectangles.
    pub bytes: u64,
    /// Stream rectangles refused with a `bad_frame` error.
    pub errors: u64,
    /// Times the screens drew it: each time what it shows changed.
    pub updates: u64,
}

/// The status LED as the tests see it: its state and that state's look (the level at each instant is left out,
/// so a blinking light does not print a line per blink).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LightStatus {
    /// The board's state: `starting`, `portal`, `joining`, `no_host`, `token_refused`, `awaiting_approval`, `live`,
    /// `alert`, `updating`, `fault`.
    pub state: &'static str,
    /// The colour's name.
    pub colour: &'static str,
    /// The colour at full level, `#rrggbb`.
    pub rgb: String,
    /// How it changes in time: `solid`, `breathe`, `slow_blink`, `fast_blink`, `flash`, `double_flash`, ….
    pub pattern: &'static str,
}

#[derive(Serialize)]
struct StatusLine<'a> {
    t: u64,
    #[serde(flatten)]
    status: &'a Status,
}

#[derive(Serialize)]
struct EventLine<'a> {
    t: u64,
    event: &'a str,
    #[serde(skip_serializing_if = "Value::is_null")]
    detail: Value,
}

/// Prints status and event lines, holding back repeats.
#[derive(Debug, Default)]
pub struct Reporter {
    last: Option<Status>,
    last_at: u64,
    period_ms: u64,
}

impl Reporter {
    /// A reporter that repeats an unchanged status every `period_ms`.
    pub fn new(period_ms: u64) -> Self {
        Self { last: None, last_at: 0, period_ms }
    }

    /// Prints `status` when it differs enough from the last line, or the period has passed.
    pub fn status(&mut self, now_ms: u64, status: Status) {
        if !self.due(now_ms, &status) {
            return;
        }
        let mut rounded = status;
        rounded.needle = round2(rounded.needle);
        rounded.target = round2(rounded.target);
        print_line(&StatusLine { t: now_ms, status: &rounded });
        self.last = Some(rounded);
        self.last_at = now_ms;
    }

    fn due(&self, now_ms: u64, status: &Status) -> bool {
        let Some(last) = &self.last else { return true };
        let since = now_ms.saturating_sub(self.last_at);
        if since >= self.period_ms {
            return true;
        }
        let changed = last.meter != status.meter
            || last.held != status.held
            || last.link != status.link
            || last.ip != status.ip
            || last.metric != status.metric
            || last.attempts != status.attempts
            || last.auth_failures != status.auth_failures
            || last.reason != status.reason
            || last.light != status.light
            || !same_picture(last.screen.as_ref(), status.screen.as_ref())
            || last.tft.as_ref().map(|tft| &tft.shown) != status.tft.as_ref().map(|tft| &tft.shown)
            || (last.target - status.target).abs() >= NEEDLE_STEP;
        let moved = (last.needle - status.needle).abs() >= NEEDLE_STEP;
        // A streamed picture changes at the stream's rate: its lines are spaced like a moving needle's.
        let streamed = last.tft.as_ref().map(|tft| (&tft.hash, tft.errors)) != status.tft.as_ref().map(|tft| (&tft.hash, tft.errors));
        changed || ((moved || streamed) && since >= MIN_GAP_MS)
    }

    /// Prints one event at once.
    pub fn event(&mut self, now_ms: u64, event: &str, detail: Value) {
        print_line(&EventLine { t: now_ms, event, detail });
    }
}

fn same_picture(last: Option<&ScreenStatus>, now: Option<&ScreenStatus>) -> bool {
    match (last, now) {
        (Some(last), Some(now)) => last.same_picture(now),
        (last, now) => last.is_none() && now.is_none(),
    }
}

fn round2(value: f32) -> f32 {
    (value * 100.0).round() / 100.0
}

fn print_line<T: Serialize>(line: &T) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (the test went away) must not stop the device.
    if serde_json::to_writer(&mut out, line).is_ok() {
        let _ = out.write_all(b"\n");
        let _ = out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(needle: f32) -> Status {
        Status {
            needle,
            target: 50.0,
            code: 0,
            meter: "live",
            held: None,
            reason: None,
            link: "connected",
            ip: None,
            host: None,
            metric: None,
            attempts: 1,
            auth_failures: 0,
            heap: 0,
            heap_peak: 0,
            light: LightStatus { state: "live", colour: "green", rgb: "#00ff00".into(), pattern: "solid" },
            screen: None,
            tft: None,
            update: None,
        }
    }

    fn shown(output: &str, scene: &str) -> ScreenShown {
        ScreenShown { output: output.into(), scene: scene.into(), index: Some(0), alert: None }
    }

    fn screen(scene: &str, hash: &str, oled_bytes: u64) -> Option<ScreenStatus> {
        Some(ScreenStatus { shown: shown("oled", scene), hash: hash.into(), oled_bytes, updates: 1 })
    }

    #[test]
    fn holds_back_repeats_until_the_period_and_small_moves_until_the_gap() {
        let mut reporter = Reporter::new(250);
        assert!(reporter.due(0, &status(10.0)));
        reporter.status(0, status(10.0));
        assert!(!reporter.due(10, &status(10.0)));
        assert!(!reporter.due(10, &status(20.0)), "a moving needle waits for the gap");
        assert!(reporter.due(60, &status(20.0)));
        assert!(!reporter.due(200, &status(10.01)), "a needle at rest waits for the period");
        assert!(reporter.due(250, &status(10.0)));
    }

    #[test]
    fn a_change_of_state_is_printed_at_once() {
        let mut reporter = Reporter::new(250);
        reporter.status(0, status(10.0));
        let mut parked = status(10.0);
        parked.meter = "stale";
        assert!(reporter.due(1, &parked));
        let mut refused = status(10.0);
        refused.light.state = "token_refused";
        assert!(reporter.due(1, &refused), "a new light state is printed at once");
    }

    #[test]
    fn a_hold_is_printed_at_once_with_its_code_and_a_line_without_one_names_none() {
        let mut reporter = Reporter::new(250);
        reporter.status(0, status(10.0));
        let mut held = status(10.0);
        (held.meter, held.held, held.code) = ("held", Some(640), 640);
        assert!(reporter.due(1, &held));
        reporter.status(1, held.clone());
        held.held = Some(700);
        assert!(reporter.due(2, &held), "a new code is printed at once too");
        let line = serde_json::to_value(&held).unwrap();
        assert_eq!((line["meter"].as_str(), line["held"].as_u64()), (Some("held"), Some(700)));
        assert!(serde_json::to_value(status(1.0)).unwrap().get("held").is_none(), "no hold, no field");
    }

    #[test]
    fn a_new_picture_on_the_screen_is_printed_at_once_and_its_counters_alone_wait() {
        let mut reporter = Reporter::new(250);
        let mut shown = status(10.0);
        shown.screen = screen("hub", "00000001", 1024);
        reporter.status(0, shown.clone());
        shown.screen = screen("hub", "00000001", 1030);
        assert!(!reporter.due(1, &shown), "the same picture");
        shown.screen = screen("hub", "00000002", 1030);
        assert!(reporter.due(1, &shown));
        shown.screen = screen("metric", "00000001", 1024);
        assert!(reporter.due(1, &shown));
        let line = serde_json::to_value(&shown).unwrap();
        assert_eq!(line["screen"]["scene"], "metric");
        assert_eq!(line["screen"]["oled_bytes"], 1024);
        assert!(line["screen"].get("alert").is_none());
        assert!(serde_json::to_value(status(1.0)).unwrap().get("screen").is_none(), "no screen, no field");
    }

    fn tft(scene: &str, hash: &str, errors: u64) -> Option<TftStatus> {
        Some(TftStatus { shown: shown("tft", scene), hash: hash.into(), frames: 1, rects: 1, bytes: 8, errors, updates: 1 })
    }

    #[test]
    fn a_new_tft_scene_is_printed_at_once_and_a_streamed_picture_at_most_every_gap() {
        let mut reporter = Reporter::new(250);
        let mut shown = status(10.0);
        shown.tft = tft("state", "00000001", 0);
        reporter.status(0, shown.clone());
        shown.tft = tft("stream", "00000001", 0);
        assert!(reporter.due(1, &shown), "a new scene");
        reporter.status(1, shown.clone());
        shown.tft = tft("stream", "00000002", 0);
        assert!(!reporter.due(20, &shown), "a new picture waits for the gap");
        assert!(reporter.due(51, &shown));
        shown.tft = tft("stream", "00000001", 1);
        assert!(reporter.due(51, &shown), "a refusal too");
        let line = serde_json::to_value(&shown).unwrap();
        assert_eq!((line["tft"]["scene"].as_str(), line["tft"]["errors"].as_u64(), line["tft"]["bytes"].as_u64()), (Some("stream"), Some(1), Some(8)));
        assert!(serde_json::to_value(status(1.0)).unwrap().get("tft").is_none(), "no TFT, no field");
    }
}
