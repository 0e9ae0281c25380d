//! The protocol decoders over any text frame: a message taken, written again, is taken as the same message, and a
//! refusal names the protocol error code it is answered with.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sysboy_protocol::{decode_device_message, decode_host_message, encode, DecodeError, ErrorCode};

fuzz_target!(|data: &[u8]| {
    match decode_host_message(data) {
        Ok(message) => {
            let text = encode(&message).expect("a decoded message encodes");
            assert_eq!(decode_host_message(text.as_bytes()).ok().as_ref(), Some(&message), "{text}");
        }
        Err(error) => refusal(&error),
    }
    match decode_device_message(data) {
        Ok(message) => {
            let text = encode(&message).expect("a decoded message encodes");
            assert_eq!(decode_device_message(text.as_bytes()).ok().as_ref(), Some(&message), "{text}");
        }
        Err(error) => refusal(&error),
    }
});

fn refusal(error: &DecodeError) {
    assert!(matches!(error.code(), ErrorCode::BadJson | ErrorCode::UnknownType | ErrorCode::BadFrame));
    assert!(!error.to_string().is_empty());
}
