//! The host link over any sequence of text frames from a host: a frame refused changes neither the state, the
//! bindings nor the held outputs and is answered with one error report; a hold the device refuses (an output it
//! lacks, a code past its largest) changes nothing either; everything the device sends is a message the host's
//! schema takes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sysboy_device::link::{Action, HostLink, LinkConfig};
use sysboy_fuzz::messages;
use sysboy_protocol::{decode_device_message, decode_host_message, encode, Chip, DeviceMessage, Output, OutputKind};

fuzz_target!(|data: &[u8]| {
    let outputs = vec![
        Output { id: "vu".into(), kind: OutputKind::Pwm, bits: 10, width: None, height: None },
        Output { id: "dac".into(), kind: OutputKind::Dac, bits: 8, width: None, height: None },
    ];
    let config = LinkConfig::new("fuzz-1", "0.1.0", Chip::Sim, outputs).expect("a valid config");
    let mut link = HostLink::new(config, Vec::new());
    link.found_host();
    link.connected();
    let mut now = 0u64;
    for action in link.upgraded(now) {
        sent_is_valid(&action);
    }
    for frame in messages(data) {
        now += 37;
        let (state, bindings, held) = (link.state(), link.bindings().to_vec(), link.held());
        let decoded = decode_host_message(frame);
        let refused = decoded.is_err();
        let hold = matches!(decoded, Ok(sysboy_protocol::HostMessage::Hold(_)));
        let actions = link.received_text(now, frame);
        for action in &actions {
            sent_is_valid(action);
        }
        if refused {
            assert_eq!((link.state(), link.bindings()), (state, bindings.as_slice()), "a refused frame changed the link");
            assert!(matches!(actions.as_slice(), [Action::Send(DeviceMessage::Error(_))]), "{actions:?}");
        }
        if refused || (hold && matches!(actions.as_slice(), [Action::Send(DeviceMessage::Error(_))])) {
            assert_eq!(link.held(), held, "a refused frame changed the held outputs");
        }
        while link.take_calibration_undo().is_some() {}
        for action in link.poll(now, 7) {
            sent_is_valid(&action);
        }
    }
});

/// A message the device sends must be one the host accepts: the same schema checks as the host's decoder.
fn sent_is_valid(action: &Action) {
    if let Action::Send(message) = action {
        let text = encode(message).expect("a device message encodes");
        if let Err(error) = decode_device_message(text.as_bytes()) {
            panic!("the device sent a message its host refuses ({error}): {text}");
        }
    }
}
