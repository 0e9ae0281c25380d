//! A counting global allocator, so the simulator can report the heap the device logic uses and its high-water
//! mark, the figure that decides whether the same code fits in the ESP32's RAM.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The simulator's allocator: every allocation of the process goes through it.
#[global_allocator]
pub static HEAP: CountingHeap = CountingHeap::new();

thread_local! {
    /// Set while this thread runs [`uncounted`] work.
    static UNCOUNTED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `work`, whose allocations are the simulator's own and not the device logic's, off the count: it must
/// free everything it allocates (and nothing allocated before). Used to write the screen as PNG, which the board
/// never does.
pub fn uncounted<T>(work: impl FnOnce() -> T) -> T {
    let was = UNCOUNTED.with(|flag| flag.replace(true));
    let result = work();
    UNCOUNTED.with(|flag| flag.set(was));
    result
}

/// Whether this thread's allocations count now.
fn counting() -> bool {
    !UNCOUNTED.with(Cell::get)
}

/// The system allocator, counting the bytes in use and the most ever in use.
pub struct CountingHeap {
    used: AtomicUsize,
    peak: AtomicUsize,
}

impl CountingHeap {
    /// A heap with nothing counted yet.
    pub const fn new() -> Self {
        Self { used: AtomicUsize::new(0), peak: AtomicUsize::new(0) }
    }

    /// Bytes allocated now.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The most bytes allocated at once since start or since [`CountingHeap::reset_peak`].
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// Starts the high-water mark again from what is in use now, to leave out start-up allocations.
    pub fn reset_peak(&self) {
        self.peak.store(self.used(), Ordering::Relaxed);
    }

    fn grew(&self, bytes: usize) {
        let used = self.used.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.peak.fetch_max(used, Ordering::Relaxed);
    }

    fn shrank(&self, bytes: usize) {
        self.used.fetch_sub(bytes, Ordering::Relaxed);
    }
}

impl Default for CountingHeap {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every call is passed straight to the system allocator; the counters never affect the memory returned.
unsafe impl GlobalAlloc for CountingHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is forwarded unchanged.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() && counting() {
            self.grew(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is forwarded unchanged.
        unsafe { System.dealloc(pointer, layout) };
        if counting() {
            self.shrank(layout.size());
        }
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract is forwarded unchanged.
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() && counting() {
            self.shrank(layout.size());
            self.grew(new_size);
        }
        moved
    }
}

/// A frame on its way through the simulated radio, allocated from the system allocator directly so that it stays off
/// the device logic's count. On the ESP32 such a frame is the radio's memory, not the device logic's: a received one
/// stays in the Wi-Fi driver's own RX buffer until the stack takes it (esp-radio 1.0.0-beta.1, `recv_cb_sta` and
/// `recv_cb_ap` queue a `PacketBuffer` freed with `esp_wifi_internal_free_rx_buffer`), and one to send is built in a
/// stack buffer of one MTU that `esp_wifi_internal_tx` copies (`WifiTxToken::consume_token`). Counted, the TAP's queue
/// made the device-logic figure depend on how far a loaded machine let the device loop fall behind.
pub struct LinkFrame {
    pointer: NonNull<u8>,
    len: usize,
}

// SAFETY: the frame owns its bytes alone, like a `Box<[u8]>`; it moves from the TAP's reader thread to the stack.
unsafe impl Send for LinkFrame {}

impl LinkFrame {
    /// A frame of `len` zero bytes, to be filled.
    pub fn zeroed(len: usize) -> Self {
        if len == 0 {
            return Self { pointer: NonNull::dangling(), len };
        }
        let layout = Layout::array::<u8>(len).expect("a frame fits in memory");
        // SAFETY: `layout` has a non-zero size.
        let pointer = NonNull::new(unsafe { System.alloc_zeroed(layout) }).unwrap_or_else(|| std::alloc::handle_alloc_error(layout));
        Self { pointer, len }
    }

    /// A frame holding a copy of `bytes`.
    pub fn copy_of(bytes: &[u8]) -> Self {
        let mut frame = Self::zeroed(bytes.len());
        frame.copy_from_slice(bytes);
        frame
    }
}

impl Deref for LinkFrame {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        // SAFETY: `pointer` holds `len` initialised bytes (or is dangling with `len` 0), owned by this frame.
        unsafe { std::slice::from_raw_parts(self.pointer.as_ptr(), self.len) }
    }
}

impl DerefMut for LinkFrame {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `deref`, and `&mut self` makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.pointer.as_ptr(), self.len) }
    }
}

impl Drop for LinkFrame {
    fn drop(&mut self) {
        if self.len == 0 {
            return;
        }
        let layout = Layout::array::<u8>(self.len).expect("the layout it was allocated with");
        // SAFETY: allocated by `System` with this layout in `zeroed`, and freed once.
        unsafe { System.dealloc(self.pointer.as_ptr(), layout) };
    }
}

#[cfg(test)]
mod tests {
    use super::{uncounted, LinkFrame, HEAP};

    /// Far above what the other tests running beside this one allocate at once: the OTA tests hold a 4 MiB flash
    /// and app images (6.3 MB was seen moving the count while a 4 MiB `BIG` was measured), so the slack each
    /// check allows, `BIG / 2`, stays well above that.
    const BIG: usize = 32 << 20;

    /// The tests here hold the count still for each other: each moves it by far more than the others' slack.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn counts_what_the_device_logic_allocates_and_leaves_frames_in_flight_off() {
        let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let used = HEAP.used();
        let held = vec![1u8; BIG];
        assert!(HEAP.used() >= used + BIG / 2, "a plain allocation is counted");
        assert!(HEAP.peak() >= used + BIG / 2, "and raises the high-water mark");
        drop(held);

        let (used, peak) = (HEAP.used(), HEAP.peak());
        let received = LinkFrame::copy_of(&[7u8; 64]);
        let to_send = LinkFrame::zeroed(BIG);
        assert_eq!((received.len(), received[63], to_send.len()), (64, 7, BIG));
        assert!(HEAP.used() < used + BIG / 2, "frames held: used {} from {used}", HEAP.used());
        assert!(HEAP.peak() < peak + BIG / 2, "frames held: peak {} from {peak}", HEAP.peak());
        drop((received, to_send));
        assert!(HEAP.used() < used + BIG / 2, "frames freed: used {} from {used}", HEAP.used());
    }

    #[test]
    fn work_run_uncounted_leaves_the_count_alone() {
        let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (used, peak) = (HEAP.used(), HEAP.peak());
        let len = uncounted(|| {
            let png = vec![7u8; BIG];
            let mut grown = png.clone();
            grown.extend_from_slice(&png);
            grown.len()
        });
        assert_eq!(len, 2 * BIG);
        assert!(HEAP.used() < used + BIG / 2, "used {} from {used}", HEAP.used());
        assert!(HEAP.peak() < peak + BIG / 2, "peak {} from {peak}", HEAP.peak());
        let counted = vec![1u8; BIG];
        assert!(HEAP.used() >= used + BIG / 2, "counting again after it");
        drop(counted);
    }
}
