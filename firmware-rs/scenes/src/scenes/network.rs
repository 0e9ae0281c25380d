//! Network: the receive rate on top, the transmit rate at the bottom, and between them one mirrored graph,
//! receive growing up and transmit down from a shared axis, both on one scale (the larger of the two
//! histories' peaks), so the halves compare.

use embedded_graphics::{prelude::*, primitives::Rectangle};

use super::Screen;
use crate::format;
use crate::palette::SceneColor;
use crate::state::{Figure, History, Reading};
use crate::typeface::{Align, Face, TEXT_FACES};
use crate::widgets::graph::{self, Growth};

pub(super) fn draw<C: SceneColor, D: DrawTarget<Color = C>>(
    target: &mut D,
    screen: &Screen,
    rx: &Figure<'_>,
    tx: Option<&Figure<'_>>,
) -> Result<(), D::Error> {
    let pad = screen.pad as i32;
    // A rate's line takes about a sixth of the screen's height.
    let value = Face::with_caps_within(&TEXT_FACES, (screen.height() / 7).max(screen.small.cap_height()));
    let row = value.cap_height() as i32 + pad;
    let gap = pad + 2;
    let graph_top = screen.top() + row + gap;
    let graph_bottom = match tx {
        Some(_) => screen.bottom() - row - gap,
        None => screen.bottom(),
    };
    draw_rate(target, screen, value, rx, screen.top() + pad)?;
    if let Some(tx) = tx {
        draw_rate(target, screen, value, tx, screen.bottom() - row)?;
    }

    let full_scale = peak(rx.history).max(tx.map_or(0, |tx| peak(tx.history)));
    let graph_height = (graph_bottom - graph_top).max(0) as u32;
    let graph_area = |top: i32, height: u32| Rectangle::new(Point::new(screen.left(), top), Size::new(screen.width(), height));
    match tx {
        Some(tx) => {
            let upper = graph_height / 2;
            graph::draw(target, graph_area(graph_top, upper), rx.history, full_scale, Growth::Up)?;
            let lower = graph_area(graph_top + upper as i32, graph_height - upper);
            graph::draw(target, lower, tx.history, full_scale, Growth::Down)
        }
        None => graph::draw(target, graph_area(graph_top, graph_height), rx.history, full_scale, Growth::Up),
    }
}

/// A rate's line: its label on the left, its value on the right.
fn draw_rate<C: SceneColor, D: DrawTarget<Color = C>>(
    target: &mut D,
    screen: &Screen,
    value: Face,
    figure: &Figure<'_>,
    cap_top: i32,
) -> Result<(), D::Error> {
    let (pad, small) = (screen.pad as i32, screen.small);
    let (left, right) = (screen.left() + pad, screen.right() - pad);
    let width = (right - left).max(0) as u32;
    let label = format::label(figure.metric);
    let label_width = small.width(small.clip(label, width / 3));
    let text = value.fit(format::forms(&figure.reading), width.saturating_sub(label_width + small.width("  ")));
    let color = match figure.reading {
        Reading::Live { .. } => C::FOREGROUND,
        Reading::Missing(_) => C::DIM,
    };
    // The label sits on the value's baseline.
    let label_top = cap_top + (value.cap_height() - small.cap_height()) as i32;
    small.draw(target, small.clip(label, width / 3), left, label_top, Align::Left, C::DIM)?;
    value.draw(target, text.as_str(), right, cap_top, Align::Right, color)?;
    Ok(())
}

/// The largest sample of a history, in percent.
fn peak(history: &History) -> u8 {
    history.iter().flatten().max().unwrap_or(0)
}
