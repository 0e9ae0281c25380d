//! The portal form: decoding `application/x-www-form-urlencoded` and checking each field, with a reason per
//! field that the page shows beside it.

use alloc::string::String;
use alloc::vec::Vec;

use crate::radio::{ScanEntry, Security};
use crate::settings::WifiCredentials;

/// What the user asked for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The home network and its password.
    pub wifi: WifiCredentials,
    /// The PC's address (name or IPv4, optional port), or none to find it by mDNS.
    pub host: Option<String>,
    /// The pairing token, or none.
    pub token: Option<String>,
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
}

impl FieldErrors {
    /// Whether every field is fine.
    pub fn is_empty(&self) -> bool {
        self.ssid.is_none() && self.password.is_none() && self.host.is_none() && self.token.is_none()
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
    if !errors.is_empty() {
        return Err(alloc::boxed::Box::new(Refused { values, errors }));
    }
    Ok(Submission {
        wifi: WifiCredentials { ssid: values.ssid.clone(), password },
        host: (!host.is_empty()).then(|| host.into()),
        token: (!token.is_empty()).then(|| token.into()),
    })
}

/// The SSID: 1 to 32 bytes, and a network the portal can join.
pub fn check_ssid(ssid: &str, security: Option<Security>) -> Option<&'static str> {
    if ssid.is_empty() {
        Some("choose a network or type its name")
    } else if ssid.len() > 32 {
        Some("a network name is at most 32 bytes")
    } else if security == Some(Security::Enterprise) {
        Some("enterprise (802.1X) networks cannot be joined from here")
    } else {
        None
    }
}

/// The password: empty for an open network, else 8 to 63 characters (WPA's passphrase rule).
pub fn check_password(password: &str, security: Option<Security>) -> Option<&'static str> {
    let length = password.chars().count();
    match security {
        Some(Security::Open) if !password.is_empty() => Some("this network is open: leave the password empty"),
        Some(Security::Open) => None,
        Some(Security::Wpa | Security::Wep) if password.is_empty() => Some("this network needs a password"),
        // A network not in the scan (hidden) may be open or protected: empty is allowed.
        _ if password.is_empty() => None,
        _ if length < 8 => Some("a Wi-Fi password has at least 8 characters"),
        _ if length > 63 => Some("a Wi-Fi password has at most 63 characters"),
        _ if password.chars().any(|c| c.is_control()) => Some("the password holds a control character"),
        _ => None,
    }
}

/// The host: an IPv4 address or a DNS name, with an optional `:port`.
pub fn check_host(host: &str) -> Option<&'static str> {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    if let Some(port) = port {
        if !port.parse::<u16>().is_ok_and(|p| p > 0) || !port.bytes().all(|b| b.is_ascii_digit()) {
            return Some("the port must be a number from 1 to 65535");
        }
    }
    let all_numeric = name.split('.').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
    if all_numeric {
        return match name.parse::<core::net::Ipv4Addr>() {
            Ok(_) => None,
            Err(_) => Some("not an IPv4 address such as 192.168.1.20"),
        };
    }
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 || !name.split('.').all(label_ok) {
        return Some("use the PC's name (letters, digits, hyphens, dots) or IP address, e.g. desk-pc.local:8077");
    }
    None
}

/// The pairing token: printable, no spaces, at most 128 characters.
pub fn check_token(token: &str) -> Option<&'static str> {
    if token.len() > 128 {
        Some("the token is at most 128 characters")
    } else if !token.bytes().all(|b| b.is_ascii_graphic()) {
        Some("the token is printable characters without spaces, as `sysboy` prints it")
    } else {
        None
    }
}
