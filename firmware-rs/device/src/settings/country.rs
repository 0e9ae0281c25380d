//! The Wi-Fi country: which regulatory domain the radio keeps to. A board that does not know where it is keeps to
//! the world-safe one.

use core::fmt;

/// A Wi-Fi country the radio accepts: ESP-IDF's world-safe domain `01`, or one of the ISO 3166 codes its
/// `esp_wifi_set_country_code` lists as supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country([u8; 2]);

/// The countries a board can be set to, code and name, world-safe first.
const COUNTRIES: [(&str, &str); 45] = [
    ("01", "World (safe everywhere: channels 1–11, 12–13 listen only)"),
    ("AT", "Austria"),
    ("AU", "Australia"),
    ("BE", "Belgium"),
    ("BG", "Bulgaria"),
    ("BR", "Brazil"),
    ("CA", "Canada"),
    ("CH", "Switzerland"),
    ("CN", "China"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DK", "Denmark"),
    ("EE", "Estonia"),
    ("ES", "Spain"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("GR", "Greece"),
    ("HK", "Hong Kong"),
    ("HR", "Croatia"),
    ("HU", "Hungary"),
    ("IE", "Ireland"),
    ("IN", "India"),
    ("IS", "Iceland"),
    ("IT", "Italy"),
    ("JP", "Japan"),
    ("KR", "South Korea"),
    ("LI", "Liechtenstein"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("LV", "Latvia"),
    ("MT", "Malta"),
    ("MX", "Mexico"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("NZ", "New Zealand"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("RO", "Romania"),
    ("SE", "Sweden"),
    ("SI", "Slovenia"),
    ("SK", "Slovakia"),
    ("TW", "Taiwan"),
    ("US", "United States"),
];

impl Country {
    /// ESP-IDF's default country (`01`, world-safe mode): channels 1–11 active, 12–13 passive scan only, legal
    /// everywhere. esp-radio's own default is `CN` (13 active channels), which is not.
    pub const WORLD: Self = Self(*b"01");

    /// Every country a board can be set to, code and name, world-safe first.
    pub fn all() -> impl Iterator<Item = (Self, &'static str)> {
        COUNTRIES.iter().map(|(code, name)| (Self(code_bytes(code)), *name))
    }

    /// The country with this code (`01`, or an ISO 3166 alpha-2 code such as `DE`; letters in either case).
    pub fn from_code(code: &str) -> Result<Self, CountryError> {
        let upper: [u8; 2] = match code.as_bytes() {
            [a, b] => [a.to_ascii_uppercase(), b.to_ascii_uppercase()],
            _ => return Err(CountryError::Unknown),
        };
        Self::all().map(|(country, _)| country).find(|country| country.0 == upper).ok_or(CountryError::Unknown)
    }

    /// The two-character code, as the radio takes it.
    pub fn code(&self) -> [u8; 2] {
        self.0
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Every Country is made from an ASCII code in the list.
        core::str::from_utf8(&self.0).unwrap_or("01")
    }

    /// The country's name, for the portal's list.
    pub fn name(&self) -> &'static str {
        Self::all().find(|(country, _)| country == self).map_or("", |(_, name)| name)
    }
}

const fn code_bytes(code: &str) -> [u8; 2] {
    let bytes = code.as_bytes();
    [bytes[0], bytes[1]]
}

impl Default for Country {
    fn default() -> Self {
        Self::WORLD
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a country code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountryError {
    /// Not `01` nor a code of the radio's list.
    Unknown,
}

impl CountryError {
    /// The reason, as the portal shows it beside the field.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Unknown => "choose a country from the list, or World if yours is not there",
        }
    }
}

impl fmt::Display for CountryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

impl core::error::Error for CountryError {}
