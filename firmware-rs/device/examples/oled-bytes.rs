//! How many bytes of pixel data an SSD1306 128x64 update sends over I2C with page tracking, against the full 1 KiB
//! frame a driver without it sends: the board's own screen logic (`Screens`) draws into the page framebuffer
//! (`Pages`) once a second, as it does for each metric frame, and each flush sends only the changed runs.
//!
//! Bytes on the wire are counted as the board sends them (firmware-rs/esp32/src/oled.rs, `write_page`): per run,
//! the page (address byte, control byte, 0xB0 | page) and the column (address, control, low and high nibble
//! commands), 7 bytes, then the data through display-interface-i2c, which writes 16 bytes at a time, each write
//! with its address and control byte: n + 2 * ceil(n / 16). A full frame sent the same way is 8 * (7 + 128 + 16).
//! `npm run bench` (bench/screens.ts) prints the figures; one JSON line a case.
//!
//! - a steady hub: four figures whose values do not change (a desk PC at rest);
//! - a hub with one moving figure: CPU load changing every second;
//! - a moving graph: the one-metric scene, whose graph scrolls one column each frame.

use embedded_graphics::prelude::Size;
use sysboy_device::screen::{Pages, ScreenSpec, Screens};
use sysboy_device::status_light::BoardState;
use sysboy_protocol::{HistoryBurst, NamedMetric, SceneSpec, ScreenConfig};

const UPDATES: u64 = 600;
const FULL_FRAME: usize = 128 * 64 / 8;

/// I2C bytes (address bytes included) that write `n` bytes of one page from some column on.
fn wire_bytes(n: usize) -> usize {
    7 + n + 2 * n.div_ceil(16)
}

fn frame(metric: &str, value: f64) -> NamedMetric {
    NamedMetric { name: metric.into(), value: Some(value), reason: None, used: None, total: None, raw: None, unit: None, source: None, gpu: None, seq: None, ts: None }
}

fn screens(scene: &str, metrics: &[&str]) -> Screens {
    let mut screens = Screens::new(vec![ScreenSpec::oled("oled", 128, 64)]);
    screens.board_state(BoardState::Live);
    let spec = SceneSpec { scene: scene.into(), metrics: metrics.iter().map(|m| String::from(*m)).collect() };
    let config = ScreenConfig { output: "oled".into(), scenes: vec![spec], carousel_ms: None, alerts: None, brightness: None, rotation: None, width: None, height: None };
    screens.configure(&[config], 0).expect("a layout the OLED shows");
    for metric in metrics {
        // Graphs start full, as after the host's history burst on connect.
        let values = (0..128).map(|i| Some(40.0 + 30.0 * libm::sin(f64::from(i) / 9.0))).collect();
        screens.history(&HistoryBurst { name: (*metric).into(), interval_ms: 1_000, values, ts: None });
    }
    screens
}

/// Draws `UPDATES` frames a second apart after the first full one, and the mean bytes each flush sends.
fn measure(name: &str, mut screens: Screens, values: impl Fn(u64) -> Vec<(&'static str, f64)>) {
    let mut memory = vec![0u8; Pages::len(Size::new(128, 64)).unwrap()];
    let mut pages = Pages::new(&mut memory, Size::new(128, 64)).unwrap();
    for (metric, value) in values(0) {
        screens.frame(&frame(metric, value), 0);
    }
    screens.draw(0, &mut pages).unwrap();
    pages.flushed();
    let (mut sent, mut runs, mut wire) = (0usize, 0usize, 0usize);
    for update in 1..=UPDATES {
        let now = update * 1_000;
        for (metric, value) in values(update) {
            screens.frame(&frame(metric, value), now);
        }
        screens.tick(now);
        screens.draw(0, &mut pages).unwrap();
        sent += pages.dirty_bytes();
        runs += pages.dirty_pages().count();
        wire += pages.dirty_pages().map(|run| wire_bytes(run.bytes.len())).sum::<usize>();
        pages.flushed();
    }
    println!(
        r#"{{"case":"{name}","updates":{UPDATES},"bytes_per_update":{:.1},"runs_per_update":{:.2},"i2c_bytes_per_update":{:.1},"full_frame_bytes":{FULL_FRAME},"full_frame_i2c_bytes":{}}}"#,
        sent as f64 / UPDATES as f64,
        runs as f64 / UPDATES as f64,
        wire as f64 / UPDATES as f64,
        8 * wire_bytes(128)
    );
}

fn main() {
    let hub = ["vram", "cpu", "gpu_temp", "ram"];
    measure("steady hub", screens("hub", &hub), |_| vec![("vram", 65.0), ("cpu", 37.0), ("gpu_temp", 63.0), ("ram", 71.0)]);
    measure("hub, CPU changing each second", screens("hub", &hub), |t| {
        vec![("vram", 65.0), ("cpu", 20.0 + (t * 37 % 60) as f64), ("gpu_temp", 63.0), ("ram", 71.0)]
    });
    measure("moving graph (one-metric scene)", screens("metric", &["cpu"]), |t| vec![("cpu", 40.0 + 30.0 * libm::sin(t as f64 / 9.0))]);
}
