//! Improv Wi-Fi serial over any bytes a client (or noise on the USB port) sends, cut into reads anywhere: nothing
//! panics, everything the device writes back is a well-formed frame, settings handed on can be stored, and a refused
//! packet hands nothing on.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sysboy_device::improv::packet::{Decoded, Decoder};
use sysboy_device::improv::{DeviceInfo, Heard, ImprovService, Kept, Network};
use sysboy_device::radio::{ScanEntry, Security};
use sysboy_device::settings::{Network as SavedNetwork, Settings};

fuzz_target!(|data: &[u8]| {
    let Some((&cut, stream)) = data.split_first() else { return };
    let networks = [
        ScanEntry { ssid: "HomeNet".into(), rssi: -40, security: Security::Wpa },
        ScanEntry { ssid: "Cafe Guest".into(), rssi: -70, security: Security::Open },
        ScanEntry { ssid: "Office-8021X".into(), rssi: -60, security: Security::Enterprise },
    ];
    let info = DeviceInfo { firmware: "Sysboy".into(), version: "0.1.0".into(), chip: "ESP32-C3".into(), name: "sysboy-01020304".into() };
    let mut service = ImprovService::new(info, Kept::default());
    let mut out = Vec::new();
    // Reads of 1 to 64 bytes, as a USB FIFO hands them over.
    for (i, chunk) in stream.chunks(usize::from(cut % 64) + 1).enumerate() {
        for heard in service.receive(chunk, &networks, &mut out) {
            if let Heard::Submitted(submission) = heard {
                let network = SavedNetwork { wifi: Some(submission.wifi), host: submission.host, token: submission.token, country: submission.country, ..SavedNetwork::default() };
                assert!(Settings { network, calibrations: Vec::new() }.is_valid(), "settings Improv took cannot be stored");
            }
        }
        let network = match i % 4 {
            0 => Network::Joining("HomeNet".into()),
            1 => Network::Failed("HomeNet".into()),
            2 => Network::Online(Some("http://10.0.0.7/".into())),
            _ => Network::Offline,
        };
        service.network(network, &mut out);
    }
    let mut found = Vec::new();
    Decoder::new().feed(&out, &mut found);
    assert!(found.iter().all(|d| matches!(d, Decoded::Frame { .. })), "the device wrote a bad frame: {found:?}");
    let frames = out.windows(6).filter(|w| w == b"IMPROV").count();
    assert_eq!(found.len(), frames, "every frame the device wrote decodes");
});
