//! The link's state: an icon, a title and a line or two of what to do, centred on the screen.

use core::fmt::{self, Write};

use embedded_graphics::prelude::*;

use super::Screen;
use crate::format::Line;
use crate::palette::SceneColor;
use crate::state::LinkState;
use crate::typeface::{Align, Face, TEXT_FACES};
use crate::widgets::icon::Icon;

/// The smallest icon worth drawing; a shorter screen shows the text alone.
const MIN_ICON: u32 = 14;

pub(super) fn draw<C: SceneColor, D: DrawTarget<Color = C>>(
    target: &mut D,
    screen: &Screen,
    link: LinkState<'_>,
) -> Result<(), D::Error> {
    let (pad, small) = (screen.pad, screen.small);
    let width = screen.width().saturating_sub(2 * pad);
    let (icon, title, details) = words(link);
    let title_face = Face::with_caps_within(&TEXT_FACES, (small.cap_height() * 3 / 2).max(screen.height() / 12));
    let title = title_face.clip(title, width);

    let detail_count = details.iter().filter(|d| !d.is_empty()).count() as u32;
    let line_gap = small.cap_height() / 2 + 2;
    let block_gap = small.cap_height().max(4);
    let text_height = title_face.cap_height() + detail_count * (small.cap_height() + line_gap) + block_gap - line_gap;
    let room = screen.height().saturating_sub(2 * pad + text_height + block_gap);
    let icon_size = room.min(screen.height() / 3).min(screen.width() / 3);
    let (icon_size, block_height) = if icon_size >= MIN_ICON {
        (icon_size, icon_size + block_gap + text_height)
    } else {
        (0, text_height)
    };

    let center = screen.left() + screen.width() as i32 / 2;
    let mut y = screen.top() + (screen.height() as i32 - block_height as i32) / 2;
    if icon_size > 0 {
        icon.draw(target, Point::new(center - icon_size as i32 / 2, y), icon_size)?;
        y += (icon_size + block_gap) as i32;
    }
    title_face.draw(target, title, center, y, Align::Center, C::FOREGROUND)?;
    y += (title_face.cap_height() + block_gap) as i32;
    for forms in details.iter().filter(|d| !d.is_empty()) {
        small.draw(target, forms.fit(small, width), center, y, Align::Center, C::DIM)?;
        y += (small.cap_height() + line_gap) as i32;
    }
    Ok(())
}

/// Up to two detail lines.
type Details = [Forms; 2];

/// The ways to write one detail line, longest first; none is no line.
#[derive(Default)]
struct Forms {
    lines: [Line; 3],
    count: usize,
}

impl Forms {
    fn push(&mut self, text: fmt::Arguments<'_>) {
        // A name longer than a line is cut here and clipped to the screen below.
        let _ = self.lines[self.count].write_fmt(text);
        self.count += 1;
    }

    fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The first form that fits `width` in `face`, else the last one clipped: these are names and messages,
    /// which read well cut short.
    fn fit(&self, face: Face, width: u32) -> &str {
        let forms = &self.lines[..self.count];
        match forms.iter().find(|form| face.width(form.as_str()) <= width) {
            Some(form) => form.as_str(),
            None => forms.last().map_or("", |last| face.clip(last.as_str(), width)),
        }
    }
}

/// The icon, the title and the detail lines of a link state.
fn words(link: LinkState<'_>) -> (Icon, &'static str, Details) {
    let mut details: Details = Default::default();
    let icon_title = match link {
        LinkState::PortalOpen { ap, address } => {
            details[0].push(format_args!("join {ap}"));
            details[0].push(format_args!("{ap}"));
            // The address is shown as a URL whether or not it came with its scheme.
            let bare = address.strip_prefix("http://").unwrap_or(address);
            details[1].push(format_args!("open http://{bare}"));
            details[1].push(format_args!("http://{bare}"));
            details[1].push(format_args!("{bare}"));
            (Icon::Broadcast, "Wi-Fi setup")
        }
        LinkState::Joining { ssid } => {
            details[0].push(format_args!("{ssid}"));
            (Icon::Wifi, "Joining Wi-Fi")
        }
        LinkState::NoHost => {
            details[0].push(format_args!("looking for the PC..."));
            details[0].push(format_args!("looking for PC"));
            (Icon::Monitor, "No host")
        }
        LinkState::TokenRefused => {
            details[0].push(format_args!("pair again"));
            (Icon::Lock, "Token refused")
        }
        LinkState::NoData => {
            details[0].push(format_args!("signal lost"));
            (Icon::Flatline, "No data")
        }
    };
    (icon_title.0, icon_title.1, details)
}
