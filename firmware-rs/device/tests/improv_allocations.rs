//! The Improv decoder allocates nothing per byte: a long stream of log lines, noise and false headers costs only the
//! data of the frames found in it. Its own test binary, since it counts through a global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use sysboy_device::improv::packet::{encode, Decoded, Decoder, PacketType};

/// Counts the allocations (and growths) made on the thread that counts, passing everything to the system's.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // try_with: a thread being torn down has no counter, and then there is nothing to count for.
    let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
}

// SAFETY: every call goes to System unchanged; counting touches only a const-initialised thread-local.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn decoding_a_long_noisy_stream_allocates_only_for_the_frames_found() {
    // 200 rounds of: a log line, bytes that start a header and break off, a false header whose length runs past a
    // real packet (the replay finds it), noise, and a header with another version.
    let mut packet = Vec::new();
    encode(PacketType::Rpc as u8, &[0x03, 0], &mut packet).unwrap();
    let mut stream = Vec::new();
    let mut noise = 0x2545_f491_u32;
    for round in 0..200 {
        stream.extend_from_slice(format!("I (123{round}) wifi: sta start, IMPRO IMP I II\r\n").as_bytes());
        stream.extend_from_slice(b"IMPROV\x01\x03\x40");
        stream.extend_from_slice(&packet);
        for _ in 0..80 {
            noise ^= noise << 13;
            noise ^= noise >> 17;
            noise ^= noise << 5;
            stream.push(noise as u8);
        }
        stream.extend_from_slice(b"IMPROVE\n");
    }
    assert!(stream.len() > 30_000, "{}", stream.len());

    let mut decoder = Decoder::new();
    // Room for every report, so that `found` growing is not counted against the decoder.
    let mut found: Vec<Decoded> = Vec::with_capacity(4 * 200 + 64);
    let before = allocations();
    // Cut into reads of 64 bytes, as the board's task reads the port.
    for read in stream.chunks(64) {
        decoder.feed(read, &mut found);
    }
    let allocated = allocations() - before;

    let frames = found.iter().filter(|decoded| matches!(decoded, Decoded::Frame { .. })).count();
    assert!(frames >= 200, "every round's real packet is found: {frames}");
    // Only each frame's data; nothing for the rest of the stream's bytes.
    assert_eq!(allocated, frames, "{} allocations for {} bytes and {frames} frames", allocated, stream.len());
}
