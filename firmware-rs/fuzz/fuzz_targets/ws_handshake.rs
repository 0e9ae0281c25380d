//! The upgrade response parser over any bytes a server sends: an accepted head ends at its blank line and is
//! accepted the same with nothing after it; a head not yet whole is only waited for while it fits the buffer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sysboy_device::ws::{Handshake, HandshakeError};

// RFC 6455 §1.3's sample nonce: the seeds carry its accept value, so the fuzzer starts from a successful upgrade.
const NONCE: [u8; 16] = *b"the sample nonce";

fuzz_target!(|data: &[u8]| {
    let Some((&capacity, received)) = data.split_first() else { return };
    let capacity = usize::from(capacity) * 8;
    let handshake = Handshake::new(NONCE);
    match handshake.read_response(received, capacity) {
        Ok(Some(head)) => {
            assert!(head >= 4 && head <= received.len());
            assert_eq!(&received[head - 4..head], b"\r\n\r\n");
            assert_eq!(handshake.read_response(&received[..head], capacity), Ok(Some(head)));
            let text = core::str::from_utf8(&received[..head]).expect("an accepted head is text");
            assert!(text.contains(handshake.expected_accept()), "accepted without our accept value");
        }
        Ok(None) => assert!(received.len() < capacity, "waits for more than the buffer holds"),
        Err(HandshakeError::HeadTooLong) => assert!(received.len() >= capacity),
        Err(HandshakeError::BufferTooSmall | HandshakeError::BadField(_)) => panic!("a request error from a response"),
        Err(_) => {}
    }
});
