//! One metric: its label, its value big with its unit beside it, and below them a rolling graph of its history
//! as wide as the screen.

use core::fmt::Write;

use embedded_graphics::{prelude::*, primitives::Rectangle};

use super::Screen;
use crate::format::{self, Line};
use crate::palette::SceneColor;
use crate::state::{Amount, Figure, Reading};
use crate::typeface::Align;
use crate::widgets::big_number::BigNumber;
use crate::widgets::graph::{self, Growth};

pub(super) fn draw<C: SceneColor, D: DrawTarget<Color = C>>(
    target: &mut D,
    screen: &Screen,
    figure: &Figure<'_>,
) -> Result<(), D::Error> {
    let (pad, small) = (screen.pad as i32, screen.small);
    let (left, right) = (screen.left() + pad, screen.right() - pad);
    let width = (right - left).max(0) as u32;
    let label_top = screen.top() + pad;

    let graph_height = (screen.height() * 3 / 8).max(8);
    let graph_top = screen.bottom() - graph_height as i32;
    let graph_area = Rectangle::new(Point::new(screen.left(), graph_top), Size::new(screen.width(), graph_height));
    graph::draw(target, graph_area, figure.history, 100, Growth::Up)?;

    let detail = small.fit(detail(&figure.reading), width / 2);
    let detail_left = small.draw(target, detail.as_str(), right, label_top, Align::Right, C::DIM)?
        - small.width(detail.as_str()) as i32;
    let label_room = (detail_left - left).max(0) as u32;
    let label = small.clip(format::label(figure.metric), label_room.saturating_sub(small.width(" ")));
    small.draw(target, label, left, label_top, Align::Left, C::DIM)?;

    // The number fills the room between the label and the graph, centred in it.
    let gap = pad + 2;
    let room_top = label_top + small.cap_height() as i32 + gap;
    let room = (graph_top - gap - room_top).max(0) as u32;
    let number = BigNumber::fit(&format::quantity(&figure.reading), room, width);
    let color = match figure.reading {
        Reading::Live { .. } => C::FOREGROUND,
        Reading::Missing(_) => C::DIM,
    };
    number.draw(target, left, room_top + room.saturating_sub(number.height()) as i32 / 2, color)
}

/// What the top right says beside the label, longest first: for memory with a known capacity, the share and
/// the capacity; otherwise nothing.
fn detail(reading: &Reading<'_>) -> [Line; 3] {
    let mut forms: [Line; 3] = Default::default();
    if let Reading::Live { percent, amount: Amount::Bytes { total: Some(total), .. } } = *reading {
        let (share, total) = (format::percent(percent), format::bytes(total));
        let _ = write!(forms[0], "{share} of {total}");
        let _ = write!(forms[1], "of {total}");
        let _ = forms[2].push_str(share.as_str());
    }
    forms
}
