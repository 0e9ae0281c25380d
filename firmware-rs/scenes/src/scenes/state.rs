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

    let line_gap = small.cap_height() / 2 + 2;
    let block_gap = small.cap_height().max(4);
    let height_of = |lines: usize| title_face.cap_height() + lines as u32 * (small.cap_height() + line_gap) + block_gap - line_gap;
    let mut lines: [Option<&Forms>; 2] = [0, 1].map(|i| Some(&details[i]).filter(|d| !d.is_empty()));
    // A screen too short for every line within its margins leaves the optional ones out, the last first.
    for i in (0..lines.len()).rev() {
        let count = lines.iter().flatten().count();
        if height_of(count) + 2 * pad > screen.height() && lines[i].is_some_and(|line| line.optional) {
            lines[i] = None;
        }
    }
    let text_height = height_of(lines.iter().flatten().count());
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
    for forms in lines.iter().flatten() {
        small.draw(target, forms.fit(small, width).as_str(), center, y, Align::Center, C::DIM)?;
        y += (small.cap_height() + line_gap) as i32;
    }
    Ok(())
}

/// Up to two detail lines.
type Details = [Forms; 2];

/// What marks a line whose start was left out.
const CUT: &str = "..";

/// The ways to write one detail line, longest first; none is no line.
#[derive(Default)]
struct Forms {
    lines: [Line; 3],
    count: usize,
    /// When no form fits, the end of the line to show after [`CUT`] instead of clipping the last form: a board
    /// id's end is what tells boards apart (`sysboy-` and then its MAC).
    end: Option<Line>,
    /// A line the state reads well without, left out on a screen too short for it.
    optional: bool,
}

impl Forms {
    fn push(&mut self, text: fmt::Arguments<'_>) {
        // A name longer than a line is cut here and clipped to the screen below.
        let _ = self.lines[self.count].write_fmt(text);
        self.count += 1;
    }

    /// Adds a form only if the line holds it whole: one with an id cut short would pass for the whole id.
    fn push_whole(&mut self, text: fmt::Arguments<'_>) {
        let line = &mut self.lines[self.count];
        if line.write_fmt(text).is_ok() {
            self.count += 1;
        } else {
            *line = Line::new();
        }
    }

    /// Shows the end of `text` after [`CUT`] when none of the forms fits.
    fn keep_end_of(&mut self, text: &str) {
        // The longest end that the line holds whole beside the cut mark.
        self.end = text.char_indices().map(|(at, _)| &text[at..]).find_map(|end| {
            let mut line = Line::truncated(CUT);
            line.push_str(end).ok().map(|()| Line::truncated(end))
        });
    }

    fn is_empty(&self) -> bool {
        self.count == 0 && self.end.is_none()
    }

    /// The first form that fits `width` in `face`; else the end kept, after [`CUT`], or the last form clipped:
    /// these are names and messages, which read well cut short.
    fn fit(&self, face: Face, width: u32) -> Line {
        let forms = &self.lines[..self.count];
        if let Some(form) = forms.iter().find(|form| face.width(form.as_str()) <= width) {
            return form.clone();
        }
        match &self.end {
            Some(end) => {
                let end = end.as_str();
                let total = end.chars().count();
                let cut = CUT.chars().count();
                let keep = (0..=total).rev().find(|&keep| face.width_of_chars((keep + cut) as u32) <= width);
                let mut line = Line::truncated(CUT);
                match keep {
                    Some(keep) => {
                        let _ = line.push_str(end.char_indices().nth(total - keep).map_or("", |(at, _)| &end[at..]));
                        line
                    }
                    // Not even the cut mark fits: as much of it as does.
                    None => Line::truncated(face.clip(CUT, width)),
                }
            }
            None => Line::truncated(forms.last().map_or("", |last| face.clip(last.as_str(), width))),
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
        LinkState::AwaitingApproval { device: "" } => {
            details[0].push(format_args!("run sysboy pair"));
            details[0].push(format_args!("sysboy pair"));
            details[1].push(format_args!("or in the dashboard"));
            details[1].push(format_args!("or the dashboard"));
            details[1].optional = true;
            (Icon::Monitor, "Approve on PC")
        }
        LinkState::AwaitingApproval { device } => {
            // The id as `sysboy pair` takes it, whole or not at all; on a narrow screen its end.
            details[0].push_whole(format_args!("sysboy pair {device}"));
            details[0].push_whole(format_args!("pair {device}"));
            details[0].push_whole(format_args!("{device}"));
            details[0].keep_end_of(device);
            details[1].push(format_args!("or in the dashboard"));
            details[1].push(format_args!("or the dashboard"));
            details[1].optional = true;
            (Icon::Monitor, "Approve on PC")
        }
        LinkState::NoData => {
            details[0].push(format_args!("signal lost"));
            (Icon::Flatline, "No data")
        }
    };
    (icon_title.0, icon_title.1, details)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift64*), so the property needs no crate and never flakes.
    struct Sequence(u64);

    impl Sequence {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    /// An id of up to 64 characters (the hello's limit), now and then with a character of two bytes.
    fn device(sequence: &mut Sequence, text: &mut String) {
        const CHARACTERS: [char; 8] = ['s', 'y', '-', '0', '9', 'f', '_', 'é'];
        text.clear();
        for _ in 0..sequence.next() % 65 {
            text.push(CHARACTERS[(sequence.next() % 8) as usize]);
        }
    }

    #[test]
    fn no_fitted_line_of_any_state_is_wider_than_its_space() {
        let mut sequence = Sequence(0x5eed);
        let mut id = String::new();
        for _ in 0..20_000 {
            device(&mut sequence, &mut id);
            let link = match sequence.next() % 4 {
                0 => LinkState::PortalOpen { ap: &id, address: "192.168.4.1" },
                1 => LinkState::Joining { ssid: &id },
                _ => LinkState::AwaitingApproval { device: &id },
            };
            let face = TEXT_FACES[(sequence.next() % TEXT_FACES.len() as u64) as usize];
            let width = (sequence.next() % 330) as u32;
            let (_, _, details) = words(link);
            for forms in details.iter().filter(|d| !d.is_empty()) {
                let line = forms.fit(face, width);
                assert!(face.width(line.as_str()) <= width, "{link:?} as {:?} is wider than {width} px", line.as_str());
            }
        }
    }

    #[test]
    fn the_board_id_is_shown_whole_or_by_its_end_never_cut_short() {
        let mut sequence = Sequence(0xa55);
        let mut id = String::new();
        for _ in 0..20_000 {
            device(&mut sequence, &mut id);
            if id.is_empty() {
                continue;
            }
            let face = TEXT_FACES[(sequence.next() % TEXT_FACES.len() as u64) as usize];
            let width = (sequence.next() % 330) as u32;
            let (_, _, details) = words(LinkState::AwaitingApproval { device: &id });
            let line = details[0].fit(face, width);
            let line = line.as_str();
            let whole = line.ends_with(&format!(" {id}")) || line == id;
            let end = line.strip_prefix(CUT).is_some_and(|end| id.ends_with(end));
            assert!(whole || end || CUT.starts_with(line), "{id:?} at {width} px shows {line:?}");
        }
    }

    #[test]
    fn a_board_id_names_the_command_when_it_fits_and_its_end_when_nothing_does() {
        let small = TEXT_FACES[6];
        let fit = |device: &str, width: u32| {
            let (_, title, details) = words(LinkState::AwaitingApproval { device });
            (title, String::from(details[0].fit(small, width).as_str()))
        };
        assert_eq!(fit("sysboy-4f2a9c01", 200), ("Approve on PC", String::from("sysboy pair sysboy-4f2a9c01")));
        assert_eq!(fit("sysboy-4f2a9c01", 124), ("Approve on PC", String::from("pair sysboy-4f2a9c01")));
        assert_eq!(fit("sysboy-4f2a9c01", 75).1, "sysboy-4f2a9c01");
        assert_eq!(fit("sysboy-4f2a9c01", 50).1, "..4f2a9c01", "ten characters of 5 px");
        assert_eq!(fit("", 124).1, "run sysboy pair");
    }
}
