//! A rolling graph of a [`History`]: one column per sample with the newest at the right edge, a line on top of
//! a shaded area, and nothing where a sample is a gap.

use embedded_graphics::{prelude::*, primitives::Rectangle};

use crate::palette::SceneColor;
use crate::state::{History, HISTORY_LEN};

/// Which way the columns grow from the graph's base.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Growth {
    /// From the bottom edge up.
    Up,
    /// From the top edge down (the lower half of a mirrored pair).
    Down,
}

/// Draws `history` into `area`, a sample of `full_scale` percent (at least 1) reaching the far edge.
///
/// A screen at least [`HISTORY_LEN`] pixels wide spreads the samples over its whole width; a narrower one
/// shows the newest sample of each column.
pub(crate) fn draw<C: SceneColor, D: DrawTarget<Color = C>>(
    target: &mut D,
    area: Rectangle,
    history: &History,
    full_scale: u8,
    growth: Growth,
) -> Result<(), D::Error> {
    let (width, height) = (area.size.width as usize, area.size.height);
    if width == 0 || height == 0 {
        return Ok(());
    }
    draw_base(target, area, growth)?;
    let slots = width.min(HISTORY_LEN);
    let full_scale = u32::from(full_scale.max(1));
    // The newest sample takes the last slot, and older ones go leftwards until the history or the slots run out.
    for (slot, sample) in (0..slots).rev().zip(history.iter().rev()) {
        let Some(percent) = sample else { continue };
        let rows = (u32::from(percent) * height + full_scale / 2) / full_scale;
        // A sample above zero always shows, however small against the scale.
        let rows = rows.clamp(u32::from(percent > 0), height);
        if rows == 0 {
            continue;
        }
        let left = (slot * width / slots) as i32;
        let right = ((slot + 1) * width / slots) as i32;
        let columns = Rectangle::new(
            Point::new(area.top_left.x + left, area.top_left.y),
            Size::new((right - left) as u32, height),
        );
        draw_column(target, columns, rows, growth)?;
    }
    Ok(())
}

/// The edge the columns grow from, dotted so a run of zeros and gaps still shows where the graph is.
fn draw_base<C: SceneColor, D: DrawTarget<Color = C>>(
    target: &mut D,
    area: Rectangle,
    growth: Growth,
) -> Result<(), D::Error> {
    let y = match growth {
        Growth::Up => area.top_left.y + area.size.height as i32 - 1,
        Growth::Down => area.top_left.y,
    };
    let dots = (0..area.size.width as i32).step_by(2).map(|x| Pixel(Point::new(area.top_left.x + x, y), C::DIM));
    target.draw_iter(dots)
}

/// One sample's columns (`area` spans the graph's height): `rows` rows from the base, the far one in the accent.
fn draw_column<C: SceneColor, D: DrawTarget<Color = C>>(
    target: &mut D,
    area: Rectangle,
    rows: u32,
    growth: Growth,
) -> Result<(), D::Error> {
    let height = area.size.height;
    let (line_y, shade_y) = match growth {
        Growth::Up => (height - rows, height - rows + 1),
        Growth::Down => (rows - 1, 0),
    };
    let top_left = area.top_left;
    target.fill_solid(&Rectangle::new(top_left + Point::new(0, line_y as i32), Size::new(area.size.width, 1)), C::ACCENT)?;
    let shade = Rectangle::new(top_left + Point::new(0, shade_y as i32), Size::new(area.size.width, rows - 1));
    if C::DITHER {
        target.draw_iter(shade.points().filter(|p| (p.x + p.y).rem_euclid(2) == 0).map(|p| Pixel(p, C::SHADE)))
    } else {
        target.fill_solid(&shade, C::SHADE)
    }
}
