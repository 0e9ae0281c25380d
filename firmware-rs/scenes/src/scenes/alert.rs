//! An alert: a band saying `ALERT` and the metric, the figure's value as big as the screen allows, and the limit
//! it passed. It takes the whole screen and does not blink (scenes have no clock; the board's LED blinks).

use core::fmt::Write;

use embedded_graphics::{prelude::*, primitives::Rectangle};

use super::Screen;
use crate::format::{self, Line};
use crate::palette::SceneColor;
use crate::state::{Alert, Amount, Reading};
use crate::typeface::Align;
use crate::widgets::big_number::BigNumber;

pub(super) fn draw<C: SceneColor, D: DrawTarget<Color = C>>(
    target: &mut D,
    screen: &Screen,
    alert: &Alert<'_>,
) -> Result<(), D::Error> {
    let (pad, small) = (screen.pad as i32, screen.small);
    let (left, right) = (screen.left() + pad, screen.right() - pad);
    let width = (right - left).max(0) as u32;
    let center = screen.left() + screen.width() as i32 / 2;

    let band_height = small.cap_height() as i32 + 2 * pad + 2;
    let band = Rectangle::new(screen.area.top_left, Size::new(screen.width(), band_height as u32));
    target.fill_solid(&band, C::WARNING)?;
    let band_text_top = screen.top() + pad + 1;
    let end = small.draw(target, "ALERT", left, band_text_top, Align::Left, C::BACKGROUND)?;
    let label_room = (right - end).max(0) as u32;
    let label = small.clip(format::label(alert.figure.metric), label_room.saturating_sub(small.width("  ")));
    small.draw(target, label, right, band_text_top, Align::Right, C::BACKGROUND)?;

    let limit = small.fit(limit_forms(alert), width);
    let limit_top = screen.bottom() - pad - small.cap_height() as i32;
    small.draw(target, limit.as_str(), center, limit_top, Align::Center, C::FOREGROUND)?;

    // The value, centred between the band and the limit.
    let room_top = screen.top() + band_height + 2 * pad;
    let room = (limit_top - 2 * pad - room_top).max(0) as u32;
    let number = BigNumber::fit(&format::quantity(&alert.figure.reading), room, width);
    let color = match alert.figure.reading {
        Reading::Live { .. } => C::WARNING,
        Reading::Missing(_) => C::DIM,
    };
    let top = room_top + room.saturating_sub(number.height()) as i32 / 2;
    number.draw(target, center - number.width() as i32 / 2, top, color)
}

/// The limit line, longest first: `94% · limit > 90%` (the share, when the value is in another unit), then
/// `limit > 90%`, then `> 90%`.
fn limit_forms(alert: &Alert<'_>) -> [Line; 3] {
    let limit = format::percent(alert.limit);
    let mut forms: [Line; 3] = Default::default();
    let _ = write!(forms[1], "limit > {limit}");
    let _ = write!(forms[2], "> {limit}");
    forms[0] = match alert.figure.reading {
        Reading::Live { percent, amount } if amount != Amount::Percent => {
            let mut line = Line::new();
            let _ = write!(line, "{} \u{b7} limit > {limit}", format::percent(percent));
            line
        }
        _ => forms[1].clone(),
    };
    forms
}
