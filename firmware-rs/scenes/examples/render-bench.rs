//! Renders each scene many times natively, 128×64 in 1-bit and 320×240 in RGB565 into byte framebuffers, and
//! prints one JSON line per scene and screen with the microseconds a render takes. Run it in release:
//! `cargo run --release -p sysboy-scenes --example render-bench [RENDERS]` (default 500).

// The golden tests use the samples this benchmark leaves unused.
#[allow(dead_code)]
#[path = "../tests/samples/mod.rs"]
mod samples;

use std::{hint::black_box, time::Instant};

use embedded_graphics::{
    pixelcolor::{BinaryColor, Rgb565},
    prelude::*,
};
use samples::{Histories, LINK_STATES};
use sysboy_scenes::{draw, Alert, Framebuffer, Scene, SceneColor, StoredColor, View};

fn bench<C: SceneColor + StoredColor>(scene: Scene, view: &View<'_>, size: Size, depth: u32, renders: u32) {
    let mut bytes = vec![0; Framebuffer::<C>::len(size).unwrap()];
    let mut screen = Framebuffer::<C>::new(&mut bytes, size).unwrap();
    // One render first, so the timing leaves out the first touch of the buffer.
    draw(scene, view, &mut screen).unwrap();
    let start = Instant::now();
    for _ in 0..renders {
        draw(scene, black_box(view), &mut screen).unwrap();
    }
    let us = start.elapsed().as_secs_f64() * 1e6 / f64::from(renders);
    black_box(screen.as_bytes());
    println!(
        "{{\"bench\":\"scene-render\",\"scene\":\"{}\",\"width\":{},\"height\":{},\"depth\":{depth},\"renders\":{renders},\"us_per_render\":{us:.2}}}",
        scene.name(),
        size.width,
        size.height
    );
}

fn main() {
    let renders = std::env::args().nth(1).map_or(500, |n| n.parse().expect("RENDERS is a whole number"));
    let h = Histories::new();
    let hub = h.hub();
    let metric = [h.vram()];
    let network = [h.rx(), h.tx()];
    let alert = Alert { figure: h.vram(), limit: 60.0 };
    let views = [
        (Scene::Hub, View { figures: &hub, link: None, alert: None }),
        (Scene::Metric, View { figures: &metric, link: None, alert: None }),
        (Scene::Network, View { figures: &network, link: None, alert: None }),
        (Scene::Alert, View { figures: &[], link: None, alert: Some(alert) }),
        (Scene::State, View { figures: &[], link: Some(LINK_STATES[0].1), alert: None }),
    ];
    for (scene, view) in &views {
        bench::<BinaryColor>(*scene, view, Size::new(128, 64), 1, renders);
        bench::<Rgb565>(*scene, view, Size::new(320, 240), 16, renders);
    }
}
