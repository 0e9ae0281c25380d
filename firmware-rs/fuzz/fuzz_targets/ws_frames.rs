//! The WebSocket frame decoder over any bytes a server sends: every frame it takes, re-encoded, decodes the same;
//! every refusal closes the decoder and has a close frame that fits a control frame; no read leaves the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sysboy_device::ws::{Decoder, Event, FrameError, Opcode};
use sysboy_fuzz::server_frame;

fuzz_target!(|data: &[u8]| {
    let Some((&size, mut input)) = data.split_first() else { return };
    // The reassembly buffer sets the largest message: 0 to 2040 bytes, so "too big" is reached as well.
    let mut message = vec![0u8; usize::from(size) * 8];
    let max = message.len();
    let mut decoder = Decoder::new(&mut message);
    loop {
        match decoder.decode(input) {
            Ok(decoded) => {
                assert!(decoded.consumed <= input.len());
                let Some(event) = decoded.event else {
                    if decoded.consumed == 0 {
                        break; // a frame that has not fully arrived
                    }
                    input = &input[decoded.consumed..];
                    continue;
                };
                let mut reply = [0u8; 2 + 4 + 125];
                assert!(event.reply([1, 2, 3, 4], &mut reply).is_ok(), "the reply to {event:?} fits a control frame");
                same_again(event, max);
                input = &input[decoded.consumed..];
            }
            Err(error) => {
                assert!(decoder.is_closed(), "a refusal ({error}) ends the connection");
                let mut close = [0u8; 2 + 4 + 125];
                assert!(error.close_frame([1, 2, 3, 4], &mut close).is_ok());
                // Nothing is taken after a refusal or the server's close.
                assert_eq!(decoder.decode(&[0x81, 0x00]).err(), Some(FrameError::AfterClose));
                break;
            }
        }
    }
});

/// The event, written back as one unfragmented server frame, is decoded as the same event.
fn same_again(event: Event<'_>, max: usize) {
    let frame = match event {
        Event::Text(text) => server_frame(Opcode::Text, text.as_bytes()),
        Event::Binary(bytes) => server_frame(Opcode::Binary, bytes),
        Event::Ping(bytes) => server_frame(Opcode::Ping, bytes),
        Event::Pong(bytes) => server_frame(Opcode::Pong, bytes),
        Event::Close { code: None, .. } => server_frame(Opcode::Close, &[]),
        Event::Close { code: Some(code), reason } => {
            let mut payload = code.to_be_bytes().to_vec();
            payload.extend_from_slice(reason.as_bytes());
            server_frame(Opcode::Close, &payload)
        }
    };
    let mut message = vec![0u8; max];
    let mut again = Decoder::new(&mut message);
    let decoded = again.decode(&frame).expect("a frame the decoder produced the event of");
    assert_eq!((decoded.consumed, decoded.event), (frame.len(), Some(event)));
}
