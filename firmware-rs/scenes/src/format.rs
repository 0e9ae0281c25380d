//! Figures as short text in human units, written into fixed buffers (no allocation), and fitted to a width in
//! pixels so that text never runs off the screen.
//!
//! Units:
//! - memory in binary units, as operating systems show RAM and VRAM: `B`, `KiB`, `MiB`, `GiB` ... `EiB`;
//! - rates in decimal SI units, as network tools show them: `B/s`, `KB/s`, `MB/s` ... `EB/s`;
//! - temperatures in whole degrees Celsius (`63°C`; both fonts used here have the `°` glyph);
//! - percentages in whole percent (`42%`).
//!
//! A scaled number keeps at most three integer digits: below 100 it has one decimal (`5.2 GiB`, `12.4 MB/s`),
//! from 100 none (`812 KB/s`), and a number that would round to 1000 moves to the next unit, so 1023 KiB is
//! `1.0 MiB`. Plain bytes and bytes per second are whole. Numbers are written with integer arithmetic, so the
//! board carries no float-formatting code.

use core::fmt::{self, Write};

use embedded_graphics::mono_font::MonoFont;

use crate::state::{Amount, Missing, Reading};

/// Text in a fixed buffer of `N` bytes. Writing past the end keeps the whole characters that fit and fails.
#[derive(Clone, PartialEq, Eq)]
pub struct Text<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

/// A line of text: the longest form of a reading, or a line of a scene.
pub type Line = Text<48>;

impl<const N: usize> Text<N> {
    /// Empty text.
    pub const fn new() -> Self {
        Self { bytes: [0; N], len: 0 }
    }

    /// The text of `s`, cut to the whole characters that fit in `N` bytes.
    pub fn truncated(s: &str) -> Self {
        let mut text = Self::new();
        // A cut is what this constructor promises, so the overflow error is expected here.
        let _ = text.push_str(s);
        text
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Only whole characters of `&str`s are ever copied in, so the bytes are always UTF-8.
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `s`, or as many of its whole characters as fit, and then fails with [`fmt::Error`].
    pub fn push_str(&mut self, s: &str) -> fmt::Result {
        let room = N - self.len;
        let take = if s.len() <= room { s.len() } else { floor_char_boundary(s, room) };
        self.bytes[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        if take == s.len() { Ok(()) } else { Err(fmt::Error) }
    }
}

impl<const N: usize> Default for Text<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Write for Text<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s)
    }
}

impl<const N: usize> fmt::Debug for Text<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<const N: usize> fmt::Display for Text<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The largest index `<= at` that starts a character of `s`.
fn floor_char_boundary(s: &str, at: usize) -> usize {
    (0..=at.min(s.len())).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0)
}

/// The short screen label of a protocol metric name; an unknown name is its own label.
pub fn label(metric: &str) -> &str {
    match metric {
        "vram" => "VRAM",
        "gpu_util" => "GPU",
        "gpu_temp" => "GPU TEMP",
        "cpu" => "CPU",
        "ram" => "RAM",
        "net_rx" => "RX",
        "net_tx" => "TX",
        "disk" => "DISK",
        other => other,
    }
}

/// The short word for why a figure has no value.
pub fn missing_word(missing: Missing) -> &'static str {
    match missing {
        Missing::Unreadable => "n/a",
        Missing::Stale => "stale",
        Missing::NoData => "no data",
    }
}

/// What a scene shows in place of a missing number.
pub const NO_VALUE: &str = "--";

impl<'a> Amount<'a> {
    /// The amount a host metric frame's fields describe. `unit` `B` (or any frame with `used`) is bytes, `B/s` a
    /// rate, `°C` a temperature, `%` or no unit a percentage, and any other unit is shown as it is. A frame whose
    /// unit needs a number it lacks (`raw`, or `used` for bytes) falls back to its percentage; so does a raw
    /// value that is not finite.
    pub fn from_frame(unit: Option<&'a str>, raw: Option<f64>, used: Option<u64>, total: Option<u64>) -> Self {
        let raw = raw.filter(|r| r.is_finite());
        let unit = unit.filter(|u| !u.is_empty());
        if used.is_some() || unit == Some("B") {
            // `as` saturates, so a negative raw byte count is 0 and a huge one is u64::MAX.
            return match used.or(raw.map(|r| r as u64)) {
                Some(used) => Amount::Bytes { used, total },
                None => Amount::Percent,
            };
        }
        match (unit, raw) {
            (None | Some("%"), _) | (_, None) => Amount::Percent,
            (Some("B/s"), Some(raw)) => Amount::Rate(raw),
            (Some("°C"), Some(raw)) => Amount::Celsius(raw as f32),
            (Some(unit), Some(raw)) => Amount::Other { raw: raw as f32, unit },
        }
    }
}

/// A number and its unit, apart, for scenes that set them in different sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity<'a> {
    /// The number (`5.2`, `812`, or [`NO_VALUE`] for a missing reading).
    pub number: Text<12>,
    /// Its unit (`GiB`, `MB/s`, `%`, `°C`, the frame's own unit), or the reason word of a missing reading.
    pub unit: &'a str,
}

/// The number and unit of a reading, as the big figures of the metric and alert scenes show them.
pub fn quantity<'a>(reading: &Reading<'a>) -> Quantity<'a> {
    match *reading {
        Reading::Missing(missing) => Quantity { number: Text::truncated(NO_VALUE), unit: missing_word(missing) },
        Reading::Live { percent, amount } => match amount {
            Amount::Percent => Quantity { number: whole(f64::from(percent)), unit: "%" },
            Amount::Bytes { used, .. } => {
                let scaled = Scaled::bytes(used);
                Quantity { number: scaled.number, unit: BYTE_UNITS[scaled.unit] }
            }
            Amount::Rate(rate) => {
                let scaled = Scaled::rate(rate);
                Quantity { number: scaled.number, unit: RATE_UNITS[scaled.unit] }
            }
            Amount::Celsius(celsius) => Quantity { number: whole(f64::from(celsius)), unit: "°C" },
            Amount::Other { raw, unit } => Quantity { number: compact(f64::from(raw)), unit },
        },
    }
}

/// A percentage in whole percent: `42%` (`?%` when it is not a number).
pub fn percent(percent: f32) -> Text<12> {
    let mut text = whole(f64::from(percent));
    let _ = text.push_str("%");
    text
}

/// A byte count in binary units: `5.2 GiB`.
pub fn bytes(count: u64) -> Text<12> {
    let scaled = Scaled::bytes(count);
    let mut text = scaled.number;
    let _ = write!(text, " {}", BYTE_UNITS[scaled.unit]);
    text
}

/// A rate in decimal SI units: `12.4 MB/s`.
pub fn rate(bytes_per_second: f64) -> Text<16> {
    let scaled = Scaled::rate(bytes_per_second);
    let mut text = Text::truncated(scaled.number.as_str());
    let _ = write!(text, " {}", RATE_UNITS[scaled.unit]);
    text
}

/// The ways to write a reading on one line, longest first; the last is the shortest there is.
///
/// For memory with a capacity: `5.2/8.0 GiB`, `5.2/8.0G`, `5.2 GiB`, `5.2G`, `65%`. For a rate: `12.4 MB/s`,
/// `12.4MB/s`, `12.4M`. A missing reading: `-- stale`, `--`.
pub fn forms<'r>(reading: &'r Reading<'r>) -> impl Iterator<Item = Line> + 'r {
    (0..).map_while(move |index| form(reading, index))
}

/// The `index`th form of [`forms`], or `None` past the last.
fn form(reading: &Reading<'_>, index: usize) -> Option<Line> {
    let mut line = Line::new();
    // Every form fits a `Line` except an `Other` unit longer than the line, which is cut: overflow is expected.
    let _ = match *reading {
        Reading::Missing(missing) => match index {
            0 => write!(line, "{NO_VALUE} {}", missing_word(missing)),
            1 => line.push_str(NO_VALUE),
            _ => return None,
        },
        Reading::Live { percent: p, amount } => match amount {
            Amount::Percent => match index {
                0 => line.push_str(percent(p).as_str()),
                _ => return None,
            },
            Amount::Bytes { used, total } => {
                let used = Scaled::bytes(used);
                let (u_number, u_unit) = (used.number.as_str(), used.unit);
                match (index, total.map(Scaled::bytes)) {
                    (0, Some(total)) if total.unit == u_unit => {
                        write!(line, "{u_number}/{} {}", total.number, BYTE_UNITS[u_unit])
                    }
                    (0, Some(total)) => {
                        write!(line, "{u_number} {}/{} {}", BYTE_UNITS[u_unit], total.number, BYTE_UNITS[total.unit])
                    }
                    (1, Some(total)) if total.unit == u_unit => {
                        write!(line, "{u_number}/{}{}", total.number, BYTE_LETTERS[u_unit])
                    }
                    (1, Some(total)) => {
                        write!(line, "{u_number}{}/{}{}", BYTE_LETTERS[u_unit], total.number, BYTE_LETTERS[total.unit])
                    }
                    (2, Some(_)) | (0, None) => write!(line, "{u_number} {}", BYTE_UNITS[u_unit]),
                    (3, Some(_)) | (1, None) => write!(line, "{u_number}{}", BYTE_LETTERS[u_unit]),
                    (4, Some(_)) => line.push_str(percent(p).as_str()),
                    _ => return None,
                }
            }
            Amount::Rate(r) => {
                let r = Scaled::rate(r);
                match index {
                    0 => write!(line, "{} {}", r.number, RATE_UNITS[r.unit]),
                    1 => write!(line, "{}{}", r.number, RATE_UNITS[r.unit]),
                    2 => write!(line, "{}{}", r.number, BYTE_LETTERS[r.unit]),
                    _ => return None,
                }
            }
            Amount::Celsius(c) => match index {
                0 => write!(line, "{}°C", whole(f64::from(c))),
                1 => write!(line, "{}°", whole(f64::from(c))),
                _ => return None,
            },
            Amount::Other { raw, unit } => match index {
                0 => write!(line, "{} {unit}", compact(f64::from(raw))),
                1 => line.push_str(compact(f64::from(raw)).as_str()),
                _ => return None,
            },
        },
    };
    Some(line)
}

/// The width in pixels of `text` set in `font`.
pub fn text_width(text: &str, font: &MonoFont<'_>) -> u32 {
    let count = text.chars().count() as u32;
    (count * (font.character_size.width + font.character_spacing)).saturating_sub(font.character_spacing)
}

/// How many characters of `font` fit in `width` pixels.
pub fn chars_within(width: u32, font: &MonoFont<'_>) -> usize {
    let advance = font.character_size.width + font.character_spacing;
    ((width + font.character_spacing) / advance) as usize
}

/// The first of `forms` (longest first) that fits `width` pixels in `font`. When none does, as many `#` as
/// fit: a number cut short would read as a different number.
pub fn fit(forms: impl IntoIterator<Item = Line>, font: &MonoFont<'_>, width: u32) -> Line {
    forms
        .into_iter()
        .find(|form| text_width(form.as_str(), font) <= width)
        .unwrap_or_else(|| {
            let mut hashes = Line::new();
            for _ in 0..chars_within(width, font).min(hashes.bytes.len()) {
                let _ = hashes.push_str("#");
            }
            hashes
        })
}

/// The longest form of `reading` that fits `width` pixels in `font` (see [`forms`] and [`fit`]).
pub fn fit_reading(reading: &Reading<'_>, font: &MonoFont<'_>, width: u32) -> Line {
    fit(forms(reading), font, width)
}

/// `text` cut to the characters that fit `width` pixels in `font`: for names and messages, not numbers.
pub fn clip<'t>(text: &'t str, font: &MonoFont<'_>, width: u32) -> &'t str {
    match text.char_indices().nth(chars_within(width, font)) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// Binary byte units, by power of 1024.
const BYTE_UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
/// Decimal rate units, by power of 1000.
const RATE_UNITS: [&str; 7] = ["B/s", "KB/s", "MB/s", "GB/s", "TB/s", "PB/s", "EB/s"];
/// The one-letter forms of both, for tight spaces.
const BYTE_LETTERS: [&str; 7] = ["B", "K", "M", "G", "T", "P", "E"];
/// Decimal prefixes for numbers in other units, by power of 1000.
const PREFIXES: [&str; 9] = ["", "k", "M", "G", "T", "P", "E", "Z", "Y"];

/// A number scaled to a unit of a table, written with at most three integer digits.
struct Scaled {
    number: Text<12>,
    unit: usize,
}

impl Scaled {
    fn bytes(count: u64) -> Self {
        Self::new(count as f64, 1024.0, BYTE_UNITS.len())
    }

    fn rate(bytes_per_second: f64) -> Self {
        if bytes_per_second.is_nan() {
            return Self { number: Text::truncated("?"), unit: 0 };
        }
        Self::new(bytes_per_second, 1000.0, RATE_UNITS.len())
    }

    /// `value` in the first unit (of `units`, each `base` times the last) where it stays under 1000; unit 0 is
    /// whole, the others have one decimal below 100. Past the last unit it reads `999+`.
    fn new(value: f64, base: f64, units: usize) -> Self {
        let mut magnitude = if value < 0.0 { -value } else { value };
        for unit in 0..units {
            let decimals = if unit > 0 && magnitude < 99.95 { 1 } else { 0 };
            if round(magnitude, decimals) < 1000 * 10u64.pow(decimals) {
                let mut number = Text::new();
                let _ = write_decimal(&mut number, value < 0.0, magnitude, decimals);
                return Self { number, unit };
            }
            magnitude /= base;
        }
        let number = Text::truncated(if value < 0.0 { "-999+" } else { "999+" });
        Self { number, unit: units - 1 }
    }
}

/// `value` rounded to a whole number (`63`, `-5`); `?` when it is not a number, `inf`/`-inf` for infinities, and
/// SI-prefixed past four digits (`12k`).
fn whole(value: f64) -> Text<12> {
    number(value, 0)
}

/// `value` for an arbitrary unit: up to four integer digits, one decimal below 100 when it is not whole
/// (`0.5`, `12.4`, `1234`), and SI-prefixed beyond (`12.3k`, `4.5M`).
fn compact(value: f64) -> Text<12> {
    number(value, 1)
}

fn number(value: f64, max_decimals: u32) -> Text<12> {
    if value.is_nan() {
        return Text::truncated("?");
    }
    if value.is_infinite() {
        return Text::truncated(if value < 0.0 { "-inf" } else { "inf" });
    }
    let magnitude = if value < 0.0 { -value } else { value };
    if round(magnitude, 0) >= 10_000 {
        let scaled = Scaled::new(value, 1000.0, PREFIXES.len());
        let mut text = scaled.number;
        let _ = text.push_str(PREFIXES[scaled.unit]);
        return text;
    }
    let no_decimals = max_decimals == 0 || magnitude >= 99.95 || round(magnitude, 1) % 10 == 0;
    let mut text = Text::new();
    let _ = write_decimal(&mut text, value < 0.0, magnitude, if no_decimals { 0 } else { 1 });
    text
}

/// `magnitude` (not negative) times 10^`decimals` (0 or 1), rounded half up; saturates at `u64::MAX`.
fn round(magnitude: f64, decimals: u32) -> u64 {
    let scale = if decimals == 0 { 1.0 } else { 10.0 };
    (magnitude * scale + 0.5) as u64
}

/// Writes `magnitude` (not negative) with `decimals` (0 or 1) decimal places in integer arithmetic, with a minus
/// sign when `negative` and it does not round to zero.
fn write_decimal(out: &mut impl Write, negative: bool, magnitude: f64, decimals: u32) -> fmt::Result {
    let scaled = round(magnitude, decimals);
    if negative && scaled > 0 {
        out.write_str("-")?;
    }
    if decimals == 0 {
        write!(out, "{scaled}")
    } else {
        write!(out, "{}.{}", scaled / 10, scaled % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use profont::{PROFONT_12_POINT, PROFONT_24_POINT, PROFONT_7_POINT, PROFONT_9_POINT};

    fn live(percent: f32, amount: Amount<'_>) -> Reading<'_> {
        Reading::Live { percent, amount }
    }

    fn all_forms(reading: &Reading<'_>) -> [String; 6] {
        let mut out: [String; 6] = Default::default();
        for (slot, form) in out.iter_mut().zip(forms(reading)) {
            *slot = form.as_str().to_owned();
        }
        out
    }

    #[test]
    fn writes_percent_in_whole_percent() {
        assert_eq!(percent(42.0).as_str(), "42%");
        assert_eq!(percent(42.49).as_str(), "42%");
        assert_eq!(percent(42.5).as_str(), "43%");
        assert_eq!(percent(99.6).as_str(), "100%");
        assert_eq!(percent(0.0).as_str(), "0%");
        assert_eq!(percent(f32::NAN).as_str(), "?%");
        assert_eq!(percent(-0.4).as_str(), "0%");
    }

    #[test]
    fn writes_bytes_in_binary_units_with_one_decimal_below_100() {
        assert_eq!(bytes(0).as_str(), "0 B");
        assert_eq!(bytes(999).as_str(), "999 B");
        assert_eq!(bytes(1000).as_str(), "1.0 KiB");
        assert_eq!(bytes(1536).as_str(), "1.5 KiB");
        assert_eq!(bytes(5_583_457_485).as_str(), "5.2 GiB");
        assert_eq!(bytes(8 << 30).as_str(), "8.0 GiB");
        assert_eq!(bytes(812 << 20).as_str(), "812 MiB");
    }

    #[test]
    fn moves_to_the_next_unit_before_four_digits() {
        assert_eq!(bytes(999 << 10).as_str(), "999 KiB");
        assert_eq!(bytes(1023 << 10).as_str(), "1.0 MiB");
        assert_eq!(bytes(1000 << 10).as_str(), "1.0 MiB");
        assert_eq!(bytes((999 << 10) + 600).as_str(), "1.0 MiB");
        assert_eq!(bytes(99 * 1024 + 973).as_str(), "100 KiB");
        assert_eq!(bytes(99 * 1024 + 962).as_str(), "99.9 KiB");
        assert_eq!(rate(999_499.0).as_str(), "999 KB/s");
        assert_eq!(rate(999_500.0).as_str(), "1.0 MB/s");
        assert_eq!(rate(99_949.0).as_str(), "99.9 KB/s");
        assert_eq!(rate(99_950.0).as_str(), "100 KB/s");
    }

    #[test]
    fn writes_rates_in_decimal_si_units() {
        assert_eq!(rate(0.0).as_str(), "0 B/s");
        assert_eq!(rate(812.4).as_str(), "812 B/s");
        assert_eq!(rate(812_000.0).as_str(), "812 KB/s");
        assert_eq!(rate(12_400_000.0).as_str(), "12.4 MB/s");
        assert_eq!(rate(12_449_999.0).as_str(), "12.4 MB/s");
        assert_eq!(rate(12_450_000.0).as_str(), "12.5 MB/s");
    }

    #[test]
    fn writes_huge_values_without_running_out_of_units() {
        assert_eq!(bytes(u64::MAX).as_str(), "16.0 EiB");
        assert_eq!(rate(1e15).as_str(), "1.0 PB/s");
        assert_eq!(rate(1e30).as_str(), "999+ EB/s");
        assert_eq!(rate(f64::INFINITY).as_str(), "999+ EB/s");
        assert_eq!(rate(f64::NAN).as_str(), "? B/s");
        assert_eq!(rate(-2_500.0).as_str(), "-2.5 KB/s");
        assert_eq!(rate(-0.4).as_str(), "0 B/s");
    }

    #[test]
    fn writes_other_units_compactly() {
        let other = |raw: f32| quantity(&live(0.0, Amount::Other { raw, unit: "req/s" })).number;
        assert_eq!(other(12.0).as_str(), "12");
        assert_eq!(other(12.44).as_str(), "12.4");
        assert_eq!(other(0.5).as_str(), "0.5");
        assert_eq!(other(1234.0).as_str(), "1234");
        assert_eq!(other(123_456.0).as_str(), "123k");
        assert_eq!(other(-4_500_000.0).as_str(), "-4.5M");
        assert_eq!(other(f32::MAX).as_str(), "999+Y");
        assert_eq!(other(f32::NAN).as_str(), "?");
        assert_eq!(other(f32::INFINITY).as_str(), "inf");
        assert_eq!(other(f32::NEG_INFINITY).as_str(), "-inf");
    }

    #[test]
    fn writes_celsius_whole_with_the_degree_sign() {
        let celsius = live(63.0, Amount::Celsius(63.4));
        assert_eq!(all_forms(&celsius)[..2], ["63°C", "63°"]);
        assert_eq!(quantity(&live(0.0, Amount::Celsius(-5.2))), Quantity { number: Text::truncated("-5"), unit: "°C" });
    }

    #[test]
    fn offers_longest_to_shortest_forms() {
        let vram = live(65.0, Amount::Bytes { used: 5_583_457_485, total: Some(8 << 30) });
        assert_eq!(all_forms(&vram), ["5.2/8.0 GiB", "5.2/8.0G", "5.2 GiB", "5.2G", "65%", ""]);
        let mixed = live(10.0, Amount::Bytes { used: 812 << 20, total: Some(8 << 30) });
        assert_eq!(all_forms(&mixed)[..2], ["812 MiB/8.0 GiB", "812M/8.0G"]);
        let disk = live(10.0, Amount::Bytes { used: 812 << 20, total: None });
        assert_eq!(all_forms(&disk), ["812 MiB", "812M", "", "", "", ""]);
        let rx = live(50.0, Amount::Rate(12.4e6));
        assert_eq!(all_forms(&rx)[..4], ["12.4 MB/s", "12.4MB/s", "12.4M", ""]);
        let stale = Reading::Missing(Missing::Stale);
        assert_eq!(all_forms(&stale)[..3], ["-- stale", "--", ""]);
    }

    #[test]
    fn fits_the_longest_form_that_fits() {
        let vram = live(65.0, Amount::Bytes { used: 5_583_457_485, total: Some(8 << 30) });
        // PROFONT_9_POINT: 6 px a character, no spacing.
        assert_eq!(fit_reading(&vram, &PROFONT_9_POINT, 66).as_str(), "5.2/8.0 GiB");
        assert_eq!(fit_reading(&vram, &PROFONT_9_POINT, 65).as_str(), "5.2/8.0G");
        assert_eq!(fit_reading(&vram, &PROFONT_9_POINT, 47).as_str(), "5.2 GiB");
        assert_eq!(fit_reading(&vram, &PROFONT_9_POINT, 24).as_str(), "5.2G");
        assert_eq!(fit_reading(&vram, &PROFONT_9_POINT, 23).as_str(), "65%");
        assert_eq!(fit_reading(&vram, &PROFONT_9_POINT, 17).as_str(), "##");
    }

    #[test]
    fn measures_text_with_character_spacing() {
        // PROFONT_12_POINT: 7 px characters and 1 px between them.
        assert_eq!(text_width("", &PROFONT_12_POINT), 0);
        assert_eq!(text_width("a", &PROFONT_12_POINT), 7);
        assert_eq!(text_width("63°C", &PROFONT_12_POINT), 31);
        assert_eq!(chars_within(31, &PROFONT_12_POINT), 4);
        assert_eq!(chars_within(30, &PROFONT_12_POINT), 3);
        assert_eq!(clip("queue_depth", &PROFONT_12_POINT, 31), "queu");
        assert_eq!(clip("°C", &PROFONT_12_POINT, 7), "°");
    }

    /// A small deterministic generator (xorshift64*), so the property test needs no crate and never flakes.
    struct Sequence(u64);

    impl Sequence {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn float(&mut self) -> f64 {
            match self.next() % 8 {
                0 => f64::NAN,
                1 => f64::INFINITY,
                2 => -((self.next() % 1000) as f64),
                3 => f64::from_bits(self.next() >> 2),
                _ => (self.next() % 1_000_000_000_000) as f64 / (1 + self.next() % 1000) as f64,
            }
        }
    }

    #[test]
    fn no_fitted_reading_exceeds_its_width() {
        let fonts = [&PROFONT_7_POINT, &PROFONT_9_POINT, &PROFONT_12_POINT, &PROFONT_24_POINT];
        let units = ["km", "req/s", "a-very-long-unit-name-that-overflows-a-line"];
        let mut sequence = Sequence(0x5eed);
        for _ in 0..20_000 {
            let raw = sequence.float();
            let percent = sequence.float() as f32;
            let amount = match sequence.next() % 6 {
                0 => Amount::Percent,
                1 => Amount::Bytes { used: sequence.next(), total: Some(sequence.next()) },
                2 => Amount::Bytes { used: sequence.next() >> (sequence.next() % 64), total: None },
                3 => Amount::Rate(raw),
                4 => Amount::Celsius(raw as f32),
                _ => Amount::Other { raw: raw as f32, unit: units[(sequence.next() % 3) as usize] },
            };
            let reading = match sequence.next() % 5 {
                0 => Reading::Missing(Missing::Stale),
                _ => live(percent, amount),
            };
            let font = fonts[(sequence.next() % 4) as usize];
            let width = (sequence.next() % 200) as u32;
            let line = fit_reading(&reading, font, width);
            assert!(
                text_width(line.as_str(), font) <= width,
                "{reading:?} as {line:?} is wider than {width} px"
            );
            for form in forms(&reading) {
                assert!(!form.is_empty(), "{reading:?} has an empty form");
            }
        }
    }

    #[test]
    fn cuts_text_at_a_character_boundary_when_full() {
        let mut text = Text::<4>::new();
        assert!(text.push_str("ab").is_ok());
        assert!(text.push_str("°C").is_err());
        assert_eq!(text.as_str(), "ab°");
        assert_eq!(Text::<3>::truncated("°°").as_str(), "°");
    }

    #[test]
    fn labels_known_metrics_and_keeps_unknown_names() {
        assert_eq!(label("vram"), "VRAM");
        assert_eq!(label("gpu_util"), "GPU");
        assert_eq!(label("gpu_temp"), "GPU TEMP");
        assert_eq!(label("cpu"), "CPU");
        assert_eq!(label("ram"), "RAM");
        assert_eq!(label("net_rx"), "RX");
        assert_eq!(label("net_tx"), "TX");
        assert_eq!(label("disk"), "DISK");
        assert_eq!(label("queue_depth"), "queue_depth");
    }

    #[test]
    fn maps_frame_fields_to_amounts() {
        assert_eq!(Amount::from_frame(Some("B"), Some(5e9), None, Some(8 << 30)), Amount::Bytes { used: 5_000_000_000, total: Some(8 << 30) });
        assert_eq!(Amount::from_frame(None, None, Some(7), None), Amount::Bytes { used: 7, total: None });
        assert_eq!(Amount::from_frame(Some("B"), None, None, Some(8)), Amount::Percent);
        assert_eq!(Amount::from_frame(Some("B/s"), Some(12.4e6), None, None), Amount::Rate(12.4e6));
        assert_eq!(Amount::from_frame(Some("B/s"), Some(f64::NAN), None, None), Amount::Percent);
        assert_eq!(Amount::from_frame(Some("°C"), Some(63.0), None, None), Amount::Celsius(63.0));
        assert_eq!(Amount::from_frame(Some("%"), Some(37.0), None, None), Amount::Percent);
        assert_eq!(Amount::from_frame(None, Some(37.0), None, None), Amount::Percent);
        assert_eq!(Amount::from_frame(Some(""), Some(37.0), None, None), Amount::Percent);
        assert_eq!(Amount::from_frame(Some("req/s"), Some(3.5), None, None), Amount::Other { raw: 3.5, unit: "req/s" });
        assert_eq!(Amount::from_frame(Some("req/s"), None, None, None), Amount::Percent);
    }
}
