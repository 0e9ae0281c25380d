//! Golden images: each scene drawn at the screen sizes Sysboy drives, compared pixel for pixel with a PNG in
//! `tests/golden/`. `SYSBOY_BLESS=1` writes them all (the on-purpose update, also for a new golden); otherwise a
//! missing golden or a difference fails and the actual image is written to the temporary directory.

mod samples;

use std::{fs, path::PathBuf};

use embedded_graphics::{
    pixelcolor::{BinaryColor, Rgb565, Rgb888},
    prelude::*,
};
use samples::{Histories, LINK_STATES, VRAM_TOTAL, VRAM_USED};
use sysboy_scenes::{
    abi, draw, Alert, Figure, Framebuffer, LinkState, Missing, Reading, Renderer, Scene, SceneColor, StoredColor,
    View,
};

/// A colour as a golden PNG stores it.
trait GoldenColor: SceneColor + StoredColor {
    fn rgb(self) -> [u8; 3];
}

impl GoldenColor for BinaryColor {
    fn rgb(self) -> [u8; 3] {
        if self.is_on() { [255; 3] } else { [0; 3] }
    }
}

impl GoldenColor for Rgb565 {
    fn rgb(self) -> [u8; 3] {
        let c = Rgb888::from(self);
        [c.r(), c.g(), c.b()]
    }
}

/// An image as RGB triples, row-major.
struct Image {
    size: Size,
    pixels: Vec<[u8; 3]>,
}

/// Draws `scene` from `view` at `size` in colour `C` into a byte framebuffer.
fn render<C: GoldenColor>(scene: Scene, view: &View<'_>, size: Size) -> Vec<u8> {
    let mut bytes = vec![0; Framebuffer::<C>::len(size).unwrap()];
    let mut screen = Framebuffer::<C>::new(&mut bytes, size).unwrap();
    draw(scene, view, &mut screen).unwrap();
    bytes
}

fn image<C: GoldenColor>(bytes: &[u8], size: Size) -> Image {
    let pixels = bytes.chunks_exact(C::BYTES).map(|pixel| C::load(pixel).rgb()).collect();
    Image { size, pixels }
}

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.png"))
}

/// Writes `image` to `path` through a temporary file, so a test reading the golden at the same moment never sees
/// half of it.
fn write_png(path: &PathBuf, image: &Image) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let partial = path.with_extension(format!("{:?}.partial", std::thread::current().id()));
    write_png_file(&partial, image);
    fs::rename(&partial, path).unwrap();
}

fn write_png_file(path: &PathBuf, image: &Image) {
    let file = fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), image.size.width, image.size.height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let data: Vec<u8> = image.pixels.iter().flatten().copied().collect();
    encoder.write_header().unwrap().write_image_data(&data).unwrap();
}

fn read_png(path: &PathBuf) -> Image {
    let mut decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(path).unwrap()));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().unwrap();
    let mut data = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut data).unwrap();
    let data = &data[..frame.buffer_size()];
    let pixels = match frame.color_type {
        png::ColorType::Rgb => data.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect(),
        png::ColorType::Rgba => data.chunks_exact(4).map(|p| [p[0], p[1], p[2]]).collect(),
        png::ColorType::Grayscale => data.iter().map(|&g| [g; 3]).collect(),
        png::ColorType::GrayscaleAlpha => data.chunks_exact(2).map(|p| [p[0]; 3]).collect(),
        other => panic!("{}: unexpected PNG colour type {other:?}", path.display()),
    };
    Image { size: Size::new(frame.width, frame.height), pixels }
}

/// Compares `actual` with the golden `name`, or writes the golden when it is missing or blessing.
fn check_image(name: &str, actual: &Image) {
    let path = golden_path(name);
    if std::env::var_os("SYSBOY_BLESS").is_some_and(|v| v == "1") {
        write_png(&path, actual);
        return;
    }
    if !path.exists() {
        let written = std::env::temp_dir().join("sysboy-scenes-golden").join(format!("{name}.png"));
        write_png(&written, actual);
        panic!("{name}: no golden at {} (the actual image is at {}; SYSBOY_BLESS=1 writes it)", path.display(), written.display());
    }
    let expected = read_png(&path);
    let differing = if expected.size == actual.size {
        expected.pixels.iter().zip(&actual.pixels).filter(|(a, b)| a != b).count()
    } else {
        actual.pixels.len()
    };
    if differing > 0 {
        let actual_path = std::env::temp_dir().join("sysboy-scenes-golden").join(format!("{name}.png"));
        write_png(&actual_path, actual);
        panic!(
            "scene {name}: {differing} pixels differ from {} (golden {:?}, actual {:?}); actual image: {}",
            path.display(),
            expected.size,
            actual.size,
            actual_path.display()
        );
    }
}

fn check<C: GoldenColor>(name: &str, scene: Scene, view: &View<'_>, size: Size) {
    let bytes = render::<C>(scene, view, size);
    check_image(name, &image::<C>(&bytes, size));
}

/// The screens: the SSD1306 OLED first, then the TFTs and the short OLED.
const OLED: Size = Size::new(128, 64);
const OLED_SHORT: Size = Size::new(128, 32);
const TFT_LANDSCAPE: Size = Size::new(320, 240);
const TFT_SQUARE: Size = Size::new(240, 240);
const TFT_PORTRAIT: Size = Size::new(240, 320);

fn view<'a>(figures: &'a [Figure<'a>]) -> View<'a> {
    View { figures, link: None, alert: None }
}

fn vram_alert(histories: &Histories) -> Alert<'_> {
    let mut figure = histories.vram();
    // 7.5 GiB of 8: 94 %, past a 90 % limit.
    let amount = sysboy_scenes::Amount::Bytes { used: 8_074_538_516, total: Some(VRAM_TOTAL) };
    figure.reading = Reading::Live { percent: 94.0, amount };
    Alert { figure, limit: 90.0 }
}

#[test]
fn hub_with_one_to_four_figures_on_the_oled() {
    let h = Histories::new();
    let all = h.hub();
    for count in 1..=4 {
        check::<BinaryColor>(&format!("hub-{count}-128x64"), Scene::Hub, &view(&all[..count]), OLED);
    }
    let with_stale = [h.vram(), h.cpu(), h.gpu_temp_stale(), h.ram()];
    check::<BinaryColor>("hub-4-stale-128x64", Scene::Hub, &view(&with_stale), OLED);
}

#[test]
fn hub_draws_only_its_first_four_figures() {
    let h = Histories::new();
    let six = [h.vram(), h.cpu(), h.gpu_temp(), h.ram(), h.rx(), h.tx()];
    let four = render::<BinaryColor>(Scene::Hub, &view(&six[..4]), OLED);
    assert_eq!(render::<BinaryColor>(Scene::Hub, &view(&six), OLED), four);
}

#[test]
fn missing_readings_show_dashes_never_a_number() {
    let h = Histories::new();
    for missing in [Missing::Unreadable, Missing::Stale, Missing::NoData] {
        let mut live = h.cpu();
        live.reading = Reading::Live { percent: 0.0, amount: sysboy_scenes::Amount::Percent };
        let mut gone = h.cpu();
        gone.reading = Reading::Missing(missing);
        let live_pixels = render::<BinaryColor>(Scene::Hub, &view(&[live]), OLED);
        let gone_pixels = render::<BinaryColor>(Scene::Hub, &view(&[gone]), OLED);
        assert_ne!(live_pixels, gone_pixels, "{missing:?} looks like a live 0%");
    }
    let unreadable = [Figure { reading: Reading::Missing(Missing::Unreadable), ..h.vram() }];
    check::<BinaryColor>("metric-unreadable-128x64", Scene::Metric, &view(&unreadable), OLED);
}

#[test]
fn metric_network_and_alert_on_the_oled() {
    let h = Histories::new();
    check::<BinaryColor>("metric-vram-128x64", Scene::Metric, &view(&[h.vram()]), OLED);
    check::<BinaryColor>("metric-cpu-128x64", Scene::Metric, &view(&[h.cpu()]), OLED);
    check::<BinaryColor>("network-128x64", Scene::Network, &view(&[h.rx(), h.tx()]), OLED);
    let alert = View { figures: &[], link: None, alert: Some(vram_alert(&h)) };
    check::<BinaryColor>("alert-vram-128x64", Scene::Alert, &alert, OLED);
}

#[test]
fn every_link_state_on_the_oled() {
    for (name, link) in LINK_STATES {
        let view = View { figures: &[], link: Some(link), alert: None };
        check::<BinaryColor>(&format!("state-{name}-128x64"), Scene::State, &view, OLED);
    }
}

#[test]
fn state_scene_with_a_live_link_shows_no_data() {
    let live = View { figures: &[], link: None, alert: None };
    let no_data = View { figures: &[], link: Some(LinkState::NoData), alert: None };
    assert_eq!(render::<BinaryColor>(Scene::State, &live, OLED), render::<BinaryColor>(Scene::State, &no_data, OLED));
}

#[test]
fn scenes_on_the_short_oled() {
    let h = Histories::new();
    check::<BinaryColor>("hub-4-128x32", Scene::Hub, &view(&h.hub()), OLED_SHORT);
    check::<BinaryColor>("metric-vram-128x32", Scene::Metric, &view(&[h.vram()]), OLED_SHORT);
    check::<BinaryColor>("network-128x32", Scene::Network, &view(&[h.rx(), h.tx()]), OLED_SHORT);
    for (name, link) in [LINK_STATES[1], LINK_STATES[4]] {
        let view = View { figures: &[], link: Some(link), alert: None };
        check::<BinaryColor>(&format!("state-{name}-128x32"), Scene::State, &view, OLED_SHORT);
    }
}

#[test]
fn scenes_on_colour_tfts() {
    let h = Histories::new();
    for (size, suffix) in [(TFT_LANDSCAPE, "320x240"), (TFT_SQUARE, "240x240"), (TFT_PORTRAIT, "240x320")] {
        check::<Rgb565>(&format!("hub-4-{suffix}"), Scene::Hub, &view(&h.hub()), size);
        check::<Rgb565>(&format!("metric-vram-{suffix}"), Scene::Metric, &view(&[h.vram()]), size);
    }
    check::<Rgb565>("hub-3-320x240", Scene::Hub, &view(&h.hub()[..3]), TFT_LANDSCAPE);
    check::<Rgb565>("network-320x240", Scene::Network, &view(&[h.rx(), h.tx()]), TFT_LANDSCAPE);
    let alert = View { figures: &[], link: None, alert: Some(vram_alert(&h)) };
    check::<Rgb565>("alert-vram-320x240", Scene::Alert, &alert, TFT_LANDSCAPE);
    for (name, link) in [LINK_STATES[0], LINK_STATES[2], LINK_STATES[4]] {
        let view = View { figures: &[], link: Some(link), alert: None };
        check::<Rgb565>(&format!("state-{name}-320x240"), Scene::State, &view, TFT_LANDSCAPE);
    }
}

#[test]
fn scenes_are_repeatable() {
    let h = Histories::new();
    let figures = h.hub();
    for scene in [Scene::Hub, Scene::Metric, Scene::Network, Scene::Alert, Scene::State] {
        let first = render::<Rgb565>(scene, &view(&figures), TFT_LANDSCAPE);
        assert_eq!(render::<Rgb565>(scene, &view(&figures), TFT_LANDSCAPE), first, "{}", scene.name());
    }
}

/// A metric frame's fields as the host hands them to the module.
struct HostFrame<'h> {
    metric: &'static str,
    unit: &'static str,
    percent: f32,
    raw: f64,
    used: f64,
    total: f64,
    history: &'h sysboy_scenes::History,
}

/// Loads the sample hub into a renderer the way the host's module is driven: strings through the scratch
/// buffer, numbers as the host's frame has them (NaN and negative for absent).
fn load_hub(renderer: &mut Renderer, h: &Histories) {
    let frame = |metric, unit, percent, raw, used, total, history| HostFrame { metric, unit, percent, raw, used, total, history };
    let frames = [
        frame("vram", "B", 65.0, f64::NAN, VRAM_USED as f64, VRAM_TOTAL as f64, &h.vram),
        frame("cpu", "%", 37.0, 37.0, -1.0, -1.0, &h.cpu),
        frame("gpu_temp", "°C", 63.0, 63.0, -1.0, -1.0, &h.gpu_temp),
        frame("ram", "", 71.0, f64::NAN, -1.0, -1.0, &h.ram),
    ];
    for (slot, f) in (0..).zip(frames) {
        let scratch = renderer.scratch();
        scratch[..f.metric.len()].copy_from_slice(f.metric.as_bytes());
        scratch[f.metric.len()..f.metric.len() + f.unit.len()].copy_from_slice(f.unit.as_bytes());
        let (metric_len, unit_len) = (f.metric.len() as u32, f.unit.len() as u32);
        renderer.set_figure(slot, metric_len, unit_len, abi::READING_LIVE, f.percent, f.raw, f.used, f.total).unwrap();
        for sample in f.history.iter() {
            renderer.push_history(slot, sample.map_or(f32::NAN, f32::from)).unwrap();
        }
    }
}

#[test]
fn the_renderer_draws_what_the_goldens_show() {
    let h = Histories::new();
    let mut renderer = Renderer::new();
    load_hub(&mut renderer, &h);
    let mut bytes = vec![0; abi::FRAMEBUFFER_LEN];

    let len = renderer.render(abi::SCENE_HUB, 4, 128, 64, abi::DEPTH_BINARY, &mut bytes).unwrap();
    assert_eq!((len, renderer.rendered_len()), (128 * 64, 128 * 64));
    check_image("hub-4-128x64", &image::<BinaryColor>(&bytes[..len], OLED));

    let len = renderer.render(abi::SCENE_METRIC, 1, 320, 240, abi::DEPTH_RGB565, &mut bytes).unwrap();
    assert_eq!(len, 320 * 240 * 2);
    check_image("metric-vram-320x240", &image::<Rgb565>(&bytes[..len], TFT_LANDSCAPE));

    let portal = "Sysboy-4F2A192.168.4.1";
    renderer.scratch()[..portal.len()].copy_from_slice(portal.as_bytes());
    renderer.set_link(abi::LINK_PORTAL_OPEN, 11, 11).unwrap();
    let len = renderer.render(abi::SCENE_STATE, 0, 128, 64, abi::DEPTH_BINARY, &mut bytes).unwrap();
    check_image("state-portal-128x64", &image::<BinaryColor>(&bytes[..len], OLED));

    let device = "sysboy-4f2a9c01";
    renderer.scratch()[..device.len()].copy_from_slice(device.as_bytes());
    renderer.set_link(abi::LINK_AWAITING_APPROVAL, device.len() as u32, 0).unwrap();
    let len = renderer.render(abi::SCENE_STATE, 0, 128, 64, abi::DEPTH_BINARY, &mut bytes).unwrap();
    check_image("state-awaiting-approval-128x64", &image::<BinaryColor>(&bytes[..len], OLED));
}

#[test]
fn the_renderer_refuses_what_it_cannot_draw() {
    let mut renderer = Renderer::new();
    let mut bytes = vec![0; abi::FRAMEBUFFER_LEN];
    let mut render = |scene, figures, width, height, depth| renderer.render(scene, figures, width, height, depth, &mut bytes);
    assert_eq!(render(9, 0, 128, 64, abi::DEPTH_BINARY), Err(abi::AbiError::BadCode));
    assert_eq!(render(abi::SCENE_HUB, 0, 128, 64, 8), Err(abi::AbiError::BadCode));
    assert_eq!(render(abi::SCENE_HUB, 0, 321, 64, abi::DEPTH_BINARY), Err(abi::AbiError::BadSize));
    assert_eq!(render(abi::SCENE_HUB, 0, 128, 31, abi::DEPTH_BINARY), Err(abi::AbiError::BadSize));
    assert_eq!(render(abi::SCENE_HUB, 9, 128, 64, abi::DEPTH_BINARY), Err(abi::AbiError::BadSize));
    assert_eq!(render(abi::SCENE_HUB, 8, 320, 320, abi::DEPTH_RGB565), Ok(abi::FRAMEBUFFER_LEN));

    assert_eq!(renderer.set_figure(8, 0, 0, 0, 0.0, 0.0, 0.0, 0.0), Err(abi::AbiError::BadSlot));
    assert_eq!(renderer.set_figure(0, 33, 0, 0, 0.0, 0.0, 0.0, 0.0), Err(abi::AbiError::TooLong));
    assert_eq!(renderer.set_figure(0, 3, 17, 0, 0.0, 0.0, 0.0, 0.0), Err(abi::AbiError::TooLong));
    assert_eq!(renderer.set_figure(0, 0, 0, 4, 0.0, 0.0, 0.0, 0.0), Err(abi::AbiError::BadCode));
    renderer.scratch()[..2].copy_from_slice(&[0xc3, 0x28]);
    assert_eq!(renderer.set_figure(0, 2, 0, 0, 0.0, 0.0, 0.0, 0.0), Err(abi::AbiError::BadText));
    assert_eq!(renderer.set_link(99, 0, 0), Err(abi::AbiError::BadCode));
    assert_eq!(renderer.set_link(abi::LINK_PORTAL_OPEN, 64, 65), Err(abi::AbiError::TooLong));
    assert_eq!(renderer.push_history(8, 1.0), Err(abi::AbiError::BadSlot));
    assert_eq!(renderer.set_alert(8, 90.0), Err(abi::AbiError::BadSlot));
    assert_eq!(renderer.set_alert(-1, 90.0), Ok(()));
}

#[test]
fn clearing_the_renderer_forgets_figures_link_and_alert() {
    let h = Histories::new();
    let mut renderer = Renderer::new();
    let mut fresh = vec![0; abi::FRAMEBUFFER_LEN];
    let mut bytes = vec![0; abi::FRAMEBUFFER_LEN];
    for scene in [abi::SCENE_HUB, abi::SCENE_ALERT, abi::SCENE_STATE] {
        renderer.render(scene, 4, 128, 64, abi::DEPTH_BINARY, &mut fresh).unwrap();
        load_hub(&mut renderer, &h);
        renderer.set_alert(0, 60.0).unwrap();
        renderer.set_link(abi::LINK_NO_HOST, 0, 0).unwrap();
        renderer.clear();
        renderer.render(scene, 4, 128, 64, abi::DEPTH_BINARY, &mut bytes).unwrap();
        assert_eq!(bytes, fresh);
    }
}

#[test]
fn a_portal_address_reads_the_same_with_or_without_its_scheme() {
    let portal = |address| View { figures: &[], link: Some(LinkState::PortalOpen { ap: "Sysboy-4F2A", address }), alert: None };
    let bare = render::<BinaryColor>(Scene::State, &portal("192.168.4.1"), OLED);
    assert_eq!(render::<BinaryColor>(Scene::State, &portal("http://192.168.4.1"), OLED), bare);
}

#[test]
fn a_board_awaiting_approval_is_never_drawn_as_one_with_no_host() {
    let state = |link| View { figures: &[], link: Some(link), alert: None };
    let no_host = render::<BinaryColor>(Scene::State, &state(LinkState::NoHost), OLED);
    for device in ["sysboy-4f2a9c01", "", "a-board-id-far-longer-than-any-line-of-the-oled-0123456789"] {
        let awaiting = render::<BinaryColor>(Scene::State, &state(LinkState::AwaitingApproval { device }), OLED);
        assert_ne!(awaiting, no_host, "{device:?}");
    }
    let long = state(LinkState::AwaitingApproval { device: "a-board-id-far-longer-than-any-line-of-the-oled-0123456789" });
    check::<BinaryColor>("state-awaiting-approval-long-id-128x64", Scene::State, &long, OLED);
}
