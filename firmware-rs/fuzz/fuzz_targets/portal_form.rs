//! The portal form over any body a phone posts: a form taken can be stored and read back at the next boot, a form
//! refused says why, what was typed never becomes markup in the page shown again, and every component that
//! decodes, percent-encoded again, decodes the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sysboy_device::portal::form::{self, decode_component};
use sysboy_device::portal::page;
use sysboy_device::portal::state::PortalState;
use sysboy_device::radio::{ScanEntry, Security};
use sysboy_device::settings::{Network, Settings};

fuzz_target!(|data: &[u8]| {
    let networks = [
        ScanEntry { ssid: "HomeNet".into(), rssi: -40, security: Security::Wpa },
        ScanEntry { ssid: "Cafe Guest".into(), rssi: -70, security: Security::Open },
        ScanEntry { ssid: "Office-8021X".into(), rssi: -60, security: Security::Enterprise },
    ];
    match form::read(data, &networks) {
        Ok(submission) => {
            let network = Network {
                wifi: Some(submission.wifi),
                host: submission.host,
                token: submission.token,
                country: submission.country,
                ..Network::default()
            };
            assert!(Settings { network, calibrations: Vec::new() }.is_valid(), "a form the portal took cannot be stored");
        }
        Err(refused) => {
            assert!(!refused.errors.is_empty());
            // Escaped values leave the page's markup as it is with plain ones.
            let shown = PortalState { values: refused.values.clone(), errors: refused.errors.clone(), ..PortalState::default() };
            let mut plain = shown.clone();
            for value in [&mut plain.values.ssid, &mut plain.values.host, &mut plain.values.token, &mut plain.values.country] {
                *value = "x".repeat(value.chars().count());
            }
            let markup = |page: &str| page.chars().filter(|c| matches!(c, '<' | '>' | '"')).count();
            assert_eq!(markup(&page::render(&shown)), markup(&page::render(&plain)), "typed text became markup");
        }
    }
    let text = String::from_utf8_lossy(data);
    if let Some(decoded) = decode_component(&text) {
        let encoded: String = decoded.bytes().map(|b| format!("%{b:02X}")).collect();
        assert_eq!(decode_component(&encoded).as_deref(), Some(decoded.as_str()));
    }
});
