//! The portal form: decoding `application/x-www-form-urlencoded` and checking each field, with a reason per
//! field that the page shows beside it.

use alloc::string::String;
use alloc::vec::Vec;

use crate::radio::{ScanEntry, Security};
use crate::settings::{Country, Network, WifiCredentials};

/// What the user asked for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The home network and its password.
    pub wifi: WifiCredentials,
    /// The PC's address (name or IPv4, optional port), or none to find it by mDNS.
    pub host: Option<String>,
    /// The pairing token, or none.
    pub token: Option<String>,
    /// The Wi-Fi country the radio keeps to (world-safe when the form names none).
    pub country: Country,
    /// Only the Wi-Fi is new (Improv carries no other field): the host, token and country saved when it is saved
    /// stay as they are then, so a credential issued since the submission was made is not lost.
    pub wifi_only: bool,
}

impl Submission {
    /// Lays this submission over `network` as it is saved: the Wi-Fi always; the host, token and country too,
    /// unless only the Wi-Fi is new.
    pub fn apply_to(&self, network: &mut Network) {
        network.wifi = Some(self.wifi.clone());
        if !self.wifi_only {
            network.host.clone_from(&self.host);
            network.token.clone_from(&self.token);
            network.country = self.country;
        }
    }
}

/// The form as typed, to show again beside the reasons (the password is never echoed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormValues {
    /// SSID field.
    pub ssid: String,
    /// Host field.
    pub host: String,
    /// Token field.
    pub token: String,
    /// Country field (its code); empty for the world-safe default.
    pub country: String,
}

/// Why each field was refused; `None` for a field that is fine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors {
    /// SSID reason.
    pub ssid: Option<&'static str>,
    /// Password reason.
    pub password: Option<&'static str>,
    /// Host reason.
    pub host: Option<&'static str>,
    /// Token reason.
    pub token: Option<&'static str>,
    /// Country reason.
    pub country: Option<&'static str>,
}

impl FieldErrors {
    /// Whether every field is fine.
    pub fn is_empty(&self) -> bool {
        self.ssid.is_none() && self.password.is_none() && self.host.is_none() && self.token.is_none() && self.country.is_none()
    }
}

/// A form that was refused: what was typed and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The values to show again.
    pub values: FormValues,
    /// The reasons.
    pub errors: FieldErrors,
}

/// Decodes one urlencoded component (`+` is a space, `%XX` a byte); `None` when it is not UTF-8 or a `%`
/// escape is broken.
pub fn decode_component(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        match b {
            b'+' => {
                bytes.push(b' ');
                rest = tail;
            }
            b'%' => {
                let hex = tail.get(..2)?;
                let value = u8::from_str_radix(core::str::from_utf8(hex).ok()?, 16).ok()?;
                bytes.push(value);
                rest = &tail[2..];
            }
            b => {
                bytes.push(b);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).ok()
}

/// Reads and checks the form `body` against the networks in range (for whether a password is needed).
pub fn read(body: &[u8], networks: &[ScanEntry]) -> Result<Submission, alloc::boxed::Box<Refused>> {
    let mut values = FormValues::default();
    let mut password = String::new();
    let mut errors = FieldErrors::default();
    let text = core::str::from_utf8(body).unwrap_or_default();
    for pair in text.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = decode_component(value);
        let slot = match name {
            "ssid" => &mut values.ssid,
            "password" => &mut password,
            "host" => &mut values.host,
            "token" => &mut values.token,
            "country" => &mut values.country,
            _ => continue,
        };
        match decoded {
            Some(value) => *slot = value,
            None => {
                let reason = Some("this field is not readable text");
                match name {
                    "ssid" => errors.ssid = reason,
                    "password" => errors.password = reason,
                    "host" => errors.host = reason,
                    "country" => errors.country = reason,
                    _ => errors.token = reason,
                }
            }
        }
    }
    let security = networks.iter().find(|n| n.ssid == values.ssid).map(|n| n.security);
    errors.ssid = errors.ssid.or_else(|| check_ssid(&values.ssid, security));
    errors.password = errors.password.or_else(|| check_password(&password, security));
    let host = values.host.trim();
    errors.host = errors.host.or_else(|| if host.is_empty() { None } else { check_host(host) });
    let token = values.token.trim();
    errors.token = errors.token.or_else(|| if token.is_empty() { None } else { check_token(token) });
    let country = match values.country.trim() {
        "" => Ok(Country::WORLD),
        code => Country::from_code(code),
    };
    errors.country = errors.country.or_else(|| country.err().map(|error| error.reason()));
    if !errors.is_empty() {
        return Err(alloc::boxed::Box::new(Refused { values, errors }));
    }
    Ok(Submission {
        wifi: WifiCredentials { ssid: values.ssid.clone(), password },
        host: (!host.is_empty()).then(|| host.into()),
        token: (!token.is_empty()).then(|| token.into()),
        country: country.unwrap_or_default(),
        wifi_only: false,
    })
}

/// The SSID: the stored record's rule, and a network the portal can join.
pub fn check_ssid(ssid: &str, security: Option<Security>) -> Option<&'static str> {
    WifiCredentials::ssid_problem(ssid).or_else(|| {
        (security == Some(Security::Enterprise)).then_some("enterprise (802.1X) networks cannot be joined from here")
    })
}

/// The password: what the network in range needs, then the stored record's rule.
pub fn check_password(password: &str, security: Option<Security>) -> Option<&'static str> {
    match security {
        Some(Security::Open) if !password.is_empty() => Some("this network is open: leave the password empty"),
        Some(Security::Wpa | Security::Wep) if password.is_empty() => Some("this network needs a password"),
        // A network not in the scan (hidden) may be open or protected: the record's rule allows empty.
        _ => WifiCredentials::password_problem(password),
    }
}

/// The host: the stored record's rule (IPv4 or DNS name, optional `:port`).
pub fn check_host(host: &str) -> Option<&'static str> {
    Network::host_problem(host)
}

/// The pairing token: the stored record's rule, which is the hello frame's.
pub fn check_token(token: &str) -> Option<&'static str> {
    Network::token_problem(token)
}
