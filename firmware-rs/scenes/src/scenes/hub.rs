//! The hub: up to four figures in a grid, each with its label, its value in human units and a bar of its
//! percentage. Two columns for three or four figures on a landscape screen, else one; a last row with fewer
//! figures stretches them across.

use embedded_graphics::{
    prelude::*,
    primitives::{PrimitiveStyle, Rectangle, RoundedRectangle},
};

use super::Screen;
use crate::format::{self, NO_VALUE};
use crate::palette::SceneColor;
use crate::state::{Figure, Reading, HUB_FIGURES};
use crate::typeface::{Align, Face, TEXT_FACES};
use crate::widgets::bar;

/// The characters a value's face must hold across a cell (`5.2 GiB`, `12.4MB/s`).
const VALUE_CHARS: u32 = 7;

pub(super) fn draw<C: SceneColor, D: DrawTarget<Color = C>>(
    target: &mut D,
    screen: &Screen,
    figures: &[Figure<'_>],
) -> Result<(), D::Error> {
    let figures = &figures[..figures.len().min(HUB_FIGURES)];
    let count = figures.len() as u32;
    let columns = if count >= 3 && screen.width() >= screen.height() { 2 } else { 1 };
    let rows = count.div_ceil(columns);
    let cells = (0..count).map(|index| {
        let (row, column) = (index / columns, index % columns);
        let in_row = columns.min(count - row * columns);
        span(screen.area, column, in_row, row, rows)
    });
    // One value face for every cell, so the figures read as a set.
    let layout = cells.clone().next().map(|first| Layout::new(screen, first.size));
    for (figure, cell) in figures.iter().zip(cells) {
        if let Some(layout) = &layout {
            draw_cell(target, screen, layout, figure, cell)?;
        }
    }
    Ok(())
}

/// The cell at `column` of `columns` and `row` of `rows` in `area`, edges rounded so cells tile it exactly.
fn span(area: Rectangle, column: u32, columns: u32, row: u32, rows: u32) -> Rectangle {
    let x = |c: u32| area.top_left.x + (c * area.size.width / columns) as i32;
    let y = |r: u32| area.top_left.y + (r * area.size.height / rows) as i32;
    Rectangle::with_corners(Point::new(x(column), y(row)), Point::new(x(column + 1) - 1, y(row + 1) - 1))
}

/// Where the parts of a cell go, from the first cell's size, centred in it: the label on top, the value below
/// it, the bar at the bottom; or, in a cell too short for that, the label and the value on one line above the bar.
struct Layout {
    /// The value's face.
    value: Face,
    /// From the cell's top to the label's capitals, to the value's, and to the bar.
    label_top: u32,
    value_top: u32,
    bar_top: u32,
    /// The bar's height.
    bar_height: u32,
    /// Whether the label and the value share one line.
    one_line: bool,
}

impl Layout {
    fn new(screen: &Screen, cell: Size) -> Self {
        let (pad, small) = (screen.pad, screen.small);
        let inset = inset(pad);
        let bar_height = (cell.height / 8).clamp(3, 10);
        let gap = pad + 1;
        let width = cell.width.saturating_sub(2 * inset);
        // The largest value face that fits the cell's height stacked under the label and holds enough characters.
        let stacked = TEXT_FACES.iter().copied().find_map(|value| {
            // Room under the value for descenders such as the `/` of `5.2/8.0G`.
            let below_value = gap.max(value.descent() + 1);
            let height = small.cap_height() + gap + value.cap_height() + below_value + bar_height;
            let fits = height + 2 * inset <= cell.height && value.width_of_chars(VALUE_CHARS) <= width;
            fits.then_some((value, height, below_value))
        });
        match stacked {
            Some((value, height, below_value)) => {
                let label_top = (cell.height - height) / 2;
                let value_top = label_top + small.cap_height() + gap;
                let bar_top = value_top + value.cap_height() + below_value;
                Self { value, label_top, value_top, bar_top, bar_height, one_line: false }
            }
            None => {
                let below_line = gap.max(small.descent() + 1);
                let top = cell.height.saturating_sub(small.cap_height() + below_line + bar_height) / 2;
                let bar_top = top + small.cap_height() + below_line;
                Self { value: small, label_top: top, value_top: top, bar_top, bar_height, one_line: true }
            }
        }
    }
}

fn draw_cell<C: SceneColor, D: DrawTarget<Color = C>>(
    target: &mut D,
    screen: &Screen,
    layout: &Layout,
    figure: &Figure<'_>,
    cell: Rectangle,
) -> Result<(), D::Error> {
    let (pad, small, value) = (screen.pad as i32, screen.small, layout.value);
    let inset = inset(screen.pad) as i32;
    let left = cell.top_left.x + inset;
    let right = cell.top_left.x + cell.size.width as i32 - inset;
    let width = (right - left).max(0) as u32;
    let top = cell.top_left.y;
    let label = format::label(figure.metric);
    let panel = cell.offset(-(pad / 2));
    RoundedRectangle::with_equal_corners(panel, Size::new_equal(pad as u32))
        .into_styled(PrimitiveStyle::with_fill(C::PANEL))
        .draw(target)?;

    let percent = match figure.reading {
        Reading::Live { percent, .. } => Some(percent),
        Reading::Missing(_) => None,
    };
    if layout.one_line {
        // The label keeps up to two thirds of the line, and the value takes the longest form that fits the rest.
        let label = small.clip(label, width * 2 / 3);
        let room = width.saturating_sub(small.width(label) + small.width(" "));
        let text = value.fit(format::forms(&figure.reading), room);
        small.draw(target, label, left, top + layout.label_top as i32, Align::Left, C::DIM)?;
        value.draw(target, text.as_str(), right, top + layout.value_top as i32, Align::Right, value_color::<C>(percent))?;
    } else {
        small.draw(target, small.clip(label, width), left, top + layout.label_top as i32, Align::Left, C::DIM)?;
        let value_top = top + layout.value_top as i32;
        match figure.reading {
            Reading::Missing(missing) => {
                let end = value.draw(target, NO_VALUE, left, value_top, Align::Left, C::DIM)?;
                // The reason sits on the dashes' baseline, in the label's face.
                let reason_top = value_top + (value.cap_height() - small.cap_height()) as i32;
                let room = (right - end).max(0) as u32;
                let reason = small.clip(format::missing_word(missing), room.saturating_sub(small.width(" ")));
                small.draw(target, reason, end + small.width(" ") as i32, reason_top, Align::Left, C::DIM)?;
            }
            Reading::Live { .. } => {
                let text = value.fit(format::forms(&figure.reading), width);
                value.draw(target, text.as_str(), left, value_top, Align::Left, value_color::<C>(percent))?;
            }
        }
    }
    let bar = Rectangle::new(Point::new(left, top + layout.bar_top as i32), Size::new(width, layout.bar_height));
    bar::draw(target, bar, percent)
}

/// From a cell's edge to its text and bar: a panel is drawn half a margin inside the cell, and its content a
/// margin inside the panel.
fn inset(pad: u32) -> u32 {
    pad + pad / 2
}

/// Values in the foreground; a value with no reading is dimmed.
fn value_color<C: SceneColor>(percent: Option<f32>) -> C {
    if percent.is_some() { C::FOREGROUND } else { C::DIM }
}
