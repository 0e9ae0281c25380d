//! A horizontal bar of a percentage: an outline, and inside it a fill as long as the share.

use embedded_graphics::{
    prelude::*,
    primitives::{PrimitiveStyle, Rectangle},
};

use crate::palette::SceneColor;

/// Draws a bar of `percent` (clamped to 0..=100; `None` leaves it empty) filling `area`.
pub(crate) fn draw<C: SceneColor, D: DrawTarget<Color = C>>(
    target: &mut D,
    area: Rectangle,
    percent: Option<f32>,
) -> Result<(), D::Error> {
    area.into_styled(PrimitiveStyle::with_stroke(C::DIM, 1)).draw(target)?;
    // A tall bar leaves a one-pixel gap between its outline and its fill.
    let inset = if area.size.height >= 7 { 2 } else { 1 };
    let inner = area.offset(-inset);
    let share = match percent {
        Some(p) if p.is_finite() => p.clamp(0.0, 100.0) / 100.0,
        _ => return Ok(()),
    };
    let filled = (inner.size.width as f32 * share + 0.5) as u32;
    target.fill_solid(&Rectangle::new(inner.top_left, Size::new(filled, inner.size.height)), C::ACCENT)
}
