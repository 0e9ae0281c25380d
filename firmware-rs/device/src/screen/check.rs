//! Whether a board can show a screens config, and if not, which field says what it cannot: the whole config is
//! checked before any of it is applied, so a refused one changes nothing.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use sysboy_protocol::ScreenConfig;
use sysboy_scenes::state::{Scene, HUB_FIGURES};

use super::ScreenSpec;

/// The most screens a board drives (the status reports at most four).
pub const MAX_SCREENS: usize = 4;
/// The most scenes a screen steps through (the status's scene index is 0..=7).
pub const MAX_SCENES: usize = 8;
/// The most different metrics all configured screens show together, alert limits included: each keeps a
/// history, so this bounds the screens' memory.
pub const MAX_METRICS: usize = 16;

/// The scene that shows the host's stream on a TFT (not a scene of `sysboy-scenes`: the host sends its pixels).
pub const STREAM_SCENE: &str = "stream";

/// Why a screens config was refused; its text names the config field, as the `bad_config` error's reason.
#[derive(Debug, Clone, PartialEq)]
pub enum ScreenConfigError {
    /// `screens[screen].output` names no screen of this board.
    NoScreen {
        /// Which entry.
        screen: usize,
        /// The output it names.
        output: String,
        /// The board's screens, comma-separated, or `none`.
        known: String,
    },
    /// `screens[screen].output` names a screen an earlier entry configures.
    Twice {
        /// Which entry.
        screen: usize,
        /// The output it names.
        output: String,
    },
    /// `screens[screen].width` or `.height` is not the screen's size.
    Size {
        /// Which entry.
        screen: usize,
        /// `width` or `height`.
        field: &'static str,
        /// The screen's size, width and height.
        size: (u16, u16),
        /// The size the layout was made for (the screen's own where the config leaves one out).
        asked: (u16, u16),
    },
    /// `screens[screen].rotation` is a quarter turn, which would stand the screen on its side.
    QuarterTurn {
        /// Which entry.
        screen: usize,
        /// The rotation asked, quarter turns.
        rotation: u8,
        /// The screen's size.
        size: (u16, u16),
    },
    /// `screens[screen].scenes` has no scene, or more than [`MAX_SCENES`].
    SceneCount {
        /// Which entry.
        screen: usize,
        /// How many it has.
        got: usize,
    },
    /// `screens[screen].scenes[scene].scene` is no scene.
    UnknownScene {
        /// Which entry.
        screen: usize,
        /// Which scene.
        scene: usize,
        /// The name given.
        name: String,
    },
    /// `screens[screen].scenes[scene].scene` is `alert` or `state`, which take the screen over by themselves.
    TakesOver {
        /// Which entry.
        screen: usize,
        /// Which scene.
        scene: usize,
        /// The scene named.
        kind: Scene,
    },
    /// `screens[screen].scenes[scene].metrics` has a number of figures the scene cannot show.
    Figures {
        /// Which entry.
        screen: usize,
        /// Which scene.
        scene: usize,
        /// The scene.
        kind: Scene,
        /// How many metrics it names.
        got: usize,
    },
    /// `screens[screen].scenes[scene].scene` is `stream` on a screen that takes no stream: an OLED, or a TFT of a
    /// device whose hello announced no stream encodings.
    NoStream {
        /// Which entry.
        screen: usize,
        /// Which scene.
        scene: usize,
        /// The screen's output id.
        output: String,
        /// The screen's colour depth (1: a monochrome OLED).
        depth: u8,
    },
    /// `screens[screen].scenes[scene].metrics` names figures for the stream scene, which shows none.
    StreamFigures {
        /// Which entry.
        screen: usize,
        /// Which scene.
        scene: usize,
        /// How many metrics it names.
        got: usize,
    },
    /// `screens[screen].alerts[alert].clear_below` is above its `above`, so the alert could never end.
    Hysteresis {
        /// Which entry.
        screen: usize,
        /// Which limit.
        alert: usize,
        /// Where the alert starts, percent.
        above: f64,
        /// Where it would end, percent.
        clear_below: f64,
    },
    /// The screens together show more than [`MAX_METRICS`] different metrics.
    TooManyMetrics {
        /// How many they name.
        got: usize,
    },
}

impl fmt::Display for ScreenConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoScreen { screen, output, known } => write!(f, "screens[{screen}].output: no screen \"{output}\"; this device has {known}"),
            Self::Twice { screen, output } => write!(f, "screens[{screen}].output: screen \"{output}\" is configured twice"),
            Self::Size { screen, field, size, asked } => {
                write!(f, "screens[{screen}].{field}: this screen is {}x{}, not {}x{}", size.0, size.1, asked.0, asked.1)
            }
            Self::QuarterTurn { screen, rotation, size } => write!(
                f,
                "screens[{screen}].rotation: {rotation} quarter turns would stand this {}x{} screen on its side, which its scenes are not laid out for; use 0 or 2",
                size.0, size.1
            ),
            Self::SceneCount { screen, got } => write!(f, "screens[{screen}].scenes: a screen takes 1 to {MAX_SCENES} scenes, got {got}"),
            Self::UnknownScene { screen, scene, name } => {
                write!(f, "screens[{screen}].scenes[{scene}].scene: unknown scene \"{name}\"; a screen shows hub, metric or network (a TFT that takes streams also stream)")
            }
            Self::TakesOver { screen, scene, kind } => write!(
                f,
                "screens[{screen}].scenes[{scene}].scene: \"{}\" takes the screen over by itself; configure hub, metric or network",
                kind.name()
            ),
            Self::Figures { screen, scene, kind, got } => {
                let holds = match kind {
                    Scene::Hub => "the hub holds 1 to 4 figures",
                    Scene::Network => "the network scene shows exactly 2 figures (rx then tx)",
                    _ => "the metric scene shows exactly 1 figure",
                };
                write!(f, "screens[{screen}].scenes[{scene}].metrics: {holds}, got {got}")
            }
            Self::NoStream { screen, scene, output, depth: 1 } => {
                write!(f, "screens[{screen}].scenes[{scene}].scene: \"stream\" needs a colour TFT; \"{output}\" is a monochrome OLED")
            }
            Self::NoStream { screen, scene, output, .. } => {
                write!(f, "screens[{screen}].scenes[{scene}].scene: \"stream\" needs a TFT that takes streams; \"{output}\" takes none (no encodings in the hello)")
            }
            Self::StreamFigures { screen, scene, got } => {
                write!(f, "screens[{screen}].scenes[{scene}].metrics: the stream scene shows no figures, got {got}")
            }
            Self::Hysteresis { screen, alert, above, clear_below } => {
                write!(f, "screens[{screen}].alerts[{alert}].clear_below: must be at most above ({above}), got {clear_below}")
            }
            Self::TooManyMetrics { got } => write!(f, "screens: the screens show at most {MAX_METRICS} different metrics in all, got {got}"),
        }
    }
}

impl core::error::Error for ScreenConfigError {}

/// How many metrics `scene` shows: the hub 1 to [`HUB_FIGURES`], the metric scene one, the network scene two.
fn holds(scene: Scene, count: usize) -> bool {
    match scene {
        Scene::Hub => (1..=HUB_FIGURES).contains(&count),
        Scene::Network => count == 2,
        _ => count == 1,
    }
}

/// Whether scene `scene` of entry `screen`, the stream scene with `figures` metrics, can show on `spec`.
fn stream_scene(spec: &ScreenSpec, screen: usize, scene: usize, figures: usize) -> Result<(), ScreenConfigError> {
    if !spec.stream {
        return Err(ScreenConfigError::NoStream { screen, scene, output: spec.output.clone(), depth: spec.depth });
    }
    if figures != 0 {
        return Err(ScreenConfigError::StreamFigures { screen, scene, got: figures });
    }
    Ok(())
}

/// Checks `configs` against the board's `screens`; the first thing it cannot show is the error.
pub fn check(screens: &[ScreenSpec], configs: &[ScreenConfig]) -> Result<(), ScreenConfigError> {
    let mut metrics: Vec<&str> = Vec::new();
    for (i, config) in configs.iter().enumerate() {
        let Some(spec) = screens.iter().find(|spec| spec.output == config.output) else {
            let known: Vec<&str> = screens.iter().map(|spec| spec.output.as_str()).collect();
            let known = if known.is_empty() { String::from("none") } else { known.join(", ") };
            return Err(ScreenConfigError::NoScreen { screen: i, output: config.output.clone(), known });
        };
        if configs[..i].iter().any(|earlier| earlier.output == config.output) {
            return Err(ScreenConfigError::Twice { screen: i, output: config.output.clone() });
        }
        let size = (spec.width, spec.height);
        let asked = (config.width.unwrap_or(spec.width), config.height.unwrap_or(spec.height));
        if asked != size {
            let field = if asked.0 != size.0 { "width" } else { "height" };
            return Err(ScreenConfigError::Size { screen: i, field, size, asked });
        }
        if let Some(rotation @ (1 | 3)) = config.rotation {
            return Err(ScreenConfigError::QuarterTurn { screen: i, rotation, size });
        }
        if config.scenes.is_empty() || config.scenes.len() > MAX_SCENES {
            return Err(ScreenConfigError::SceneCount { screen: i, got: config.scenes.len() });
        }
        for (j, scene) in config.scenes.iter().enumerate() {
            if scene.scene == STREAM_SCENE {
                stream_scene(spec, i, j, scene.metrics.len())?;
                continue;
            }
            let kind = Scene::from_name(&scene.scene)
                .ok_or_else(|| ScreenConfigError::UnknownScene { screen: i, scene: j, name: scene.scene.clone() })?;
            if matches!(kind, Scene::Alert | Scene::State) {
                return Err(ScreenConfigError::TakesOver { screen: i, scene: j, kind });
            }
            if !holds(kind, scene.metrics.len()) {
                return Err(ScreenConfigError::Figures { screen: i, scene: j, kind, got: scene.metrics.len() });
            }
            metrics.extend(scene.metrics.iter().map(String::as_str));
        }
        for (k, limit) in config.alerts.iter().flatten().enumerate() {
            if limit.clear_below > limit.above {
                return Err(ScreenConfigError::Hysteresis { screen: i, alert: k, above: limit.above, clear_below: limit.clear_below });
            }
            metrics.push(&limit.metric);
        }
    }
    metrics.sort_unstable();
    metrics.dedup();
    if metrics.len() > MAX_METRICS {
        return Err(ScreenConfigError::TooManyMetrics { got: metrics.len() });
    }
    Ok(())
}
