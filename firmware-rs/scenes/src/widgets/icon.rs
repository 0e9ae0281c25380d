//! Line icons for the state scene, drawn from primitives so they scale with the screen.

use embedded_graphics::{
    prelude::*,
    primitives::{Arc, Circle, Line, Polyline, PrimitiveStyle, Rectangle, RoundedRectangle},
};

use crate::palette::SceneColor;

/// What an icon shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Icon {
    /// A mast sending waves both ways: the board's own access point.
    Broadcast,
    /// The Wi-Fi fan: joining a network.
    Wifi,
    /// A monitor with dots on its screen: looking for the PC.
    Monitor,
    /// A padlock: the pairing token was refused.
    Lock,
    /// A pulse running into a flat line: no signal.
    Flatline,
}

impl Icon {
    /// Draws the icon centred in the square of side `size` whose top left is `top_left`.
    pub(crate) fn draw<C: SceneColor, D: DrawTarget<Color = C>>(
        self,
        target: &mut D,
        top_left: Point,
        size: u32,
    ) -> Result<(), D::Error> {
        let stroke = (size / 12).max(1);
        let line = PrimitiveStyle::with_stroke(C::FOREGROUND, stroke);
        let fill = PrimitiveStyle::with_fill(C::FOREGROUND);
        let s = size as i32;
        // Points in 1/12ths of the square, so every icon is drawn on the same grid.
        let at = |x: i32, y: i32| top_left + Point::new(x * (s - 1) / 12, y * (s - 1) / 12);
        let span = |twelfths: u32| twelfths * size / 12;
        match self {
            Icon::Broadcast => {
                let mast = at(6, 5);
                Line::new(mast, at(6, 12)).into_styled(line).draw(target)?;
                Circle::with_center(mast, span(2).max(3)).into_styled(fill).draw(target)?;
                for (diameter, start) in [(span(5), 135.0), (span(10), 135.0), (span(5), -45.0), (span(10), -45.0)] {
                    Arc::with_center(mast, diameter, start.deg(), 90.0.deg()).into_styled(line).draw(target)?;
                }
            }
            Icon::Wifi => {
                let source = at(6, 10);
                for diameter in [span(6), span(12), span(18)] {
                    Arc::with_center(source, diameter, (-135.0).deg(), 90.0.deg()).into_styled(line).draw(target)?;
                }
                Circle::with_center(source, span(2).max(3)).into_styled(fill).draw(target)?;
            }
            Icon::Monitor => {
                let screen = Rectangle::with_corners(at(0, 1), at(12, 9));
                RoundedRectangle::with_equal_corners(screen, Size::new(stroke * 2, stroke * 2))
                    .into_styled(line)
                    .draw(target)?;
                Line::new(at(6, 9), at(6, 11)).into_styled(line).draw(target)?;
                Line::new(at(3, 11), at(9, 11)).into_styled(line).draw(target)?;
                for x in [4, 6, 8] {
                    Circle::with_center(at(x, 5), (stroke * 2).max(2)).into_styled(fill).draw(target)?;
                }
            }
            Icon::Lock => {
                let body = Rectangle::with_corners(at(2, 6), at(10, 12));
                let shackle_width = span(6);
                Arc::with_center(at(6, 4), shackle_width, (-180.0).deg(), 180.0.deg()).into_styled(line).draw(target)?;
                for x in [3, 9] {
                    Line::new(at(x, 4), at(x, 6)).into_styled(line).draw(target)?;
                }
                RoundedRectangle::with_equal_corners(body, Size::new(stroke, stroke)).into_styled(fill).draw(target)?;
                Circle::with_center(at(6, 9), span(2).max(2))
                    .into_styled(PrimitiveStyle::with_fill(C::BACKGROUND))
                    .draw(target)?;
            }
            Icon::Flatline => {
                let pulse = [at(0, 6), at(3, 6), at(4, 2), at(5, 10), at(6, 6), at(12, 6)];
                Polyline::new(&pulse).into_styled(line).draw(target)?;
            }
        }
        Ok(())
    }
}
