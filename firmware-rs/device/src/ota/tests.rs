//! The image check, the HTTP head, the otadata policy and the updater, on crafted images.

use alloc::string::String;
use alloc::vec::Vec;

use proptest::prelude::*;
use sysboy_protocol::{Chip, UpdateOffer, UpdateState};

use super::craft::{self, Craft};
use super::http::{parse_head, write_request, ByteRange, ContentRange, HttpError, ResponseHead};
use super::image::{check, ImageChecker, ImageError, CHIP_ID_ESP32C3, CHIP_ID_ESP32C6};
use super::otadata::{crc32_le, OtaEntry, OtaState, Otadata, SECTOR as OTA_SECTOR};
use super::{check_erase, check_write, SlotError, UpdateStep, Updater, CHUNK, FETCH_TIMEOUT_MS, SECTOR, WORD};

const SLOT: u32 = 0x18_0000;

fn c3(version: &str) -> Vec<u8> {
    craft::image(&Craft { version, ..Craft::default() })
}

// ---- image ----

#[test]
fn a_crafted_image_passes_and_says_what_it_is() {
    let bytes = c3("1.2.3");
    let info = check(&bytes, Some(CHIP_ID_ESP32C3)).unwrap();
    assert_eq!(info.version, "1.2.3");
    assert_eq!(info.project, "sysboy");
    assert_eq!(info.len as usize, bytes.len());
    assert_eq!(info.segments, 2);
    assert!(info.hash_appended);
    assert_eq!(craft::sha256_hex(&bytes), info.sha256.iter().map(|b| alloc::format!("{b:02x}")).collect::<String>());
    // A slot read back runs on past the image: the check stops at its end.
    let mut slot = bytes.clone();
    slot.resize(bytes.len() + 5000, 0xFF);
    assert_eq!(check(&slot, Some(CHIP_ID_ESP32C3)).unwrap().len as usize, bytes.len());
}

#[test]
fn an_image_without_appended_hash_ends_at_its_checksum() {
    let bytes = craft::image(&Craft { hash_appended: false, ..Craft::default() });
    assert_eq!(bytes.len() % 16, 0);
    let info = check(&bytes, None).unwrap();
    assert!(!info.hash_appended);
}

#[test]
fn each_broken_part_is_named() {
    let good = c3("0.1.0");
    let mut magic = good.clone();
    magic[0] = 0xFF;
    assert_eq!(check(&magic, None), Err(ImageError::BadMagic(0xFF)));
    assert_eq!(check(&good, Some(CHIP_ID_ESP32C6)), Err(ImageError::WrongChip { found: CHIP_ID_ESP32C3, expected: CHIP_ID_ESP32C6 }));
    let mut count = good.clone();
    count[1] = 17;
    assert_eq!(check(&count, None), Err(ImageError::SegmentCount(17)));
    count[1] = 0;
    assert_eq!(check(&count, None), Err(ImageError::SegmentCount(0)));
    let mut length = good.clone();
    length[28] = length[28].wrapping_add(1); // the first segment's data_len, low byte
    assert!(matches!(check(&length, None), Err(ImageError::SegmentLength { index: 0, .. })));
    let mut mapping = good.clone();
    mapping[24] = 0x40; // load address 0x3C000040: not at offset 0x20 of its page
    assert!(matches!(check(&mapping, None), Err(ImageError::SegmentMapping { index: 0, .. })));
    let mut desc = good.clone();
    desc[32] ^= 1;
    assert_eq!(check(&desc, None), Err(ImageError::NoAppDescriptor));
    let mut data = good.clone();
    data[40] ^= 0x10; // inside the descriptor's reserved words: checksum and hash both catch it
    assert!(matches!(check(&data, None), Err(ImageError::Checksum { .. })));
    let mut hash = good.clone();
    let last = hash.len() - 1;
    hash[last] ^= 1;
    assert_eq!(check(&hash, None), Err(ImageError::AppendedHash));
    assert_eq!(check(&good[..good.len() - 1], None), Err(ImageError::Truncated { len: good.len() as u32 - 1 }));
    let mut checker = ImageChecker::new(None, 100);
    assert_eq!(checker.feed(&good), Err(ImageError::TooLong { len: 101, max: 100 }));
    let mut version = good.clone();
    version[48..80].fill(b'x'); // no NUL in version[32]
    let mut fixed = craft::image(&Craft::default());
    fixed[48..80].copy_from_slice(&version[48..80]);
    assert!(matches!(check(&fixed, None), Err(ImageError::Checksum { .. }) | Err(ImageError::BadVersion)));
}

proptest! {
    #[test]
    fn any_split_of_the_bytes_checks_the_same(cuts in proptest::collection::vec(0usize..2000, 0..8), extra in 0usize..600, seg in 0usize..900) {
        let segments = [seg];
        let bytes = craft::image(&Craft { extra, segments: &segments, ..Craft::default() });
        let whole = check(&bytes, None).unwrap();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|cut| cut % (bytes.len() + 1)).collect();
        cuts.sort_unstable();
        let mut checker = ImageChecker::new(None, SLOT);
        let mut at = 0;
        for cut in cuts.into_iter().chain([bytes.len()]) {
            prop_assert_eq!(checker.feed(&bytes[at..cut]).unwrap(), cut - at);
            at = cut;
        }
        prop_assert_eq!(checker.finish().unwrap(), whole);
    }

    #[test]
    fn any_flipped_byte_is_refused(at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let mut bytes = c3("0.1.0");
        let at = at.index(bytes.len());
        bytes[at] ^= 1 << bit;
        // Unless the flip lands in a field the bootloader does not read (flash mode bits, reserved bytes) or in
        // hash_appended (any non-zero value means appended; zero ends the image before the hash, a length the
        // offer's size refuses) it is caught; either way the whole file's hash differs, which the updater checks
        // against the offer.
        let checked = check(&bytes, Some(CHIP_ID_ESP32C3));
        let unread = (2..12).contains(&at) || (14..24).contains(&at);
        prop_assert!(checked.is_err() || unread, "flip at {} passed", at);
    }

    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = check(&bytes, None);
    }
}

// ---- http ----

#[test]
fn the_request_asks_for_the_range_with_the_token() {
    let mut out = [0u8; 512];
    let n = write_request("10.0.0.1:7777", "/firmware/esp32c3/app.bin", Some("tok-123456"), ByteRange { start: 0, end: 65535 }, &mut out).unwrap();
    let text = core::str::from_utf8(&out[..n]).unwrap();
    assert_eq!(
        text,
        "GET /firmware/esp32c3/app.bin HTTP/1.1\r\nHost: 10.0.0.1:7777\r\nRange: bytes=0-65535\r\nConnection: close\r\nAuthorization: Bearer tok-123456\r\n\r\n"
    );
    assert_eq!(write_request("h", "/p", None, ByteRange { start: 0, end: 1 }, &mut out[..20]), Err(HttpError::RequestTooLong));
}

#[test]
fn heads_of_each_answer_are_read() {
    let partial = b"HTTP/1.1 206 Partial Content\r\ncontent-length: 4096\r\nContent-Range: bytes 4096-8191/100000\r\n\r\nBODY";
    let (head, used) = parse_head(partial).unwrap().unwrap();
    assert_eq!(head, ResponseHead { status: 206, content_length: Some(4096), content_range: Some(ContentRange { range: Some(ByteRange { start: 4096, end: 8191 }), total: Some(100_000) }) });
    assert_eq!(&partial[used..], b"BODY");
    let whole = parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n").unwrap().unwrap().0;
    assert_eq!((whole.status, whole.content_length, whole.content_range), (200, Some(5), None));
    assert_eq!(parse_head(b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n").unwrap().unwrap().0.status, 401);
    let refused = parse_head(b"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */100000\r\n\r\n").unwrap().unwrap().0;
    assert_eq!(refused.content_range, Some(ContentRange { range: None, total: Some(100_000) }));
    assert_eq!(parse_head(b"HTTP/1.1 206 Partial"), Ok(None));
}

#[test]
fn bad_heads_are_refused() {
    assert_eq!(parse_head(b"HTTP/2 200 OK\r\n\r\n"), Err(HttpError::BadStatusLine));
    assert_eq!(parse_head(b"HTTP/1.1 20 OK\r\n\r\n"), Err(HttpError::BadStatusLine));
    assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n"), Err(HttpError::BadHeader));
    assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"), Err(HttpError::BadContentLength));
    assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), Err(HttpError::BadContentLength));
    assert_eq!(parse_head(b"HTTP/1.1 206 OK\r\nContent-Range: bytes 9-3/100\r\n\r\n"), Err(HttpError::BadContentRange));
    assert_eq!(parse_head(b"HTTP/1.1 206 OK\r\nContent-Range: bytes 0-100/100\r\n\r\n"), Err(HttpError::BadContentRange));
    assert_eq!(parse_head(b"HTTP/1.1 206 OK\r\nContent-Range: items 0-1/100\r\n\r\n"), Err(HttpError::BadContentRange));
    assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), Err(HttpError::Chunked));
    let long = alloc::vec![b'a'; 2000];
    assert_eq!(parse_head(&long), Err(HttpError::HeadTooLong));
}

proptest! {
    #[test]
    fn a_content_range_round_trips(start in 0u32..1_000_000, len in 1u32..100_000, more in 0u32..1000) {
        let end = start + len - 1;
        let total = end + 1 + more;
        let text = alloc::format!("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {start}-{end}/{total}\r\nContent-Length: {len}\r\n\r\n");
        let head = parse_head(text.as_bytes()).unwrap().unwrap().0;
        prop_assert_eq!(head.content_range, Some(ContentRange { range: Some(ByteRange { start, end }), total: Some(total) }));
        prop_assert_eq!(head.content_length, Some(len));
    }

    #[test]
    fn any_head_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1200)) {
        let _ = parse_head(&bytes);
    }
}

// ---- otadata ----

#[test]
fn the_crc_is_the_roms() {
    // esp-bootloader-esp-idf's otadata test vectors (seq 1 and 2), and zlib.crc32(le(seq), 0xFFFFFFFF).
    assert_eq!(crc32_le(&1u32.to_le_bytes()), 0x4743_989A);
    assert_eq!(crc32_le(&2u32.to_le_bytes()), 0x55F6_3774);
    let entry = OtaEntry::new(2, OtaState::New);
    assert_eq!(entry.to_bytes()[28..], [116, 55, 246, 85]);
    assert_eq!(OtaEntry::parse(&entry.to_bytes()), entry);
}

#[test]
fn erased_otadata_boots_ota_0() {
    let mut otadata = Otadata::ERASED;
    let boot = otadata.boot();
    assert_eq!((boot.slot, boot.rewrite, boot.rolled_back, boot.pending), (0, [false; 2], None, false));
    assert_eq!(Otadata::parse(&alloc::vec![0xFF; 2 * OTA_SECTOR as usize]), Otadata::ERASED);
}

#[test]
fn an_update_is_new_then_pending_then_valid_or_rolled_back() {
    let mut otadata = Otadata::ERASED;
    // Activate ota_1 from a factory flash (ota_0 running with erased otadata).
    assert_eq!(otadata.activate(1), Ok(0));
    assert_eq!(otadata.entries[0], OtaEntry::new(2, OtaState::New));
    let boot = otadata.boot();
    assert_eq!((boot.slot, boot.rewrite, boot.pending), (1, [true, false], true));
    assert_eq!(otadata.entries[0].state, OtaState::PendingVerify);
    // It reached the host: kept.
    let mut confirmed = otadata;
    assert_eq!(confirmed.mark_valid(), Some(0));
    assert_eq!(confirmed.mark_valid(), None);
    assert_eq!(confirmed.boot().slot, 1);
    // It did not: the next boot abandons it and ota_0 runs again.
    let boot = otadata.boot();
    assert_eq!((boot.slot, boot.rolled_back, boot.rewrite), (0, Some(1), [true, false]));
    assert_eq!(otadata.entries[0].state, OtaState::Aborted);
    // And stays there.
    let boot = otadata.boot();
    assert_eq!((boot.slot, boot.rolled_back, boot.rewrite), (0, None, [false, false]));
}

#[test]
fn activation_writes_the_copy_not_active_with_the_next_seq() {
    let mut otadata = Otadata::ERASED;
    otadata.entries[0] = OtaEntry::new(1, OtaState::Valid);
    assert_eq!(otadata.activate(1), Ok(1));
    assert_eq!(otadata.entries[1].seq, 2);
    otadata.entries[1].state = OtaState::Valid;
    assert_eq!(otadata.activate(0), Ok(0));
    assert_eq!(otadata.entries[0].seq, 3);
    assert_eq!(otadata.selected_slot(), 0);
    assert!(otadata.activate(2).is_err());
    // A copy with a bad CRC is ignored; the other one wins.
    let mut torn = otadata;
    torn.entries[0].crc ^= 1;
    assert_eq!(torn.active(), Some(1));
}

proptest! {
    #[test]
    fn the_policy_never_boots_an_abandoned_image(steps in proptest::collection::vec(0u8..3, 1..30)) {
        // 0: an update to the other slot (the host offers one only once the running image reached it); 1: a
        // boot without reaching the host; 2: a boot that reaches the host.
        let mut otadata = Otadata::ERASED;
        let mut running = otadata.boot().slot;
        let mut good = running;
        let mut confirmed = true;
        for step in steps {
            match step {
                0 if confirmed => { otadata.activate(1 - running).unwrap(); }
                0 => {}
                _ => {
                    let boot = otadata.boot();
                    running = boot.slot;
                    if let Some(abandoned) = boot.rolled_back {
                        prop_assert_ne!(abandoned, running);
                        prop_assert_eq!(running, good, "a rollback lands on the last good image");
                    }
                    confirmed = step == 2 || !boot.pending;
                    if step == 2 {
                        otadata.mark_valid();
                    }
                    if confirmed {
                        good = running;
                    }
                }
            }
            for entry in otadata.entries {
                prop_assert!(entry.seq == u32::MAX || entry.crc == crc32_le(&entry.seq.to_le_bytes()));
            }
        }
    }
}

// ---- updater ----

fn offer_for(bytes: &[u8], version: &str) -> UpdateOffer {
    UpdateOffer { version: version.into(), chip: Chip::Esp32c3, size: bytes.len() as u32, sha256: craft::sha256_hex(bytes), path: "/firmware/esp32c3/app.bin".into() }
}

fn partial(range: ByteRange, total: u32) -> ResponseHead {
    ResponseHead { status: 206, content_length: Some(range.len()), content_range: Some(ContentRange { range: Some(range), total: Some(total) }) }
}

/// The inactive slot as NOR flash takes the steps, refusing what the flash would get wrong: a write into a sector
/// not erased since the update began, a byte written twice (flash only clears bits), a write not of whole words, a
/// sector erased twice, an activation before every byte of the image is written. It starts full of an old image.
struct Nor {
    bytes: Vec<u8>,
    erased: Vec<bool>,
    written: Vec<bool>,
    activated: Option<u32>,
}

impl Nor {
    fn new() -> Self {
        Nor { bytes: alloc::vec![0x5A; SLOT as usize], erased: alloc::vec![false; (SLOT / SECTOR) as usize], written: alloc::vec![false; SLOT as usize], activated: None }
    }

    fn carry_out(&mut self, mut steps: super::Steps<'_>) {
        while let Some(step) = steps.next_step() {
            assert_eq!(self.activated, None, "a step after the activation: {step:?}");
            match step {
                UpdateStep::Erase { offset } => {
                    assert_eq!(offset % SECTOR, 0, "an erase at {offset:#x}");
                    let sector = (offset / SECTOR) as usize;
                    assert!(!self.erased[sector], "sector {offset:#x} erased twice");
                    self.erased[sector] = true;
                    self.bytes[offset as usize..(offset + SECTOR) as usize].fill(0xFF);
                }
                UpdateStep::Write { offset, data } => {
                    assert!(offset % WORD == 0 && data.len() % WORD as usize == 0 && !data.is_empty(), "a write of {} at {offset:#x}", data.len());
                    for (at, &byte) in (offset as usize..).zip(data) {
                        assert!(self.erased[at / SECTOR as usize], "a write at {at:#x}, in a sector not erased");
                        assert!(!self.written[at], "byte {at:#x} written twice");
                        self.written[at] = true;
                        self.bytes[at] &= byte;
                    }
                }
                UpdateStep::Activate { size } => {
                    assert!(self.written[..size as usize].iter().all(|&written| written), "activated before every byte was written");
                    self.activated = Some(size);
                }
            }
        }
    }
}

/// Runs a whole download, feeding each range in pieces of `piece` bytes, on a NOR flash.
fn download(updater: &mut Updater, bytes: &[u8], piece: usize) -> Nor {
    download_cut(updater, bytes, |_| piece)
}

/// Runs a whole download, each range fed in pieces of the sizes `piece` gives for the offset reached.
fn download_cut(updater: &mut Updater, bytes: &[u8], mut piece: impl FnMut(usize) -> usize) -> Nor {
    let mut nor = Nor::new();
    let mut now = 0;
    while let Some(range) = updater.next_fetch(now) {
        assert_eq!(range.start % SECTOR, 0, "ranges start on a sector");
        assert!(range.len() <= CHUNK);
        updater.response(now, &partial(range, bytes.len() as u32));
        let mut at = range.start as usize;
        while at <= range.end as usize {
            let end = (at + piece(at).max(1)).min(range.end as usize + 1);
            now += 1;
            nor.carry_out(updater.body(now, &bytes[at..end]));
            at = end;
        }
        if !updater.is_running() {
            break;
        }
    }
    nor
}

/// Whether the slot holds `bytes` then erased bytes to the end of the last word.
fn holds(nor: &Nor, bytes: &[u8]) -> bool {
    let padded = bytes.len().next_multiple_of(WORD as usize);
    nor.bytes[..bytes.len()] == *bytes && nor.bytes[bytes.len()..padded].iter().all(|&byte| byte == 0xFF)
}

fn reports(updater: &mut Updater) -> Vec<(UpdateState, u32, Option<String>)> {
    core::iter::from_fn(|| updater.take_report()).map(|p| (p.state, p.written, p.reason)).collect()
}

#[test]
fn an_update_streams_to_the_slot_reports_and_activates() {
    let bytes = craft::image(&Craft { version: "0.2.0", segments: &[150_000, 30_001], ..Craft::default() });
    let mut updater = Updater::new(Chip::Esp32c3, SLOT);
    updater.offer(0, &offer_for(&bytes, "0.2.0")).unwrap();
    let nor = download(&mut updater, &bytes, 1460);
    assert_eq!(nor.activated, Some(bytes.len() as u32));
    assert!(holds(&nor, &bytes));
    updater.activated(10);
    let states = reports(&mut updater);
    let downloading = states.iter().filter(|(state, ..)| *state == UpdateState::Downloading).count();
    assert!(downloading >= 10, "at least every 10 %: {states:?}");
    let tail: Vec<UpdateState> = states.iter().rev().take(2).map(|(state, ..)| *state).collect();
    assert_eq!(tail, [UpdateState::Restarting, UpdateState::Verifying]);
    assert!(!updater.is_running());
    assert_eq!(updater.progress().unwrap().state, UpdateState::Restarting);
}

#[test]
fn offers_the_board_cannot_take_are_refused() {
    let bytes = c3("0.2.0");
    let offer = offer_for(&bytes, "0.2.0");
    assert_eq!(alloc::format!("{}", Updater::new(Chip::Sim, SLOT).offer(0, &offer).unwrap_err()), "no image for chip sim");
    let error = Updater::new(Chip::Esp32c6, SLOT).offer(0, &offer).unwrap_err();
    assert_eq!(alloc::format!("{error}"), "the image is for esp32c3, this board is esp32c6");
    let error = Updater::new(Chip::Esp32c3, 100).offer(0, &offer).unwrap_err();
    assert!(alloc::format!("{error}").contains("larger than the 100-byte slot"));
    assert!(alloc::format!("{}", Updater::new(Chip::Esp32c3, 0).offer(0, &offer).unwrap_err()).contains("no OTA slot"));
    let mut busy = Updater::new(Chip::Esp32c3, SLOT);
    busy.offer(0, &offer).unwrap();
    assert!(alloc::format!("{}", busy.offer(0, &offer).unwrap_err()).contains("under way"));
}

/// Starts an update of `bytes` and returns the updater with its first range asked for.
fn started(bytes: &[u8]) -> (Updater, ByteRange) {
    let mut updater = Updater::new(Chip::Esp32c3, SLOT);
    updater.offer(0, &offer_for(bytes, "0.2.0")).unwrap();
    let range = updater.next_fetch(0).unwrap();
    (updater, range)
}

fn failed_with(updater: &mut Updater) -> String {
    assert!(!updater.is_running());
    let last = reports(updater).pop().unwrap();
    assert_eq!(last.0, UpdateState::Failed);
    last.2.unwrap()
}

#[test]
fn every_failure_ends_failed_with_a_reason_and_nothing_activated() {
    let bytes = craft::image(&Craft { version: "0.2.0", segments: &[100_000], ..Craft::default() });
    let total = bytes.len() as u32;
    let head = |status| ResponseHead { status, content_length: Some(0), content_range: None };

    let (mut updater, _) = started(&bytes);
    updater.response(0, &head(401));
    assert!(failed_with(&mut updater).contains("token"));

    let (mut updater, range) = started(&bytes);
    updater.response(0, &head(416));
    assert!(failed_with(&mut updater).contains(&alloc::format!("{range} (416)")));

    let (mut updater, _) = started(&bytes);
    updater.response(0, &head(500));
    assert!(failed_with(&mut updater).contains("HTTP 500"));

    let (mut updater, range) = started(&bytes);
    let wrong = ByteRange { start: range.start, end: range.end - 4 };
    updater.response(0, &partial(wrong, total));
    assert!(failed_with(&mut updater).contains("the host sent"));

    let (mut updater, range) = started(&bytes);
    updater.response(0, &partial(range, total + 1));
    assert!(failed_with(&mut updater).contains("the offer said"));

    let (mut updater, range) = started(&bytes);
    updater.response(0, &ResponseHead { content_length: Some(5), ..partial(range, total) });
    assert!(failed_with(&mut updater).contains("wrong length"));

    // A short read: the connection ends mid-range.
    let (mut updater, range) = started(&bytes);
    updater.response(0, &partial(range, total));
    updater.body(1, &bytes[..5000]);
    updater.ended(2, "the host closed the connection");
    assert!(failed_with(&mut updater).starts_with("short read: 5000 of the 65536 bytes"));

    // More bytes than the range.
    let (mut updater, range) = started(&bytes);
    updater.response(0, &partial(range, total));
    let mut more = bytes[..range.len() as usize].to_vec();
    more.push(0);
    updater.body(1, &more);
    assert!(failed_with(&mut updater).contains("more than"));

    // A silent host.
    let (mut updater, range) = started(&bytes);
    updater.response(0, &partial(range, total));
    updater.poll(FETCH_TIMEOUT_MS - 1);
    assert!(updater.is_running());
    updater.poll(FETCH_TIMEOUT_MS);
    assert!(failed_with(&mut updater).starts_with("timeout"));

    // The board's flash failed (the IO says so).
    let (mut updater, _) = started(&bytes);
    updater.fail(0, "writing the slot at 0x0: the flash refused an erase or a write");
    assert!(failed_with(&mut updater).contains("flash"));
}

#[test]
fn a_corrupt_or_mislabelled_image_is_never_activated() {
    let bytes = craft::image(&Craft { version: "0.2.0", segments: &[70_000], ..Craft::default() });
    // One flipped byte on the way: the image check or the hash refuses it.
    let mut flipped = bytes.clone();
    flipped[50_000] ^= 0x40;
    let mut updater = Updater::new(Chip::Esp32c3, SLOT);
    updater.offer(0, &offer_for(&bytes, "0.2.0")).unwrap();
    assert_eq!(download_served(&mut updater, &flipped).activated, None);
    let reason = failed_with(&mut updater);
    assert!(reason.contains("SHA-256 mismatch") || reason.contains("checksum"), "{reason}");

    // The hash matches the offer but the image says another version.
    let mut updater = Updater::new(Chip::Esp32c3, SLOT);
    updater.offer(0, &offer_for(&bytes, "9.9.9")).unwrap();
    download(&mut updater, &bytes, 4096);
    assert!(failed_with(&mut updater).contains("says version 0.2.0"));

    // The offer's size runs past the image's end.
    let mut padded = bytes.clone();
    padded.extend_from_slice(&[0; 16]);
    let mut updater = Updater::new(Chip::Esp32c3, SLOT);
    updater.offer(0, &offer_for(&padded, "0.2.0")).unwrap();
    download(&mut updater, &padded, 4096);
    assert!(failed_with(&mut updater).contains("the image ends at byte"));

    // An image for another chip fails at its header, early.
    let c6 = craft::image(&Craft { chip_id: CHIP_ID_ESP32C6, version: "0.2.0", segments: &[70_000], ..Craft::default() });
    let mut updater = Updater::new(Chip::Esp32c3, SLOT);
    updater.offer(0, &offer_for(&c6, "0.2.0")).unwrap();
    download(&mut updater, &c6, 4096);
    assert!(failed_with(&mut updater).contains("image check"));
}

/// A download where the host serves `served` for an offer made of other bytes.
fn download_served(updater: &mut Updater, served: &[u8]) -> Nor {
    download(updater, served, 1000)
}

#[test]
fn a_whole_image_answer_to_the_first_range_is_taken() {
    let bytes = craft::image(&Craft { version: "0.2.0", segments: &[100_000], ..Craft::default() });
    let (mut updater, _) = started(&bytes);
    updater.response(0, &ResponseHead { status: 200, content_length: Some(bytes.len() as u32), content_range: None });
    let mut nor = Nor::new();
    bytes.chunks(3001).for_each(|chunk| nor.carry_out(updater.body(1, chunk)));
    assert_eq!(nor.activated, Some(bytes.len() as u32));
    assert!(holds(&nor, &bytes));
}

proptest! {
    #[test]
    fn any_piece_size_writes_the_same_slot(piece in 1usize..9000, seg in 1usize..200_000) {
        let segments = [seg];
        let bytes = craft::image(&Craft { version: "0.2.0", segments: &segments, ..Craft::default() });
        let mut updater = Updater::new(Chip::Esp32c3, SLOT);
        updater.offer(0, &offer_for(&bytes, "0.2.0")).unwrap();
        let nor = download(&mut updater, &bytes, piece);
        prop_assert_eq!(nor.activated, Some(bytes.len() as u32));
        prop_assert!(holds(&nor, &bytes));
    }

    #[test]
    fn pieces_cut_anywhere_erase_each_sector_before_its_first_write_and_write_each_byte_once(
        cuts in proptest::collection::vec(1usize..6000, 1..40),
        seg in 1usize..40_000,
        tail in 0usize..4,
    ) {
        // Pieces of 1 to 3 bytes, pieces ending a byte before or after a sector or a word, a piece spanning sectors:
        // the NOR model refuses a write into a sector not erased, a byte written twice and a sector erased twice.
        let segments = [seg];
        // Images are whole words; `tail` more bytes make an offer that is not (its check fails at the end, after
        // every byte is written, the last word padded).
        let mut bytes = craft::image(&Craft { version: "0.2.0", segments: &segments, ..Craft::default() });
        bytes.extend((0..tail).map(|i| i as u8));
        let mut updater = Updater::new(Chip::Esp32c3, SLOT);
        updater.offer(0, &offer_for(&bytes, "0.2.0")).unwrap();
        let mut next = 0;
        let nor = download_cut(&mut updater, &bytes, |_| {
            next += 1;
            match cuts[next % cuts.len()] {
                cut if cut < 64 => cut % 4,
                cut if cut < 128 => SECTOR as usize - cut % 8,
                cut => cut,
            }
        });
        prop_assert_eq!(nor.activated, (tail == 0).then_some(bytes.len() as u32));
        prop_assert!(holds(&nor, &bytes));
        let sectors = bytes.len().div_ceil(SECTOR as usize);
        prop_assert!(nor.erased[..sectors].iter().all(|&erased| erased), "every sector of the image erased");
        prop_assert!(nor.erased[sectors..].iter().all(|&erased| !erased), "and no other");
        let padded = bytes.len().next_multiple_of(WORD as usize);
        prop_assert!(nor.written[..padded].iter().all(|&written| written) && nor.written[padded..].iter().all(|&written| !written));
    }
}

#[test]
fn a_piece_short_of_a_word_waits_and_the_last_word_is_padded() {
    // Crafted images are whole words; 1 to 3 more bytes make an offer that is not, so the last word is padded
    // (and the image check then fails: nothing is activated).
    for tail in 0..4usize {
        let mut bytes = craft::image(&Craft { version: "0.2.0", segments: &[5000], ..Craft::default() });
        bytes.extend((0..tail).map(|i| 0xA0 + i as u8));
        let (mut updater, range) = started(&bytes);
        updater.response(0, &partial(range, bytes.len() as u32));
        // 3 bytes: no write yet, nor an erase.
        assert_eq!(updater.body(1, &bytes[..3]).next_step(), None);
        // 4097 more: the joined word, then whole words from the piece, the sectors they enter erased first.
        let mut steps = updater.body(2, &bytes[3..4100]);
        assert_eq!(steps.next_step(), Some(UpdateStep::Erase { offset: 0 }));
        assert_eq!(steps.next_step(), Some(UpdateStep::Erase { offset: SECTOR }));
        assert_eq!(steps.next_step(), Some(UpdateStep::Write { offset: 0, data: &bytes[..4] }));
        assert_eq!(steps.next_step(), Some(UpdateStep::Write { offset: 4, data: &bytes[4..4100] }));
        assert_eq!(steps.next_step(), None);
        // The rest: whole words, the last one padded, then the activation; sector 1 is not erased again.
        let mut steps = updater.body(3, &bytes[4100..]);
        let whole = (bytes.len() - 4100) / 4 * 4;
        assert_eq!(steps.next_step(), Some(UpdateStep::Write { offset: 4100, data: &bytes[4100..4100 + whole] }));
        assert_eq!(bytes.len().is_multiple_of(4), tail == 0);
        if !bytes.len().is_multiple_of(4) {
            let mut last = [0xFF; 4];
            last[..bytes.len() % 4].copy_from_slice(&bytes[4100 + whole..]);
            assert_eq!(&last[..tail], &[0xA0, 0xA1, 0xA2][..tail], "the image's last bytes, then 0xFF");
            assert_eq!(steps.next_step(), Some(UpdateStep::Write { offset: (4100 + whole) as u32, data: &last }));
        }
        if tail == 0 {
            assert_eq!(steps.next_step(), Some(UpdateStep::Activate { size: bytes.len() as u32 }));
        }
        assert_eq!(steps.next_step(), None, "no activation of an image with {tail} bytes past its end");
        assert_eq!(updater.progress().unwrap().written, bytes.len() as u32);
        if tail == 0 {
            assert!(updater.is_running());
        } else {
            let reason = failed_with(&mut updater);
            assert!(reason.contains("the image ends at byte"), "{reason}");
        }
    }
}

#[test]
fn the_outcome_of_the_boot_and_the_confirmation_are_carried() {
    let outcome = sysboy_protocol::UpdateProgress { state: UpdateState::RolledBack, version: "0.2.0".into(), written: 0, total: 0, reason: Some("did not reach the host".into()) };
    let mut updater = Updater::new(Chip::Esp32c3, SLOT).with_outcome(outcome.clone());
    assert_eq!(updater.take_report(), Some(outcome.clone()));
    assert_eq!(updater.progress(), Some(&outcome));
    assert!(!updater.take_confirm());
    updater.reached_host();
    assert!(updater.take_confirm());
    updater.reached_host();
    assert!(!updater.take_confirm(), "once per boot");
}

#[test]
fn slot_erases_and_writes_are_checked_for_alignment_and_the_slot() {
    let slot = 3 * SECTOR;
    assert_eq!(check_erase(0, slot), Ok(()));
    assert_eq!(check_erase(2 * SECTOR, slot), Ok(()), "the last sector");
    assert_eq!(check_erase(3 * SECTOR, slot), Err(SlotError::OutOfSlot), "the sector past the slot");
    assert_eq!(check_erase(SECTOR, SECTOR + 100), Err(SlotError::OutOfSlot), "a sector only partly inside");
    assert_eq!(check_erase(u32::MAX - SECTOR + 1, u32::MAX), Err(SlotError::OutOfSlot), "no overflow");
    assert_eq!(check_erase(100, slot), Err(SlotError::Unaligned));
    assert_eq!(check_erase(WORD, slot), Err(SlotError::Unaligned), "a word is not a sector");
    assert_eq!(check_write(0, 0, slot), Ok(()));
    assert_eq!(check_write(4, 8, slot), Ok(()));
    assert_eq!(check_write(slot - 4, 4, slot), Ok(()), "the last word");
    assert_eq!(check_write(SECTOR - 4, 8, slot), Ok(()), "across sectors");
    assert_eq!(check_write(slot - 4, 8, slot), Err(SlotError::OutOfSlot));
    assert_eq!(check_write(slot, 0, slot), Ok(()), "nothing at the end");
    assert_eq!(check_write(slot + 4, 0, slot), Err(SlotError::OutOfSlot));
    assert_eq!(check_write(u32::MAX - 3, 8, u32::MAX), Err(SlotError::OutOfSlot), "no overflow");
    assert_eq!(check_write(2, 4, slot), Err(SlotError::Unaligned));
    assert_eq!(check_write(0, 3, slot), Err(SlotError::Unaligned));
    assert_eq!(check_write(slot + 2, 4, slot), Err(SlotError::Unaligned), "alignment first");
}
