//! Updates over the air on any bytes the host (or anything pretending to be it) sends: an ESP app image checked
//! whole and in pieces of any size agrees, and the updater fed an HTTP head and a body in arbitrary reads never
//! panics, erases each sector once before the first write into it, writes only whole words inside the slot, in
//! order, each byte once, and activates only an image that is the offered bytes (size and SHA-256) and passes the
//! bootloader's checks.
//!
//! The input: a piece size, flags, a 2-byte big-endian length, that many bytes of HTTP head, then the body (the
//! image the host serves). Flags: bit 0 feeds the head bytes as the first range's answer (a well-formed 206 else),
//! bit 1 offers the body's own SHA-256 (another one else), bit 2 answers the first range with 200 and the whole body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sysboy_device::ota::craft::sha256_hex;
use sysboy_device::ota::http::{parse_head, ContentRange, ResponseHead};
use sysboy_device::ota::image::{self, ImageChecker, CHIP_ID_ESP32C3};
use sysboy_device::ota::{check_erase, check_write, UpdateStep, Updater, SECTOR};
use sysboy_protocol::{Chip, UpdateOffer, UpdateState};

/// A slot of whole sectors (as the board's partitions are), smaller than the longest input (scripts/fuzz.sh gives
/// this target 16 KiB), so both "too large" and "fits" are reachable, and an image that fits may span sectors.
const SLOT: u32 = 3 * SECTOR;

fuzz_target!(|data: &[u8]| {
    let Some((&[piece, flags, high, low], rest)) = data.split_first_chunk::<4>() else { return };
    let head_len = usize::from(u16::from_be_bytes([high, low])).min(rest.len());
    let (head_bytes, body) = rest.split_at(head_len);
    let piece = usize::from(piece) * 16 + 1;

    // The image check on the bytes held whole and fed in pieces says the same.
    let whole = image::check(body, Some(CHIP_ID_ESP32C3));
    let mut checker = ImageChecker::new(Some(CHIP_ID_ESP32C3), u32::try_from(body.len()).unwrap_or(u32::MAX));
    let mut fed = Ok(0);
    for chunk in body.chunks(piece) {
        match checker.feed(chunk) {
            Ok(used) => {
                assert!(used <= chunk.len());
                fed = Ok(fed.unwrap_or(0) + used);
                if used < chunk.len() {
                    break;
                }
            }
            Err(error) => {
                fed = Err(error);
                break;
            }
        }
    }
    let pieces = fed.and_then(|_| checker.finish());
    assert_eq!(whole, pieces, "the check in pieces of {piece} disagrees with the whole");
    if let Ok(info) = &whole {
        assert!(info.len as usize <= body.len());
    }

    // The head parser never reads past what it was given.
    let parsed = parse_head(head_bytes);
    if let Ok(Some((_, used))) = &parsed {
        assert!(*used <= head_bytes.len());
    }

    // The updater, offered the body as an image of its length.
    let Ok(size) = u32::try_from(body.len()) else { return };
    let sha256 = if flags & 2 != 0 { sha256_hex(body) } else { sha256_hex(head_bytes) };
    let offer = UpdateOffer { version: "0.1.1".into(), chip: Chip::Esp32c3, size, sha256, path: "/firmware/esp32c3/app.bin".into() };
    let mut updater = Updater::new(Chip::Esp32c3, SLOT);
    if updater.offer(0, &offer).is_err() {
        assert!(!updater.is_running());
        return;
    }
    // What was written, in order from 0, and the end of the sectors erased (in order from 0 too).
    let mut slot: Vec<u8> = Vec::new();
    let mut erased = 0u32;
    let mut activated = None;
    let mut now = 1;
    let mut first = true;
    let mut served = 0;
    while let Some(range) = updater.next_fetch(now) {
        now += 1;
        assert!(range.start <= range.end && range.end < size, "{range} of {size}");
        assert_eq!(range.start as usize, served, "the next range starts where the last one ended");
        let head = if first && flags & 1 != 0 {
            match &parsed {
                Ok(Some((head, _))) => *head,
                _ => ResponseHead { status: 500, content_length: None, content_range: None },
            }
        } else if first && flags & 4 != 0 {
            ResponseHead { status: 200, content_length: Some(size), content_range: None }
        } else {
            ResponseHead { status: 206, content_length: Some(range.len()), content_range: Some(ContentRange { range: Some(range), total: Some(size) }) }
        };
        first = false;
        updater.response(now, &head);
        // The body from the range's start, as much as the head said (capped by what there is).
        let from = range.start as usize;
        let end = if head.status == 200 { body.len() } else { (range.end as usize + 1).min(body.len()) };
        for chunk in body[from.min(end)..end].chunks(piece) {
            now += 1;
            served += chunk.len();
            let mut steps = updater.body(now, chunk);
            while let Some(step) = steps.next_step() {
                assert_eq!(activated, None, "a step after the activation");
                match step {
                    UpdateStep::Erase { offset } => {
                        assert_eq!(offset, erased, "sectors are erased once, in order");
                        // The checks the board's and the simulator's slots make.
                        assert_eq!(check_erase(offset, SLOT), Ok(()), "an erase at {offset:#x}");
                        erased += SECTOR;
                    }
                    UpdateStep::Write { offset, data } => {
                        assert_eq!(check_write(offset, data.len(), SLOT), Ok(()), "a write of {} bytes at {offset:#x}", data.len());
                        assert_eq!(offset as usize, slot.len(), "bytes are written in order, each once");
                        assert!(!data.is_empty(), "an empty write");
                        assert!(offset as usize + data.len() <= erased as usize, "a write into a sector not erased");
                        slot.extend_from_slice(data);
                    }
                    UpdateStep::Activate { size } => activated = Some(size),
                }
            }
            if !updater.is_running() {
                break;
            }
        }
        if !updater.is_running() {
            break;
        }
        if updater.pending_range().is_some() {
            updater.ended(now, "the connection ended");
        }
    }
    match activated {
        Some(len) => {
            assert_eq!(len, size);
            assert_eq!(&slot[..body.len()], body, "the slot holds the offered bytes");
            assert!(slot[body.len()..].iter().all(|&byte| byte == 0xFF));
            assert_eq!(offer.sha256, sha256_hex(body));
            assert!(whole.is_ok(), "an image the bootloader refuses was activated: {whole:?}");
            updater.activated(now);
            assert_eq!(updater.progress().map(|p| p.state), Some(UpdateState::Restarting));
        }
        None => {
            // What was written is what was served, whether or not it was activated.
            let common = slot.len().min(body.len());
            assert_eq!(&slot[..common], &body[..common]);
            // Every ending without activation is reported as failed, with a reason.
            if !updater.is_running() {
                let last = updater.progress().expect("a report");
                assert_eq!(last.state, UpdateState::Failed, "{last:?}");
                assert!(last.reason.as_deref().is_some_and(|reason| !reason.is_empty()));
            }
        }
    }
});
