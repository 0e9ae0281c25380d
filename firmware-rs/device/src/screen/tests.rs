//! The screens' behaviour: layouts, readings and staleness, the press and the carousel, alerts, the link's state,
//! and what is drawn, against the scenes crate drawing the same view.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::Size;
use sysboy_protocol::{AlertLimit, HistoryBurst, NamedMetric, SceneSpec, ScreenConfig, SessionConfig};
use sysboy_scenes::{Alert, Amount, Figure, Framebuffer, History, LinkState, Missing, Reading, Scene, View};

use super::*;
use crate::link::Action;
use crate::status_light::BoardState;

fn frame(metric: &str, value: Option<f64>) -> NamedMetric {
    NamedMetric { name: metric.into(), value, reason: None, used: None, total: None, raw: None, unit: None, source: None, gpu: None, seq: None, ts: None }
}

fn scene(name: &str, metrics: &[&str]) -> SceneSpec {
    SceneSpec { scene: name.into(), metrics: metrics.iter().map(|m| String::from(*m)).collect() }
}

fn config(scenes: Vec<SceneSpec>) -> ScreenConfig {
    ScreenConfig { output: "oled".into(), scenes, carousel_ms: None, alerts: None, brightness: None, rotation: None, width: None, height: None }
}

fn live_oled() -> Screens {
    let mut screens = Screens::new(vec![ScreenSpec::oled("oled", 128, 64)]);
    screens.board_state(BoardState::Live);
    screens
}

/// The OLED's picture, one byte a pixel.
fn picture(screens: &Screens) -> Vec<u8> {
    let mut pixels = vec![0u8; 128 * 64];
    let mut target = Framebuffer::<BinaryColor>::new(&mut pixels, Size::new(128, 64)).unwrap();
    screens.draw(0, &mut target).unwrap();
    pixels
}

/// What the scenes crate draws for `scene` and `view` on a 128x64 OLED.
fn scene_picture(scene: Scene, view: &View<'_>) -> Vec<u8> {
    let mut pixels = vec![0u8; 128 * 64];
    let mut target = Framebuffer::<BinaryColor>::new(&mut pixels, Size::new(128, 64)).unwrap();
    sysboy_scenes::draw(scene, view, &mut target).unwrap();
    pixels
}

fn shown(screens: &Screens) -> (String, Option<u8>, Option<String>) {
    let shown = screens.shown().remove(0);
    (shown.scene, shown.index, shown.alert)
}

fn shows(scene: &str, index: Option<u8>) -> (String, Option<u8>, Option<String>) {
    (scene.into(), index, None)
}

#[test]
fn before_any_config_a_screen_shows_a_hub_of_the_first_four_metrics_that_arrive() {
    let mut screens = live_oled();
    for (i, metric) in ["cpu", "ram", "gpu_util", "vram", "disk"].into_iter().enumerate() {
        screens.frame(&frame(metric, Some(10.0 * i as f64)), 100);
    }
    assert_eq!(screens.metrics().collect::<Vec<_>>(), ["cpu", "ram", "gpu_util", "vram"]);
    assert_eq!(shown(&screens), shows("hub", Some(0)));
    let history = History::new();
    let figures: Vec<Figure<'_>> = ["cpu", "ram", "gpu_util", "vram"]
        .iter()
        .map(|&metric| Figure { metric, reading: Reading::Missing(Missing::NoData), history: &history })
        .collect();
    assert_ne!(picture(&screens), scene_picture(Scene::Hub, &View { figures: &figures, link: None, alert: None }), "the figures are live");
}

#[test]
fn the_screen_draws_what_the_scene_draws_for_the_same_figures() {
    let mut screens = live_oled();
    screens.configure(&[config(vec![scene("metric", &["ram"])])], 0).unwrap();
    let mut ram = frame("ram", Some(50.0));
    (ram.used, ram.total, ram.unit) = (Some(8 << 30), Some(16 << 30), Some("B".into()));
    screens.frame(&ram, 10);
    let mut history = History::new();
    history.push(Some(50.0));
    let figure = Figure { metric: "ram", reading: Reading::Live { percent: 50.0, amount: Amount::Bytes { used: 8 << 30, total: Some(16 << 30) } }, history: &history };
    assert_eq!(picture(&screens), scene_picture(Scene::Metric, &View { figures: &[figure], link: None, alert: None }));
}

#[test]
fn off_a_live_session_the_state_scene_shows_the_board_s_state_with_its_names() {
    let mut screens = Screens::new(vec![ScreenSpec::oled("oled", 128, 64)]);
    screens.frame(&frame("cpu", Some(5.0)), 0);
    assert_eq!(shown(&screens), shows("state", None), "a fresh figure is not shown before the session is live");
    let state = |link| scene_picture(Scene::State, &View { figures: &[], link: Some(link), alert: None });
    assert_eq!(picture(&screens), state(LinkState::NoHost), "starting");
    screens.portal_named("Sysboy-0a0b", "192.168.4.1");
    screens.board_state(BoardState::PortalOpen);
    assert_eq!(picture(&screens), state(LinkState::PortalOpen { ap: "Sysboy-0a0b", address: "192.168.4.1" }));
    screens.joining_named("HomeNet");
    screens.board_state(BoardState::Joining);
    assert_eq!(picture(&screens), state(LinkState::Joining { ssid: "HomeNet" }));
    screens.board_state(BoardState::TokenRefused);
    assert_eq!(picture(&screens), state(LinkState::TokenRefused));
    screens.board_state(BoardState::NoHost);
    assert_eq!(picture(&screens), state(LinkState::NoHost));
    screens.board_state(BoardState::Live);
    assert_eq!(shown(&screens), shows("hub", Some(0)));
}

#[test]
fn a_board_awaiting_approval_shows_what_to_do_on_the_pc_with_its_id_never_no_host() {
    let mut screens = Screens::new(vec![ScreenSpec::oled("oled", 128, 64)]);
    let state = |link| scene_picture(Scene::State, &View { figures: &[], link: Some(link), alert: None });
    screens.board_state(BoardState::AwaitingApproval);
    assert_eq!(picture(&screens), state(LinkState::AwaitingApproval { device: "" }), "the command alone before the id is known");
    assert_ne!(picture(&screens), state(LinkState::NoHost));
    screens.tick(0);
    screens.device_named("sysboy-0a0b0c0d");
    assert_eq!(screens.tick(10).screens().collect::<Vec<_>>(), [0], "the id is drawn as soon as it is known");
    assert_eq!(picture(&screens), state(LinkState::AwaitingApproval { device: "sysboy-0a0b0c0d" }));
    assert_eq!(shown(&screens), shows("state", None));
    screens.device_named("sysboy-0a0b0c0d");
    assert!(screens.tick(20).is_empty(), "the same id draws nothing again");
    screens.board_state(BoardState::Live);
    screens.frame(&frame("cpu", Some(5.0)), 30);
    assert_eq!(shown(&screens), shows("hub", Some(0)), "approved: the figures");
}

#[test]
fn with_no_fresh_figure_a_live_screen_shows_no_data_and_never_a_stale_value() {
    let mut screens = live_oled();
    screens.set_stale_after_ms(3_000);
    assert_eq!(shown(&screens), shows("state", None));
    let no_data = scene_picture(Scene::State, &View { figures: &[], link: Some(LinkState::NoData), alert: None });
    assert_eq!(picture(&screens), no_data);
    screens.frame(&frame("cpu", Some(40.0)), 1_000);
    assert_eq!(shown(&screens), shows("hub", Some(0)));
    screens.tick(3_999);
    assert_eq!(shown(&screens), shows("hub", Some(0)));
    screens.tick(4_000);
    assert_eq!(shown(&screens), shows("state", None), "3 s without a frame");
    assert_eq!(picture(&screens), no_data);
    screens.frame(&frame("cpu", Some(41.0)), 4_100);
    screens.forget();
    assert_eq!(shown(&screens), shows("state", None), "the link went down: nothing is live");
}

#[test]
fn a_figure_the_host_cannot_read_is_shown_as_unreadable_not_as_no_data() {
    let mut screens = live_oled();
    screens.configure(&[config(vec![scene("metric", &["vram"])])], 0).unwrap();
    let mut unread = frame("vram", None);
    unread.reason = Some("NVML not found".into());
    screens.frame(&unread, 10);
    assert_eq!(shown(&screens), shows("metric", Some(0)), "the host is there, it says why");
    let mut history = History::new();
    history.push(None);
    let figure = Figure { metric: "vram", reading: Reading::Missing(Missing::Unreadable), history: &history };
    assert_eq!(picture(&screens), scene_picture(Scene::Metric, &View { figures: &[figure], link: None, alert: None }));
}

#[test]
fn a_short_press_steps_to_the_next_scene_wraps_and_is_reported() {
    let mut screens = live_oled();
    let scenes = vec![scene("hub", &["cpu", "ram"]), scene("metric", &["cpu"]), scene("network", &["net_rx", "net_tx"])];
    screens.configure(&[config(scenes)], 0).unwrap();
    screens.frame(&frame("cpu", Some(1.0)), 0);
    assert!(screens.take_shown_changed());
    assert!(!screens.take_shown_changed(), "taken");
    for expected in [shows("metric", Some(1)), shows("network", Some(2)), shows("hub", Some(0))] {
        screens.press(10);
        assert_eq!(shown(&screens), expected);
        assert!(screens.take_shown_changed());
        assert!(screens.tick(10).contains(0), "a new scene is drawn");
    }
}

#[test]
fn a_press_on_a_screen_with_one_scene_changes_nothing() {
    let mut screens = live_oled();
    screens.frame(&frame("cpu", Some(1.0)), 0);
    screens.take_shown_changed();
    screens.tick(0);
    screens.press(10);
    assert!(!screens.take_shown_changed());
    assert!(screens.tick(10).is_empty());
}

#[test]
fn the_carousel_steps_on_its_period_and_a_press_starts_it_over() {
    let mut screens = live_oled();
    let mut layout = config(vec![scene("hub", &["cpu"]), scene("metric", &["cpu"])]);
    layout.carousel_ms = Some(5_000);
    screens.configure(&[layout], 1_000).unwrap();
    screens.frame(&frame("cpu", Some(1.0)), 1_000);
    screens.tick(5_999);
    assert_eq!(shown(&screens), shows("hub", Some(0)));
    screens.frame(&frame("cpu", Some(1.0)), 6_000);
    screens.tick(6_000);
    assert_eq!(shown(&screens), shows("metric", Some(1)));
    screens.frame(&frame("cpu", Some(1.0)), 9_000);
    screens.press(9_000);
    assert_eq!(shown(&screens), shows("hub", Some(0)));
    screens.frame(&frame("cpu", Some(1.0)), 13_000);
    screens.tick(13_999);
    assert_eq!(shown(&screens), shows("hub", Some(0)), "the press started the period over");
    screens.tick(14_000);
    assert_eq!(shown(&screens), shows("metric", Some(1)));
}

fn alerting_oled() -> Screens {
    let mut screens = live_oled();
    let mut layout = config(vec![scene("hub", &["cpu", "ram"])]);
    layout.alerts = Some(vec![AlertLimit { metric: "gpu_temp".into(), above: 85.0, clear_below: 75.0 }]);
    screens.configure(&[layout], 0).unwrap();
    screens
}

#[test]
fn an_alert_takes_the_screen_over_above_its_limit_and_gives_it_back_below_clear_below() {
    let mut screens = alerting_oled();
    screens.frame(&frame("cpu", Some(10.0)), 0);
    screens.frame(&frame("gpu_temp", Some(85.0)), 0);
    assert_eq!(shown(&screens), shows("hub", Some(0)), "at the limit is not past it");
    assert!(!screens.alerting());
    screens.take_shown_changed();
    screens.frame(&frame("gpu_temp", Some(90.0)), 100);
    assert_eq!(shown(&screens), ("alert".into(), None, Some("gpu_temp".into())));
    assert!(screens.alerting() && screens.take_shown_changed());
    let mut history = History::new();
    history.push(Some(85.0));
    history.push(Some(90.0));
    let figure = Figure { metric: "gpu_temp", reading: Reading::Live { percent: 90.0, amount: Amount::Percent }, history: &history };
    let alert = Alert { figure, limit: 85.0 };
    assert_eq!(picture(&screens), scene_picture(Scene::Alert, &View { figures: &[figure], link: None, alert: Some(alert) }));
    screens.frame(&frame("gpu_temp", Some(80.0)), 200);
    assert!(screens.alerting(), "between the limits the alert holds");
    screens.frame(&frame("gpu_temp", Some(75.0)), 300);
    assert!(screens.alerting(), "at clear_below it still holds");
    screens.frame(&frame("gpu_temp", Some(74.9)), 400);
    assert!(!screens.alerting());
    assert_eq!(shown(&screens), shows("hub", Some(0)));
    screens.frame(&frame("gpu_temp", Some(80.0)), 500);
    assert!(!screens.alerting(), "below the limit an ended alert does not start again");
}

#[test]
fn an_alert_ends_when_its_figure_is_no_longer_live() {
    let mut screens = alerting_oled();
    screens.set_stale_after_ms(1_000);
    screens.frame(&frame("cpu", Some(10.0)), 0);
    screens.frame(&frame("gpu_temp", Some(95.0)), 0);
    assert!(screens.alerting());
    screens.frame(&frame("cpu", Some(10.0)), 900);
    screens.tick(1_000);
    assert!(!screens.alerting(), "a stale figure raises no alert");
    assert_eq!(shown(&screens), shows("hub", Some(0)));
    screens.frame(&frame("gpu_temp", Some(95.0)), 1_100);
    assert!(screens.alerting());
    screens.frame(&frame("gpu_temp", None), 1_200);
    assert!(!screens.alerting(), "nor an unreadable one");
}

#[test]
fn a_history_burst_fills_the_graph_before_the_first_frame() {
    let mut screens = live_oled();
    screens.configure(&[config(vec![scene("metric", &["cpu"])])], 0).unwrap();
    let burst = HistoryBurst { name: "cpu".into(), interval_ms: 500, values: vec![Some(10.0), None, Some(30.0)], ts: None };
    screens.history(&burst);
    screens.history(&HistoryBurst { name: "not_shown".into(), ..burst.clone() });
    screens.frame(&frame("cpu", Some(40.0)), 10);
    let mut history = History::new();
    for value in [Some(10.0), None, Some(30.0), Some(40.0)] {
        history.push(value);
    }
    let figure = Figure { metric: "cpu", reading: Reading::Live { percent: 40.0, amount: Amount::Percent }, history: &history };
    assert_eq!(picture(&screens), scene_picture(Scene::Metric, &View { figures: &[figure], link: None, alert: None }));
    assert_eq!(screens.metrics().collect::<Vec<_>>(), ["cpu"], "a configured screen takes on no other metric");
}

#[test]
fn only_screens_whose_picture_changed_are_drawn_again() {
    let mut screens = Screens::new(vec![ScreenSpec::oled("oled", 128, 64), ScreenSpec::tft("tft", 320, 240)]);
    assert_eq!(screens.tick(0).screens().collect::<Vec<_>>(), [0, 1], "everything is drawn at first");
    screens.board_state(BoardState::Live);
    let mut tft = config(vec![scene("metric", &["ram"])]);
    tft.output = "tft".into();
    screens.configure(&[config(vec![scene("metric", &["cpu"])]), tft], 0).unwrap();
    screens.frame(&frame("cpu", Some(1.0)), 0);
    screens.frame(&frame("ram", Some(1.0)), 0);
    screens.tick(0);
    assert!(screens.tick(10).is_empty(), "nothing changed");
    screens.frame(&frame("cpu", Some(2.0)), 20);
    assert_eq!(screens.tick(20).screens().collect::<Vec<_>>(), [0]);
    screens.frame(&frame("disk", Some(2.0)), 30);
    assert!(screens.tick(30).is_empty(), "a metric no screen shows");
}

#[test]
fn a_steady_hub_redrawn_sends_no_bytes_and_a_new_value_sends_a_few() {
    let mut screens = live_oled();
    screens.frame(&frame("cpu", Some(20.0)), 0);
    screens.frame(&frame("ram", Some(60.0)), 0);
    let mut memory = [0u8; 2048];
    let mut pages = Pages::new(&mut memory, Size::new(128, 64)).unwrap();
    screens.draw(0, &mut pages).unwrap();
    assert_eq!(pages.dirty_bytes(), 1024);
    pages.flushed();
    screens.draw(0, &mut pages).unwrap();
    assert_eq!(pages.dirty_bytes(), 0);
    screens.frame(&frame("cpu", Some(80.0)), 100);
    screens.draw(0, &mut pages).unwrap();
    let (pages_sent, bytes) = (pages.dirty_pages().count(), pages.dirty_bytes());
    assert!(pages_sent >= 1 && bytes < 1024 / 2, "{pages_sent} pages, {bytes} bytes");
}

#[test]
fn a_config_the_screens_cannot_show_is_refused_naming_the_field_and_changes_nothing() {
    let mut alert = config(vec![scene("hub", &["cpu"])]);
    alert.alerts = Some(vec![AlertLimit { metric: "cpu".into(), above: 80.0, clear_below: 90.0 }]);
    let sized = |width, height| ScreenConfig { width, height, ..config(vec![scene("hub", &["cpu"])]) };
    let turned = ScreenConfig { rotation: Some(1), ..config(vec![scene("hub", &["cpu"])]) };
    let other = ScreenConfig { output: "tft".into(), ..config(vec![scene("hub", &["cpu"])]) };
    let names: Vec<String> = (0..20).map(|i| alloc::format!("m{i}")).collect();
    let many: Vec<SceneSpec> = names.chunks(4).map(|four| SceneSpec { scene: "hub".into(), metrics: four.to_vec() }).collect();
    let cases: Vec<(Vec<ScreenConfig>, &str)> = vec![
        (vec![config(vec![scene("hub", &["cpu"]), scene("clock", &["cpu"])])], r#"screens[0].scenes[1].scene: unknown scene "clock"; a screen shows hub, metric or network (a TFT that takes streams also stream)"#),
        (vec![config(vec![scene("hub", &["a", "b", "c", "d", "e"])])], "screens[0].scenes[0].metrics: the hub holds 1 to 4 figures, got 5"),
        (vec![config(vec![scene("hub", &[])])], "screens[0].scenes[0].metrics: the hub holds 1 to 4 figures, got 0"),
        (vec![config(vec![scene("metric", &["cpu", "ram"])])], "screens[0].scenes[0].metrics: the metric scene shows exactly 1 figure, got 2"),
        (vec![config(vec![scene("network", &["net_rx"])])], "screens[0].scenes[0].metrics: the network scene shows exactly 2 figures (rx then tx), got 1"),
        (vec![config(vec![scene("alert", &["cpu"])])], r#"screens[0].scenes[0].scene: "alert" takes the screen over by itself; configure hub, metric or network"#),
        (vec![sized(Some(320), Some(240))], "screens[0].width: this screen is 128x64, not 320x240"),
        (vec![sized(None, Some(32))], "screens[0].height: this screen is 128x64, not 128x32"),
        (vec![config(vec![scene("hub", &["cpu"])]), other], r#"screens[1].output: no screen "tft"; this device has oled"#),
        (vec![config(vec![scene("hub", &["cpu"])]), config(vec![scene("hub", &["ram"])])], r#"screens[1].output: screen "oled" is configured twice"#),
        (vec![alert], "screens[0].alerts[0].clear_below: must be at most above (80), got 90"),
        (vec![turned], "screens[0].rotation: 1 quarter turns would stand this 128x64 screen on its side, which its scenes are not laid out for; use 0 or 2"),
        (vec![config(Vec::new())], "screens[0].scenes: a screen takes 1 to 8 scenes, got 0"),
        (vec![config(many)], "screens: the screens show at most 16 different metrics in all, got 20"),
    ];
    for (configs, reason) in cases {
        let mut screens = live_oled();
        screens.frame(&frame("cpu", Some(30.0)), 0);
        screens.take_shown_changed();
        let before = picture(&screens);
        let refused = screens.configure(&configs, 10).expect_err(reason);
        assert_eq!(alloc::format!("{refused}"), reason);
        assert!(reason.len() <= 200, "fits an error frame: {reason}");
        assert_eq!(shown(&screens), shows("hub", Some(0)), "{reason}");
        assert_eq!(screens.metrics().collect::<Vec<_>>(), ["cpu"], "{reason}");
        assert!(!screens.take_shown_changed(), "{reason}");
        assert_eq!(picture(&screens), before, "the device keeps what it showed: {reason}");
    }
}

#[test]
fn a_device_without_screens_refuses_a_screens_config_and_takes_an_empty_one() {
    let refused = check(&[], &[config(vec![scene("hub", &["cpu"])])]).unwrap_err();
    assert_eq!(alloc::format!("{refused}"), r#"screens[0].output: no screen "oled"; this device has none"#);
    assert_eq!(check(&[], &[]), Ok(()));
}

#[test]
fn a_new_config_keeps_the_figures_still_shown_and_a_screen_it_leaves_out_takes_the_default() {
    let mut screens = live_oled();
    screens.configure(&[config(vec![scene("hub", &["cpu", "ram"]), scene("metric", &["ram"])])], 0).unwrap();
    screens.frame(&frame("cpu", Some(20.0)), 0);
    screens.frame(&frame("ram", Some(60.0)), 0);
    screens.press(0);
    screens.configure(&[config(vec![scene("hub", &["gpu_util"]), scene("metric", &["ram"])])], 10).unwrap();
    assert_eq!(screens.metrics().collect::<Vec<_>>(), ["gpu_util", "ram"]);
    assert_eq!(shown(&screens), shows("metric", Some(1)), "the scene index is kept, and ram is still live");
    screens.configure(&[], 20).unwrap();
    assert_eq!(shown(&screens), shows("state", None), "the default hub starts empty: nothing is fresh in it");
    screens.frame(&frame("vram", Some(1.0)), 30);
    assert_eq!(screens.metrics().collect::<Vec<_>>(), ["vram"]);
    assert_eq!(shown(&screens), shows("hub", Some(0)));
}

#[test]
fn brightness_and_rotation_come_from_the_config() {
    let mut screens = live_oled();
    assert_eq!((screens.brightness(0), screens.rotation(0)), (Some(DEFAULT_BRIGHTNESS), Some(0)));
    let layout = ScreenConfig { brightness: Some(80), rotation: Some(2), ..config(vec![scene("hub", &["cpu"])]) };
    screens.configure(&[layout], 0).unwrap();
    assert_eq!((screens.brightness(0), screens.rotation(0)), (Some(80), Some(2)));
    assert_eq!((screens.brightness(1), screens.rotation(1)), (None, None));
}

#[test]
fn the_link_s_actions_reach_the_screens() {
    let mut screens = live_oled();
    let session = SessionConfig { id: None, bindings: Vec::new(), interval_ms: 500, stale_after_ms: 2_000, ballistics: None, calibration: None, screens: None, streams: None };
    let actions = [
        Action::Apply(session),
        Action::ConfigureScreens(vec![config(vec![scene("metric", &["cpu"]), scene("metric", &["ram"])])]),
        Action::History(HistoryBurst { name: "cpu".into(), interval_ms: 500, values: vec![Some(5.0)], ts: None }),
        Action::Figure(frame("cpu", Some(50.0))),
        Action::NextScene,
    ];
    for action in &actions {
        screens.act(action, 1_000).unwrap();
    }
    assert_eq!(shown(&screens), shows("metric", Some(1)));
    screens.tick(2_999);
    assert_eq!(shown(&screens), shows("metric", Some(1)));
    screens.tick(3_000);
    assert_eq!(shown(&screens), shows("state", None), "the session's stale timeout applies");
    screens.act(&Action::Figure(frame("cpu", Some(50.0))), 3_100).unwrap();
    screens.act(&Action::Forget, 3_200).unwrap();
    assert_eq!(shown(&screens), shows("state", None));
    assert!(screens.act(&Action::ConfigureScreens(vec![config(vec![scene("clock", &["cpu"])])]), 0).is_err());
    assert_eq!(screens.act(&Action::ReportStatus, 0), Ok(()), "not the screens' action");
}

#[test]
fn the_status_names_each_screen_and_what_it_shows() {
    let mut screens = Screens::new(vec![ScreenSpec::oled("oled", 128, 64), ScreenSpec::tft("tft", 320, 240)]);
    screens.board_state(BoardState::Live);
    screens.frame(&frame("cpu", Some(50.0)), 0);
    let shown = screens.shown();
    assert_eq!(shown.iter().map(|s| (s.output.as_str(), s.scene.as_str(), s.index)).collect::<Vec<_>>(), [("oled", "hub", Some(0)), ("tft", "hub", Some(0))]);
    for screen in &shown {
        sysboy_protocol::Validate::validate(screen).unwrap();
    }
}
