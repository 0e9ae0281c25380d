//! The scenes: each clears the whole target and draws one screen from a [`View`], laid out from the target's
//! bounding box (128×64 and 128×32 OLEDs, 240×240, 320×240 and 240×320 TFTs, and sizes between).
//!
//! Scenes are pure: no allocation, no clock, no globals; the same view gives the same pixels.

mod alert;
mod hub;
mod metric;
mod network;
mod state;

use embedded_graphics::{prelude::*, primitives::Rectangle};

use crate::palette::SceneColor;
use crate::state::{LinkState, Scene, View};
use crate::typeface::{Face, TEXT_FACES};

/// Clears `target` and draws `scene` from `view`.
///
/// A scene lays out the figures there are: the hub draws up to [`crate::state::HUB_FIGURES`], the metric scene
/// the first, the network scene the first two (receive, then transmit). A scene with no figure to draw shows
/// the [`LinkState::NoData`] state, the alert scene with no alert shows the hub, and the state scene with a live
/// link (`view.link` is `None`) shows [`LinkState::NoData`] as well.
pub fn draw<C: SceneColor, D: DrawTarget<Color = C>>(
    scene: Scene,
    view: &View<'_>,
    target: &mut D,
) -> Result<(), D::Error> {
    target.clear(C::BACKGROUND)?;
    let screen = Screen::new(target.bounding_box());
    let no_data = LinkState::NoData;
    match (scene, view.alert, view.figures) {
        (Scene::State, _, _) => state::draw(target, &screen, view.link.unwrap_or(no_data)),
        (Scene::Alert, Some(alert), _) => alert::draw(target, &screen, &alert),
        (_, _, []) => state::draw(target, &screen, no_data),
        (Scene::Hub | Scene::Alert, _, figures) => hub::draw(target, &screen, figures),
        (Scene::Metric, _, [figure, ..]) => metric::draw(target, &screen, figure),
        (Scene::Network, _, [rx]) => network::draw(target, &screen, rx, None),
        (Scene::Network, _, [rx, tx, ..]) => network::draw(target, &screen, rx, Some(tx)),
    }
}

/// The screen's area and the sizes that follow from it.
struct Screen {
    /// The whole drawing area.
    area: Rectangle,
    /// The margin around and between blocks.
    pad: u32,
    /// The face of labels, units and small print.
    small: Face,
}

impl Screen {
    fn new(area: Rectangle) -> Self {
        let large = area.size.width.min(area.size.height) >= 160;
        // 12-point labels on a TFT, 7-point on an OLED.
        let small = if large { TEXT_FACES[3] } else { TEXT_FACES[6] };
        Self { area, pad: if large { 8 } else { 2 }, small }
    }

    fn left(&self) -> i32 {
        self.area.top_left.x
    }

    fn top(&self) -> i32 {
        self.area.top_left.y
    }

    fn right(&self) -> i32 {
        self.area.top_left.x + self.area.size.width as i32
    }

    fn bottom(&self) -> i32 {
        self.area.top_left.y + self.area.size.height as i32
    }

    fn width(&self) -> u32 {
        self.area.size.width
    }

    fn height(&self) -> u32 {
        self.area.size.height
    }
}
