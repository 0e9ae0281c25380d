//! A figure's number set big with its unit beside it at about half the size, sharing the number's baseline.

use embedded_graphics::prelude::*;

use crate::format::{Line, Quantity};
use crate::palette::SceneColor;
use crate::typeface::{Align, Face, FIGURE_FACES, TEXT_FACES};

/// A number and its unit, with the faces that fit them into a box.
pub(crate) struct BigNumber<'a> {
    number: Line,
    unit: &'a str,
    number_face: Face,
    unit_face: Face,
}

impl<'a> BigNumber<'a> {
    /// `quantity` in the largest faces whose number is at most `rows` tall and that fit `width` with the unit.
    pub(crate) fn fit(quantity: &Quantity<'a>, rows: u32, width: u32) -> Self {
        let number = quantity.number.as_str();
        let faces = |number_face: Face| (number_face, Face::with_caps_within(&TEXT_FACES, number_face.cap_height() / 2));
        let (number_face, unit_face) = FIGURE_FACES
            .iter()
            .copied()
            .filter(|face| face.cap_height() <= rows)
            .map(faces)
            .find(|&(n, u)| n.width(number) + spacing(n) + u.width(quantity.unit) <= width)
            .unwrap_or_else(|| faces(FIGURE_FACES[FIGURE_FACES.len() - 1]));
        // Even the smallest faces may not fit a narrow box: the number then shows as `#`s (never cut short), and
        // the unit is clipped after it.
        let number = number_face.fit([Line::truncated(number)], width);
        let room = width.saturating_sub(number_face.width(number.as_str()) + spacing(number_face));
        let unit = unit_face.clip(quantity.unit, room);
        Self { number, unit, number_face, unit_face }
    }

    /// The rows the number's capitals cover.
    pub(crate) fn height(&self) -> u32 {
        self.number_face.cap_height()
    }

    /// The width of the number, the space and the unit.
    pub(crate) fn width(&self) -> u32 {
        self.number_face.width(self.number.as_str()) + spacing(self.number_face) + self.unit_face.width(self.unit)
    }

    /// Draws the number from `left` with its capitals' top at `top`, in `color`, and the unit dimmed.
    pub(crate) fn draw<C: SceneColor, D: DrawTarget<Color = C>>(
        &self,
        target: &mut D,
        left: i32,
        top: i32,
        color: C,
    ) -> Result<(), D::Error> {
        let end = self.number_face.draw(target, self.number.as_str(), left, top, Align::Left, color)?;
        let unit_top = top + self.number_face.cap_height() as i32 - self.unit_face.cap_height() as i32;
        let unit_left = end + spacing(self.number_face) as i32;
        self.unit_face.draw(target, self.unit, unit_left, unit_top, Align::Left, C::DIM)?;
        Ok(())
    }
}

/// The space between a number and its unit.
fn spacing(number_face: Face) -> u32 {
    (number_face.cap_height() / 5).max(2)
}
