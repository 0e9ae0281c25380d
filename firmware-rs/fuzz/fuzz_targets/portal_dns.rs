//! The portal's DNS answerer over any datagram a phone sends: a reply fits the caller's buffer, keeps the query's
//! id, is a response, and carries the question back with the access point's address as its only answer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sysboy_device::portal::dns::{self, DnsError};

const AP: [u8; 4] = [192, 168, 4, 1];

fuzz_target!(|data: &[u8]| {
    let Some((&size, query)) = data.split_first() else { return };
    // Any reply buffer from none to 1020 bytes, the device's own (512) among them.
    let mut out = vec![0u8; usize::from(size) * 4];
    match dns::answer(query, AP, &mut out) {
        Ok(len) => {
            assert!((12..=out.len()).contains(&len));
            let reply = &out[..len];
            assert_eq!(reply[..2], query[..2], "the id");
            assert_ne!(reply[2] & 0x80, 0, "a response");
            let (questions, answers) = (u16::from_be_bytes([reply[4], reply[5]]), u16::from_be_bytes([reply[6], reply[7]]));
            assert!(questions <= 1 && answers <= questions);
            if questions == 1 {
                let question_len = len - 12 - usize::from(answers) * 16;
                assert_eq!(reply[12..12 + question_len], query[12..12 + question_len], "the question back");
                let mut name = [0u8; 256];
                assert!(dns::question_name(query, &mut name).is_some() || query[12..].iter().any(|&b| b >= 0x80));
            }
            if answers == 1 {
                assert_eq!(reply[len - 4..], AP);
            }
        }
        Err(DnsError::NotAQuery) => assert!(query.len() < 12 || query[2] & 0x80 != 0),
        Err(DnsError::BufferTooSmall) => assert!(out.len() < 12 + 4 + 255 + 16 + 1),
    }
    let mut name = [0u8; 64];
    if let Some(name) = dns::question_name(query, &mut name) {
        assert!(name.len() <= 64);
    }
});
