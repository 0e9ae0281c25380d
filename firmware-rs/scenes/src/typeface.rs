//! The ProFont sizes scenes set text in, with where the ink of capitals and digits sits in each glyph cell, so
//! lines of different sizes line up by what is seen rather than by their cells. Big figures on big screens use
//! the largest sizes magnified by whole pixels.

use embedded_graphics::{
    mono_font::{MonoFont, MonoTextStyle},
    prelude::*,
    primitives::Rectangle,
    text::{Baseline, Text},
};
use profont::{
    PROFONT_10_POINT, PROFONT_12_POINT, PROFONT_14_POINT, PROFONT_18_POINT, PROFONT_24_POINT, PROFONT_7_POINT,
    PROFONT_9_POINT,
};

use crate::format::{self, Line};

/// A font, the rows its capitals and digits cover, and how many screen pixels draw one of its pixels.
#[derive(Clone, Copy)]
pub(crate) struct Face {
    font: &'static MonoFont<'static>,
    /// The first row of a capital's ink in the glyph cell, in font pixels.
    cap_top: u32,
    /// How many rows a capital's ink covers, in font pixels.
    cap_rows: u32,
    /// Screen pixels per font pixel, each way.
    scale: u32,
}

const fn face(font: &'static MonoFont<'static>, cap_top: u32, cap_rows: u32, scale: u32) -> Face {
    Face { font, cap_top, cap_rows, scale }
}

/// The faces for text, largest first.
pub(crate) const TEXT_FACES: [Face; 7] = [
    face(&PROFONT_24_POINT, 5, 19, 1),
    face(&PROFONT_18_POINT, 4, 14, 1),
    face(&PROFONT_14_POINT, 3, 11, 1),
    face(&PROFONT_12_POINT, 3, 9, 1),
    face(&PROFONT_10_POINT, 2, 8, 1),
    face(&PROFONT_9_POINT, 2, 7, 1),
    face(&PROFONT_7_POINT, 2, 6, 1),
];

/// The faces for one big figure, largest first: the text faces and magnified ones beyond them.
pub(crate) const FIGURE_FACES: [Face; 11] = [
    face(&PROFONT_24_POINT, 5, 19, 3),
    face(&PROFONT_18_POINT, 4, 14, 3),
    face(&PROFONT_24_POINT, 5, 19, 2),
    face(&PROFONT_18_POINT, 4, 14, 2),
    TEXT_FACES[0],
    TEXT_FACES[1],
    TEXT_FACES[2],
    TEXT_FACES[3],
    TEXT_FACES[4],
    TEXT_FACES[5],
    TEXT_FACES[6],
];

/// Where a line of text is anchored horizontally.
#[derive(Clone, Copy)]
pub(crate) enum Align {
    /// `x` is the left edge.
    Left,
    /// `x` is the centre.
    Center,
    /// `x` is the right edge (the last pixel column is `x - 1`).
    Right,
}

impl Face {
    /// The largest of `faces` (largest first) whose capitals are at most `rows` tall (the last face when none is).
    pub fn with_caps_within(faces: &[Face], rows: u32) -> Face {
        faces.iter().copied().find(|face| face.cap_height() <= rows).unwrap_or(faces[faces.len() - 1])
    }

    /// The rows a capital covers on screen.
    pub fn cap_height(&self) -> u32 {
        self.cap_rows * self.scale
    }

    /// The rows below the capitals that descenders (`g`, `/`) reach on screen.
    pub fn descent(&self) -> u32 {
        (self.font.character_size.height - self.cap_top - self.cap_rows) * self.scale
    }

    /// The width of `text` on screen.
    pub fn width(&self, text: &str) -> u32 {
        format::text_width(text, self.font) * self.scale
    }

    /// The width of `count` characters on screen.
    pub fn width_of_chars(&self, count: u32) -> u32 {
        let advance = self.font.character_size.width + self.font.character_spacing;
        (count * advance).saturating_sub(self.font.character_spacing) * self.scale
    }

    /// `text` cut to the characters that fit `width`.
    pub fn clip<'t>(&self, text: &'t str, width: u32) -> &'t str {
        format::clip(text, self.font, width / self.scale)
    }

    /// The first of `forms` (longest first) that fits `width`; see [`format::fit`].
    pub fn fit(&self, forms: impl IntoIterator<Item = Line>, width: u32) -> Line {
        format::fit(forms, self.font, width / self.scale)
    }

    /// Draws `text` with its capitals' top at `cap_top` and anchored at `x` by `align`; returns the right edge.
    pub fn draw<D: DrawTarget>(
        &self,
        target: &mut D,
        text: &str,
        x: i32,
        cap_top: i32,
        align: Align,
        color: D::Color,
    ) -> Result<i32, D::Error> {
        let width = self.width(text) as i32;
        let left = match align {
            Align::Left => x,
            Align::Center => x - width / 2,
            Align::Right => x - width,
        };
        let style = MonoTextStyle::new(self.font, color);
        if self.scale == 1 {
            let top = Point::new(left, cap_top - self.cap_top as i32);
            Text::with_baseline(text, top, style, Baseline::Top).draw(target)?;
        } else {
            let origin = Point::new(left, cap_top - (self.cap_top * self.scale) as i32);
            let mut magnified = Magnified { target, origin, scale: self.scale };
            Text::with_baseline(text, Point::zero(), style, Baseline::Top).draw(&mut magnified)?;
        }
        Ok(left + width)
    }
}

/// A view of a target in which each pixel is a `scale`×`scale` square, from `origin`.
struct Magnified<'t, D> {
    target: &'t mut D,
    origin: Point,
    scale: u32,
}

impl<D: DrawTarget> OriginDimensions for Magnified<'_, D> {
    fn size(&self) -> Size {
        self.target.bounding_box().size / self.scale
    }
}

impl<D: DrawTarget> DrawTarget for Magnified<'_, D> {
    type Color = D::Color;
    type Error = D::Error;

    fn draw_iter<I: IntoIterator<Item = Pixel<D::Color>>>(&mut self, pixels: I) -> Result<(), D::Error> {
        let square = Size::new(self.scale, self.scale);
        for Pixel(point, color) in pixels {
            let top_left = self.origin + point * self.scale as i32;
            self.target.fill_solid(&Rectangle::new(top_left, square), color)?;
        }
        Ok(())
    }
}
