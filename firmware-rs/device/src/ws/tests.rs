//! Decoder behaviour and property tests: frames the server may send, frames it must not, and arbitrary bytes.

extern crate std;

use alloc::vec::Vec;

use proptest::prelude::*;

use super::*;

/// An unmasked server frame.
fn server_frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = alloc::vec![if fin { 0x80 } else { 0 } | opcode];
    match payload.len() {
        n if n < 126 => frame.push(n as u8),
        n if n <= 0xffff => {
            frame.push(126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(payload);
    frame
}

/// Unmasks a client frame written by this crate and returns (opcode, payload).
fn read_client_frame(frame: &[u8]) -> (u8, Vec<u8>) {
    assert_eq!(frame[0] & 0x80, 0x80, "client frames are final");
    assert_eq!(frame[1] & 0x80, 0x80, "client frames are masked");
    let (len, at) = match frame[1] & 0x7f {
        126 => (u16::from_be_bytes([frame[2], frame[3]]) as usize, 4),
        127 => (u64::from_be_bytes(frame[2..10].try_into().unwrap()) as usize, 10),
        n => (n as usize, 2),
    };
    let mask = &frame[at..at + 4];
    let payload = frame[at + 4..at + 4 + len].iter().enumerate().map(|(i, b)| b ^ mask[i % 4]).collect();
    (frame[0] & 0x0f, payload)
}

/// Owned copy of an event, so tests can keep it after the decoder moves on.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Text(std::string::String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<u16>, std::string::String),
}

fn seen(event: Event<'_>) -> Seen {
    match event {
        Event::Text(text) => Seen::Text(text.into()),
        Event::Binary(bytes) => Seen::Binary(bytes.into()),
        Event::Ping(bytes) => Seen::Ping(bytes.into()),
        Event::Pong(bytes) => Seen::Pong(bytes.into()),
        Event::Close { code, reason } => Seen::Close(code, reason.into()),
    }
}

/// Feeds `stream` in chunks of `chunk` bytes, the way a socket delivers it, and collects the events.
fn feed(stream: &[u8], chunk: usize, max_message: usize) -> Result<Vec<Seen>, FrameError> {
    let mut message = alloc::vec![0u8; max_message];
    let mut decoder = Decoder::new(&mut message);
    let mut received: Vec<u8> = Vec::new();
    let mut events = Vec::new();
    for piece in stream.chunks(chunk.max(1)) {
        received.extend_from_slice(piece);
        loop {
            let decoded = decoder.decode(&received)?;
            if decoded.consumed == 0 {
                break;
            }
            let consumed = decoded.consumed;
            events.extend(decoded.event.map(seen));
            received.drain(..consumed);
        }
    }
    Ok(events)
}

#[test]
fn partial_frames_ask_for_more_bytes() {
    let frame = server_frame(true, 1, b"{\"type\":\"vram\",\"value\":60.5}");
    for cut in 0..frame.len() {
        let mut message = [0u8; 64];
        let mut decoder = Decoder::new(&mut message);
        assert_eq!(decoder.decode(&frame[..cut]), Ok(Decoded { consumed: 0, event: None }), "cut at {cut}");
    }
    assert_eq!(feed(&frame, 1, 64), Ok(alloc::vec![Seen::Text("{\"type\":\"vram\",\"value\":60.5}".into())]));
}

#[test]
fn fragments_are_reassembled_with_pings_between_them() {
    let mut stream = server_frame(false, 1, b"hel");
    stream.extend(server_frame(true, 9, b"p"));
    stream.extend(server_frame(false, 0, b"lo "));
    stream.extend(server_frame(true, 0, b"world"));
    let events = feed(&stream, 3, 64).unwrap();
    assert_eq!(events, [Seen::Ping(b"p".to_vec()), Seen::Text("hello world".into())]);
}

#[test]
fn ping_is_answered_with_a_masked_pong_of_the_same_payload() {
    let mut message = [0u8; 16];
    let mut decoder = Decoder::new(&mut message);
    let frame = server_frame(true, 9, b"beat");
    let event = decoder.decode(&frame).unwrap().event.unwrap();
    let mut buf = [0u8; 32];
    let n = event.reply([1, 2, 3, 4], &mut buf).unwrap().unwrap();
    assert_eq!(read_client_frame(&buf[..n]), (0xA, b"beat".to_vec()));
}

#[test]
fn close_is_read_with_its_code_and_echoed() {
    let mut payload = 1001u16.to_be_bytes().to_vec();
    payload.extend_from_slice(b"host stopping");
    let mut message = [0u8; 16];
    let mut decoder = Decoder::new(&mut message);
    let frame = server_frame(true, 8, &payload);
    let event = decoder.decode(&frame).unwrap().event.unwrap();
    assert_eq!(event, Event::Close { code: Some(1001), reason: "host stopping" });
    let mut buf = [0u8; 32];
    let n = event.reply([9, 9, 9, 9], &mut buf).unwrap().unwrap();
    assert_eq!(read_client_frame(&buf[..n]), (0x8, 1001u16.to_be_bytes().to_vec()));
    assert!(decoder.is_closed());
    assert_eq!(decoder.decode(&server_frame(true, 1, b"late")), Err(FrameError::AfterClose));
}

/// Found by `npm run fuzz` (ws_frames): a text frame that is not UTF-8 was refused, but the decoder went on taking
/// the frames after it, unlike every other refusal.
#[test]
fn a_text_frame_that_is_not_utf8_ends_the_decoder_like_any_refusal() {
    let stream = [0x81, 0x02, 0x02, 0xff, 0x01, 0x00, 0x89, 0x00, 0x02];
    let mut message = [0u8; 16];
    let mut decoder = Decoder::new(&mut message);
    assert_eq!(decoder.decode(&stream), Err(FrameError::InvalidUtf8));
    assert!(decoder.is_closed());
    assert_eq!(decoder.decode(&stream[4..]), Err(FrameError::AfterClose));
    // The same in the last fragment of a message.
    let mut message = [0u8; 16];
    let mut decoder = Decoder::new(&mut message);
    let mut stream = server_frame(false, 1, b"ok ");
    stream.extend(server_frame(true, 0, &[0xff]));
    let first = decoder.decode(&stream).unwrap().consumed;
    assert_eq!(decoder.decode(&stream[first..]), Err(FrameError::InvalidUtf8));
    assert!(decoder.is_closed());
}

#[test]
fn protocol_violations_name_their_close_code() {
    let cases: [(Vec<u8>, FrameError, u16); 11] = [
        (alloc::vec![0xC1, 0x00], FrameError::ReservedBits, 1002),
        (alloc::vec![0x83, 0x00], FrameError::ReservedOpcode(3), 1002),
        (alloc::vec![0x81, 0x81, 1, 2, 3, 4, b'a'], FrameError::MaskedFrame, 1002),
        (server_frame(true, 9, &[0; 126]), FrameError::ControlTooLong, 1002),
        (server_frame(false, 9, b""), FrameError::FragmentedControl, 1002),
        (server_frame(true, 0, b"x"), FrameError::UnexpectedContinuation, 1002),
        ([server_frame(false, 1, b"a"), server_frame(true, 1, b"b")].concat(), FrameError::ExpectedContinuation, 1002),
        (server_frame(true, 1, &[0xff, 0xfe]), FrameError::InvalidUtf8, 1007),
        (server_frame(true, 1, &[b'a'; 65]), FrameError::TooBig, 1009),
        (server_frame(true, 8, &[3]), FrameError::BadClose, 1002),
        (server_frame(true, 8, &1005u16.to_be_bytes()), FrameError::BadClose, 1002),
    ];
    for (stream, error, code) in cases {
        assert_eq!(feed(&stream, stream.len(), 64), Err(error), "{stream:02x?}");
        assert_eq!(error.close_code(), code);
    }
}

#[test]
fn a_fragmented_message_over_the_limit_is_too_big_before_it_all_arrives() {
    let mut stream = server_frame(false, 1, &[b'a'; 40]);
    stream.extend(&server_frame(true, 0, &[b'a'; 40])[..4]);
    assert_eq!(feed(&stream, 7, 64), Err(FrameError::TooBig));
}

#[test]
fn a_huge_declared_length_is_refused_at_once() {
    let mut header = alloc::vec![0x82, 127];
    header.extend_from_slice(&(1u64 << 40).to_be_bytes());
    assert_eq!(feed(&header, 10, 1024), Err(FrameError::TooBig));
    header[2] = 0x80;
    assert_eq!(feed(&header, 10, 1024), Err(FrameError::BadLength));
}

#[test]
fn the_error_close_frame_carries_the_code_and_reason() {
    let mut buf = [0u8; 64];
    let n = FrameError::TooBig.close_frame([0; 4], &mut buf).unwrap();
    let (opcode, payload) = read_client_frame(&buf[..n]);
    assert_eq!(opcode, 0x8);
    assert_eq!(&payload[..2], &1009u16.to_be_bytes());
    assert_eq!(&payload[2..], b"message too big");
}

/// The number of generated cases for each property; printed so a run shows how much was tried.
const CASES: u32 = 10_000;

fn config() -> ProptestConfig {
    std::println!("proptest: {CASES} cases");
    ProptestConfig::with_cases(CASES)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn decoder_never_panics_on_arbitrary_bytes(stream in proptest::collection::vec(any::<u8>(), 0..300), chunk in 1usize..40) {
        let _ = feed(&stream, chunk, 128);
    }

    #[test]
    fn fragmented_messages_round_trip_whatever_the_chunking(
        text in "\\PC{0,200}",
        cuts in proptest::collection::vec(0usize..200, 0..5),
        chunk in 1usize..64,
    ) {
        let bytes = text.as_bytes();
        let mut cuts: Vec<usize> = cuts.into_iter().filter(|&c| c < bytes.len()).collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut bounds = alloc::vec![0];
        bounds.extend(cuts.iter().copied().filter(|&c| c > 0));
        bounds.push(bytes.len());
        let mut stream = Vec::new();
        for (index, pair) in bounds.windows(2).enumerate() {
            let fin = index == bounds.len() - 2;
            stream.extend(server_frame(fin, if index == 0 { 1 } else { 0 }, &bytes[pair[0]..pair[1]]));
        }
        prop_assert_eq!(feed(&stream, chunk, 1024), Ok(alloc::vec![Seen::Text(text)]));
    }

    #[test]
    fn client_frames_round_trip_through_unmasking(payload in proptest::collection::vec(any::<u8>(), 0..1000), mask in any::<[u8; 4]>()) {
        let mut buf = alloc::vec![0u8; payload.len() + MAX_HEADER];
        let n = encode_frame(Opcode::Binary, &payload, mask, &mut buf).unwrap();
        prop_assert_eq!(read_client_frame(&buf[..n]), (0x2, payload));
    }
}
